// The section editor: the page, the draft being edited and its save. Fields locked by the phase in
// force are disabled and say which phase; saves carry the version read, and a 409 explains field by
// field what changed meanwhile. The parts of the form are in files of their own: DetailsEditor.tsx,
// MeetingsEditor.tsx, InstructorsEditor.tsx; the model they edit is section-draft.ts. Cancel,
// reinstate and delete are in SectionActions.tsx.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, get, patch } from '../api.ts';
import { sectionCode, useEditRules, useInstructors, useRooms, useTerms } from '../data.ts';
import { Link } from '../router.tsx';
import { useCan } from '../session.tsx';
import type { Section, SectionField } from '../types.ts';
import { Alert, ErrorAlert, PhaseBadgeView } from '../ui.tsx';
import { ConflictPanel } from './ConflictPanel.tsx';
import { DETAIL_FIELDS, DetailsEditor } from './DetailsEditor.tsx';
import { instructorErrorFields, InstructorsEditor } from './InstructorsEditor.tsx';
import { IntegrationBanner } from './IntegrationBanner.tsx';
import { meetingErrorFields, MeetingsEditor } from './MeetingsEditor.tsx';
import { RelationshipsPanel } from './RelationshipsPanel.tsx';
import { DeleteSection, SectionStatusAction } from './SectionActions.tsx';
import { apiValue, changedKeys, LABELS, lockReason, toDraft, type Draft, type EditableKey } from './section-draft.ts';

export function SectionEditorPage({ sectionId }: { sectionId: string }) {
  const section = useQuery({ queryKey: ['section', sectionId], queryFn: () => get<Section>(`/api/v1/sections/${sectionId}`) });
  return (
    <div className="mx-auto max-w-5xl space-y-3">
      <Link to="/sections" className="text-sm text-blue-800 underline">
        ← Back to sections
      </Link>
      {section.error && <ErrorAlert error={section.error} />}
      {section.isPending && <p>Loading section…</p>}
      {section.data && <SectionEditor key={section.data.id} initial={section.data} />}
    </div>
  );
}

function SectionEditor({ initial }: { initial: Section }) {
  const client = useQueryClient();
  const terms = useTerms();
  const rooms = useRooms();
  const instructors = useInstructors();
  const rules = useEditRules(initial.termId);
  const term = terms.data?.find((t) => t.id === initial.termId);
  const canEdit = useCan('sections.edit');
  const canOverride = useCan('mergeSettings.edit');

  /** The version the edits apply to, and the draft being edited. */
  const [base, setBase] = useState<Section>(initial);
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [conflict, setConflict] = useState<{ current: Section; mine: Draft; myKeys: EditableKey[] } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const changed = useMemo(() => changedKeys(toDraft(base), draft), [base, draft]);
  const roomMap = useMemo(() => new Map((rooms.data ?? []).map((r) => [r.id, r])), [rooms.data]);

  const lock = (f: SectionField) => lockReason(rules.isPending ? undefined : rules.data, canEdit, f);

  const save = useMutation({
    mutationFn: async () => {
      const body: Record<string, unknown> = { version: base.version };
      for (const k of changed) body[k] = apiValue(draft, k);
      return await patch<Section>(`/api/v1/sections/${base.id}`, body);
    },
    onSuccess: (updated) => {
      client.setQueryData(['section', updated.id], updated);
      void client.invalidateQueries({ queryKey: ['sections'] });
      setBase(updated);
      setDraft(toDraft(updated));
      setConflict(null);
      setSaved(`Saved — version ${updated.version}.`);
    },
    onError: (error) => {
      setSaved(null);
      if (error instanceof ApiError && error.status === 409 && error.problem.current)
        setConflict({ current: error.problem.current as Section, mine: draft, myKeys: changed });
    },
  });
  useEffect(() => {
    if (changed.length) setSaved(null);
  }, [changed.length]);

  const errors = save.error && !(save.error instanceof ApiError && save.error.status === 409 && save.error.problem.current) ? fieldErrors(save.error) : {};
  // Errors with a place beside their field; "Other problems" lists the rest.
  const besideFields = new Set<string>([...DETAIL_FIELDS, ...meetingErrorFields(draft.meetings), ...instructorErrorFields(draft.instructors)]);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (changed.length === 0) {
      setSaved('Nothing to save.');
      return;
    }
    save.mutate();
  }

  /** The section as saved now (by a cancel, say, or by someone else), with the edits `keys` of `mine` kept over it. */
  function rebase(current: Section, mine: Draft = draft, keys: EditableKey[] = changed) {
    const next = toDraft(current) as unknown as Record<string, unknown>;
    for (const k of keys) next[k] = mine[k];
    setBase(current);
    setDraft(next as unknown as Draft);
  }
  function keepMine() {
    if (!conflict) return;
    rebase(conflict.current, conflict.mine, conflict.myKeys);
    client.setQueryData(['section', conflict.current.id], conflict.current);
    setConflict(null);
    save.reset();
  }
  function takeTheirs() {
    if (!conflict) return;
    setBase(conflict.current);
    setDraft(toDraft(conflict.current));
    client.setQueryData(['section', conflict.current.id], conflict.current);
    setConflict(null);
    save.reset();
  }

  const otherErrors = Object.entries(errors);

  return (
    <div className="space-y-4">
    <form onSubmit={submit} noValidate aria-labelledby="editor-title" className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 id="editor-title" className="text-xl font-semibold">
          {sectionCode(base)} <span className="font-normal text-slate-600">{base.title ?? base.courseTitle}</span>
        </h1>
        <span className={`badge ${base.status === 'active' ? 'bg-green-100 text-green-900' : 'bg-slate-200 text-slate-700'}`}>{base.status}</span>
        {base.sisNumber && <span className="badge bg-slate-100 text-slate-700" title="The section's number in the SIS (CRN, class number)">SIS number {base.sisNumber}</span>}
        {term && <span className="badge bg-slate-100 text-slate-700">{term.name}</span>}
        {rules.data?.phase ? <PhaseBadgeView phase={{ ...rules.data.phase, timeZone: rules.data.timeZone }} /> : term?.currentPhase ? <PhaseBadgeView phase={term.currentPhase} /> : null}
        <span className="text-xs text-slate-500">version {base.version}</span>
      </div>

      {base.integrationStatus !== undefined && <IntegrationBanner section={base} />}

      {rules.data?.bypass && rules.data.phase && (
        <Alert kind="info">You may change fields the “{rules.data.phase.name}” phase locks; such changes are recorded as a phase bypass in the audit log.</Alert>
      )}
      {rules.data && !rules.data.bypass && !rules.data.mayEdit && canEdit && (
        <Alert kind="warning">
          {rules.data.phase ? `The “${rules.data.phase.name}” phase does not let your role edit sections now.` : 'Your role may not edit sections of this term now.'}
        </Alert>
      )}

      {conflict && <ConflictPanel base={base} current={conflict.current} mine={conflict.mine} myKeys={conflict.myKeys} roomMap={roomMap} onKeepMine={keepMine} onTakeTheirs={takeTheirs} />}
      {save.error && !conflict && (otherErrors.length === 0 || (save.error instanceof ApiError && save.error.status === 403)) && <ErrorAlert error={save.error} />}
      {save.error && !conflict && otherErrors.length > 0 && (
        <Alert title="The section was not saved">
          <p>Correct the fields marked below.</p>
        </Alert>
      )}

      <DetailsEditor base={base} draft={draft} setDraft={setDraft} parts={term?.parts ?? []} lock={lock} canOverride={canOverride} errors={errors} />

      <MeetingsEditor draft={draft} setDraft={setDraft} rooms={rooms.data ?? []} roomMap={roomMap} meetingLock={lock('meetingPatterns')} roomLock={lock('rooms')} errors={errors} />

      <InstructorsEditor draft={draft} setDraft={setDraft} instructors={instructors.data ?? []} lockedReason={lock('instructors')} errors={errors} />

      {otherErrors.some(([f]) => !besideFields.has(f)) && (
        <Alert title="Other problems">
          <ul className="list-disc pl-5">
            {otherErrors
              .filter(([f]) => !besideFields.has(f))
              .map(([f, m]) => (
                <li key={f}>
                  {f}: {m}
                </li>
              ))}
          </ul>
        </Alert>
      )}

      <div className="sticky bottom-0 flex flex-wrap items-center gap-2 border-t border-slate-200 bg-slate-50/95 py-3">
        <button type="submit" className="btn btn-primary" disabled={save.isPending || !!conflict}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn" disabled={changed.length === 0} onClick={() => { setDraft(toDraft(base)); save.reset(); }}>
          Undo changes
        </button>
        <span className="text-sm text-slate-600" role="status" data-testid="save-status">
          {saved ?? (changed.length ? `Unsaved: ${changed.map((k) => LABELS[k]).join(', ')}` : '')}
        </span>
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <SectionStatusAction section={base} onDone={(s) => rebase(s)} rules={rules.data} />
          <DeleteSection section={base} rules={rules.data} />
        </div>
      </div>
    </form>
    {/* Outside the editor's form: the relationship dialog has a form of its own, and nested forms would submit both. */}
    <RelationshipsPanel section={base} />
    </div>
  );
}

