// The section editor's instructors: each with a role (primary or secondary), removable, and a
// picker to add one not assigned yet.
import { useState } from 'react';
import type { Draft, UpdateDraft } from './section-draft.ts';

/** The error fields shown beside the instructors (the rest go to the editor's "Other problems"). */
export function instructorErrorFields(instructors: Draft['instructors']): string[] {
  return instructors.map((_, i) => `instructors.${i}.instructorId`);
}

export function InstructorsEditor({ draft, setDraft, instructors, lockedReason, errors }: { draft: Draft; setDraft: UpdateDraft; instructors: { id: string; name: string }[]; lockedReason?: string; errors: Record<string, string> }) {
  const [adding, setAdding] = useState('');
  const names = new Map(instructors.map((i) => [i.id, i.name]));
  return (
    <section className="card space-y-2" aria-labelledby="instructors-h">
      <h2 id="instructors-h" className="font-semibold">
        Instructors
      </h2>
      {lockedReason && <p className="text-xs text-amber-800">🔒 {lockedReason}</p>}
      {errors.instructors && <p className="field-error">{errors.instructors}</p>}
      {draft.instructors.length === 0 && <p className="text-sm text-slate-600">No instructor assigned (Staff).</p>}
      <ul className="space-y-1">
        {draft.instructors.map((a, i) => (
          <li key={`${a.instructorId}-${i}`} className="flex flex-wrap items-center gap-2 text-sm">
            <span className="min-w-48 font-medium">{names.get(a.instructorId) ?? a.instructorId}</span>
            <label className="sr-only" htmlFor={`instr-role-${i}`}>
              Role of {names.get(a.instructorId)}
            </label>
            <select
              id={`instr-role-${i}`}
              className="input w-32"
              value={a.role}
              disabled={!!lockedReason}
              title={lockedReason}
              onChange={(e) => setDraft((d) => ({ ...d, instructors: d.instructors.map((x, j) => (j === i ? { ...x, role: e.target.value as 'primary' | 'secondary' } : x)) }))}
            >
              <option value="primary">Primary</option>
              <option value="secondary">Secondary</option>
            </select>
            <button type="button" className="btn" disabled={!!lockedReason} title={lockedReason} onClick={() => setDraft((d) => ({ ...d, instructors: d.instructors.filter((_, j) => j !== i) }))}>
              Remove {names.get(a.instructorId)}
            </button>
            {errors[`instructors.${i}.instructorId`] && <span className="field-error">{errors[`instructors.${i}.instructorId`]}</span>}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="add-instructor" className="block font-medium">
            Add instructor
          </label>
          <select id="add-instructor" className="input w-64" value={adding} disabled={!!lockedReason} title={lockedReason} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Choose…</option>
            {instructors
              .filter((i) => !draft.instructors.some((a) => a.instructorId === i.id))
              .map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
          </select>
        </div>
        <button
          type="button"
          className="btn"
          disabled={!adding || !!lockedReason}
          onClick={() => {
            setDraft((d) => ({ ...d, instructors: [...d.instructors, { instructorId: adding, role: d.instructors.length ? 'secondary' : 'primary' }] }));
            setAdding('');
          }}
        >
          Add
        </button>
      </div>
    </section>
  );
}
