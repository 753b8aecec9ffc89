// The section editor's details: number, component, capacity, instruction mode, campus, part of
// term, integration, source of truth, title and credits overrides, and what the SIS reports.
import { SOURCE_LABELS, type Section, type SectionField, type Term } from '../types.ts';
import { Field } from '../ui.tsx';
import { InstructionModeOptions } from './section-fields.tsx';
import type { Draft, EditableKey, UpdateDraft } from './section-draft.ts';

/** The fields whose errors are shown beside them here. */
export const DETAIL_FIELDS = ['sectionNumber', 'component', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'allowIntegration', 'sourceOfTruth', 'title', 'credits'] as const satisfies readonly EditableKey[];

export function DetailsEditor({ base, draft, setDraft, parts, lock, canOverride, errors }: { base: Section; draft: Draft; setDraft: UpdateDraft; parts: Term['parts']; lock: (f: SectionField) => string | undefined; canOverride: boolean; errors: Record<string, string> }) {
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const err = (f: (typeof DETAIL_FIELDS)[number]) => errors[f];
  return (
    <section className="card grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-labelledby="details-h">
      <h2 id="details-h" className="col-span-full font-semibold">
        Details
      </h2>
      <Field label="Section number" error={err('sectionNumber')} lockedReason={lock('sectionNumber')}>
        {(p) => <input {...p} className={`input ${errors.sectionNumber ? 'input-error' : ''}`} value={draft.sectionNumber} disabled={!!lock('sectionNumber')} onChange={(e) => set('sectionNumber', e.target.value)} />}
      </Field>
      <Field label="Component" error={err('component')} lockedReason={lock('component')} hint="LEC, LAB, DIS, SEM…">
        {(p) => <input {...p} className={`input ${errors.component ? 'input-error' : ''}`} value={draft.component} disabled={!!lock('component')} onChange={(e) => set('component', e.target.value.toUpperCase())} />}
      </Field>
      <Field label="Capacity" error={err('capacity')} lockedReason={lock('capacity')}>
        {(p) => <input {...p} type="number" inputMode="numeric" className={`input ${errors.capacity ? 'input-error' : ''}`} value={draft.capacity} disabled={!!lock('capacity')} onChange={(e) => set('capacity', e.target.value)} />}
      </Field>
      <Field label="Enrolled" hint={base.enrolled === null ? 'Not reported by the SIS' : 'From the SIS'}>
        {(p) => <input {...p} className="input" value={base.enrolled ?? '—'} readOnly disabled />}
      </Field>
      <Field label="Instruction mode" error={err('instructionMode')} lockedReason={lock('instructionMode')}>
        {(p) => (
          <select {...p} className="input" value={draft.instructionMode} disabled={!!lock('instructionMode')} onChange={(e) => set('instructionMode', e.target.value)}>
            <InstructionModeOptions />
          </select>
        )}
      </Field>
      <Field label="Campus" error={err('campus')} lockedReason={lock('campus')}>
        {(p) => <input {...p} className="input" value={draft.campus} disabled={!!lock('campus')} onChange={(e) => set('campus', e.target.value)} />}
      </Field>
      <Field label="Part of term" error={err('partOfTerm')} lockedReason={lock('partOfTerm')}>
        {(p) => (
          <select {...p} className="input" value={draft.partOfTerm} disabled={!!lock('partOfTerm')} onChange={(e) => set('partOfTerm', e.target.value)}>
            <option value="">None</option>
            {parts.map((part) => (
              <option key={part.code} value={part.code}>
                {part.code} — {part.name} ({part.startsOn} to {part.endsOn})
              </option>
            ))}
            {draft.partOfTerm && !parts.some((x) => x.code === draft.partOfTerm) && <option value={draft.partOfTerm}>{draft.partOfTerm}</option>}
          </select>
        )}
      </Field>
      <Field label="Allow integration" error={err('allowIntegration')} lockedReason={lock('allowIntegration')} hint="Blank or Yes: posted to the SIS">
        {(p) => (
          <select {...p} className="input" value={draft.allowIntegration} disabled={!!lock('allowIntegration')} onChange={(e) => set('allowIntegration', e.target.value as Draft['allowIntegration'])}>
            <option value="">Blank (yes)</option>
            <option value="true">Yes</option>
            <option value="false">No — never post</option>
          </select>
        )}
      </Field>
      <Field
        label="Source of truth"
        error={err('sourceOfTruth')}
        lockedReason={canOverride ? lock('sourceOfTruth') : 'Needs the right to edit merge settings'}
        hint="Who wins when the hub and the SIS both changed a field"
      >
        {(p) => (
          <select
            {...p}
            className="input"
            value={draft.sourceOfTruth}
            disabled={!canOverride || !!lock('sourceOfTruth')}
            onChange={(e) => set('sourceOfTruth', e.target.value as Draft['sourceOfTruth'])}
          >
            <option value="">Blank (the merge settings decide)</option>
            {Object.entries(SOURCE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Title override" error={err('title')} lockedReason={lock('title')} hint={`Course title: ${base.courseTitle}`} className="sm:col-span-2">
        {(p) => <input {...p} className="input" value={draft.title} disabled={!!lock('title')} onChange={(e) => set('title', e.target.value)} />}
      </Field>
      <Field label="Credits override" error={err('credits')} lockedReason={lock('credits')}>
        {(p) => <input {...p} type="number" step="0.5" className={`input ${errors.credits ? 'input-error' : ''}`} value={draft.credits} disabled={!!lock('credits')} onChange={(e) => set('credits', e.target.value)} />}
      </Field>
      <Field label="SIS key" hint="Set by the SIS">
        {(p) => <input {...p} className="input" value={base.sisKey ?? 'Not in the SIS yet'} readOnly disabled />}
      </Field>
    </section>
  );
}
