// The section editor: every field, meetings (days, times, dates, every how many weeks, a room
// picker with capacity), instructors; fields locked by the phase in force are disabled and say
// which phase; saves carry the version read, and a 409 explains field by field what changed
// meanwhile. Cancel, reinstate and delete are in SectionActions.tsx.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, get, patch } from '../api.ts';
import { meetingSummary, roomLabel, sectionCode, useEditRules, useInstructors, useRooms, useTerms, weekIntervalLabel } from '../data.ts';
import { Link } from '../router.tsx';
import { useCan } from '../session.tsx';
import { SOURCE_LABELS, type EditRules, type IntegrationStatusView, type Meeting, type Relationship, type Room, type Section, type SectionField, type SourceOfTruth } from '../types.ts';
import { Alert, ErrorAlert, Field, formatValue, PhaseBadgeView } from '../ui.tsx';
import { pollWhilePending, RelationshipDialog, RelationshipStatus } from './RelationshipDialog.tsx';
import { IntegrationStatusButton } from '../integration.tsx';
import { DeleteSection, SectionStatusAction } from './SectionActions.tsx';
import { InstructionModeOptions } from './section-fields.tsx';

const DAYS = [
  ['M', 'Monday'],
  ['T', 'Tuesday'],
  ['W', 'Wednesday'],
  ['R', 'Thursday'],
  ['F', 'Friday'],
  ['S', 'Saturday'],
  ['U', 'Sunday'],
] as const;
/** Every how many weeks a meeting may be held (the API's 1 to 52). */
const WEEK_INTERVALS = Array.from({ length: 52 }, (_, i) => i + 1);

const EDITABLE = ['sectionNumber', 'component', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'allowIntegration', 'sourceOfTruth', 'meetings', 'instructors'] as const;
type EditableKey = (typeof EDITABLE)[number];
const LABELS: Record<EditableKey, string> = {
  sectionNumber: 'Section number',
  component: 'Component',
  capacity: 'Capacity',
  instructionMode: 'Instruction mode',
  campus: 'Campus',
  partOfTerm: 'Part of term',
  title: 'Title override',
  credits: 'Credits override',
  allowIntegration: 'Allow integration',
  sourceOfTruth: 'Source of truth',
  meetings: 'Meetings',
  instructors: 'Instructors',
};

interface Draft {
  sectionNumber: string;
  component: string;
  capacity: string;
  instructionMode: string;
  campus: string;
  partOfTerm: string;
  title: string;
  credits: string;
  allowIntegration: '' | 'true' | 'false';
  sourceOfTruth: '' | SourceOfTruth;
  meetings: Meeting[];
  instructors: Section['instructors'];
}

function toDraft(s: Section): Draft {
  return {
    sectionNumber: s.sectionNumber,
    component: s.component,
    capacity: String(s.capacity),
    instructionMode: s.instructionMode,
    campus: s.campus ?? '',
    partOfTerm: s.partOfTerm ?? '',
    title: s.title ?? '',
    credits: s.credits === null ? '' : String(s.credits),
    allowIntegration: s.allowIntegration === null ? '' : s.allowIntegration ? 'true' : 'false',
    sourceOfTruth: s.sourceOfTruth ?? '',
    meetings: s.meetings.map((m) => ({ ...m })),
    instructors: s.instructors.map((i) => ({ ...i })),
  };
}

const num = (s: string) => (s.trim() === '' ? null : Number(s));
/** The API value of each editable field in a draft. */
function apiValue(d: Draft, key: EditableKey): unknown {
  switch (key) {
    case 'capacity':
      return d.capacity.trim() === '' ? null : Number(d.capacity);
    case 'credits':
      return num(d.credits);
    case 'campus':
    case 'partOfTerm':
    case 'title':
      return d[key].trim() === '' ? null : d[key].trim();
    case 'allowIntegration':
      return d.allowIntegration === '' ? null : d.allowIntegration === 'true';
    case 'sourceOfTruth':
      return d.sourceOfTruth || null;
    case 'meetings':
      return d.meetings.map((m) => ({
        days: m.days,
        startTime: m.startTime || null,
        endTime: m.endTime || null,
        startDate: m.startDate || null,
        endDate: m.endDate || null,
        roomId: m.roomId || null,
        weekInterval: m.weekInterval,
      }));
    default:
      return d[key];
  }
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
function changedKeys(from: Draft, to: Draft): EditableKey[] {
  return EDITABLE.filter((k) => !same(apiValue(from, k), apiValue(to, k)));
}

/** Why a field is locked now, or undefined when it may be changed. */
function lockReason(rules: EditRules | null | undefined, canEdit: boolean, field: SectionField): string | undefined {
  if (rules == null) return canEdit ? undefined : 'Your role cannot edit sections';
  if (rules.bypass) return undefined;
  if (rules.mayEdit && rules.editableFields.includes(field)) return undefined;
  if (rules.phase) return `Locked during the “${rules.phase.name}” phase`;
  if (rules.source === 'termDefaults') return "Locked by this term's rules outside its phases";
  return 'Your role cannot change this field';
}

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
  const shownErrorFields = new Set<string>();
  const err = (field: string) => {
    if (errors[field]) shownErrorFields.add(field);
    return errors[field];
  };
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setMeeting = (i: number, m: Partial<Meeting>) => setDraft((d) => ({ ...d, meetings: d.meetings.map((x, j) => (j === i ? { ...x, ...m } : x)) }));
  const capacity = Number(draft.capacity);

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

  const meetingLock = lock('meetingPatterns');
  const roomLock = lock('rooms');
  const otherErrors = Object.entries(errors);
  const partOptions = term?.parts ?? [];

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
              {partOptions.map((part) => (
                <option key={part.code} value={part.code}>
                  {part.code} — {part.name} ({part.startsOn} to {part.endsOn})
                </option>
              ))}
              {draft.partOfTerm && !partOptions.some((x) => x.code === draft.partOfTerm) && <option value={draft.partOfTerm}>{draft.partOfTerm}</option>}
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

      <section className="card space-y-3" aria-labelledby="meetings-h">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="meetings-h" className="font-semibold">
            Meetings
          </h2>
          <button
            type="button"
            className="btn"
            disabled={!!meetingLock || !!roomLock}
            title={meetingLock ?? roomLock}
            onClick={() => set('meetings', [...draft.meetings, { days: '', startTime: null, endTime: null, startDate: null, endDate: null, roomId: null, weekInterval: 1 }])}
          >
            Add meeting
          </button>
        </div>
        {err('meetings') && <p className="field-error">{errors.meetings}</p>}
        {draft.meetings.length === 0 && <p className="text-sm text-slate-600">No meetings: arranged.</p>}
        {draft.meetings.map((m, i) => {
          const room = m.roomId ? roomMap.get(m.roomId) : undefined;
          const e = (f: string) => err(`meetings.${i}.${f}`);
          return (
            <fieldset key={i} className="rounded border border-slate-200 p-3" data-testid={`meeting-${i}`}>
              <legend className="px-1 text-sm font-medium">
                Meeting {i + 1} <span className="font-normal text-slate-500">{meetingSummary(m, roomMap)}</span>
              </legend>
              <div className="grid grid-cols-1 gap-3 md:grid-cols-2 lg:grid-cols-6">
                <div className="lg:col-span-2">
                  <span className="mb-0.5 block text-sm font-medium text-slate-700" id={`days-${i}`}>
                    Days
                  </span>
                  <div role="group" aria-labelledby={`days-${i}`} className="flex flex-wrap gap-1" title={meetingLock}>
                    {DAYS.map(([letter, name]) => (
                      <label key={letter} className={`flex items-center gap-0.5 rounded border px-1.5 py-0.5 text-sm ${m.days.includes(letter) ? 'border-blue-600 bg-blue-50' : 'border-slate-300'}`}>
                        <input
                          type="checkbox"
                          aria-label={name}
                          checked={m.days.includes(letter)}
                          disabled={!!meetingLock}
                          onChange={(ev) => {
                            const chosen = new Set(m.days.split(''));
                            if (ev.target.checked) chosen.add(letter);
                            else chosen.delete(letter);
                            setMeeting(i, { days: DAYS.map(([l]) => l).filter((l) => chosen.has(l)).join('') });
                          }}
                        />
                        {letter}
                      </label>
                    ))}
                  </div>
                  {e('days') && <p className="field-error">{errors[`meetings.${i}.days`]}</p>}
                  {meetingLock && <p className="mt-0.5 text-xs text-amber-800">{meetingLock}</p>}
                </div>
                <Field label="Start time" error={e('startTime')} lockedReason={meetingLock}>
                  {(p) => <input {...p} type="time" className="input" value={m.startTime ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { startTime: ev.target.value || null })} />}
                </Field>
                <Field label="End time" error={e('endTime')} lockedReason={meetingLock}>
                  {(p) => <input {...p} type="time" className={`input ${errors[`meetings.${i}.endTime`] ? 'input-error' : ''}`} value={m.endTime ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { endTime: ev.target.value || null })} />}
                </Field>
                <Field label="Start date" error={e('startDate')} lockedReason={meetingLock} hint="Blank: the term's">
                  {(p) => <input {...p} type="date" className="input" value={m.startDate ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { startDate: ev.target.value || null })} />}
                </Field>
                <Field label="End date" error={e('endDate')} lockedReason={meetingLock}>
                  {(p) => <input {...p} type="date" className="input" value={m.endDate ?? ''} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { endDate: ev.target.value || null })} />}
                </Field>
                <Field
                  label="Room"
                  error={e('roomId')}
                  lockedReason={roomLock}
                  hint={room && Number.isFinite(capacity) && room.capacity < capacity ? `${roomLabel(room)} seats ${room.capacity}, fewer than the section's capacity ${capacity}` : undefined}
                  className="lg:col-span-3"
                >
                  {(p) => <RoomPicker {...p} rooms={rooms.data ?? []} value={m.roomId} disabled={!!roomLock} capacity={capacity} onChange={(roomId) => setMeeting(i, { roomId })} />}
                </Field>
                <Field label="Repeats" error={e('weekInterval')} lockedReason={meetingLock}>
                  {(p) => (
                    <select {...p} className="input" value={m.weekInterval} disabled={!!meetingLock} onChange={(ev) => setMeeting(i, { weekInterval: Number(ev.target.value) })}>
                      {WEEK_INTERVALS.map((n) => (
                        <option key={n} value={n}>
                          {weekIntervalLabel(n)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <div className="flex items-end lg:col-span-2">
                  <button
                    type="button"
                    className="btn btn-danger"
                    disabled={!!meetingLock || !!roomLock}
                    title={meetingLock ?? roomLock}
                    onClick={() => set('meetings', draft.meetings.filter((_, j) => j !== i))}
                  >
                    Remove meeting {i + 1}
                  </button>
                </div>
              </div>
            </fieldset>
          );
        })}
      </section>

      <InstructorsEditor draft={draft} setDraft={setDraft} instructors={instructors.data ?? []} lockedReason={lock('instructors')} err={err} errors={errors} />

      {otherErrors.some(([f]) => !shownErrorFields.has(f)) && (
        <Alert title="Other problems">
          <ul className="list-disc pl-5">
            {otherErrors
              .filter(([f]) => !shownErrorFields.has(f))
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

function RoomPicker({ rooms, value, disabled, capacity, onChange, ...aria }: { rooms: Room[]; value: string | null; disabled: boolean; capacity: number; onChange: (id: string | null) => void; id: string; title?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) {
  const sorted = useMemo(() => [...rooms].sort((a, b) => roomLabel(a).localeCompare(roomLabel(b), undefined, { numeric: true })), [rooms]);
  return (
    <select {...aria} className="input" value={value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">No room (arranged or online)</option>
      {sorted.map((r) => (
        <option key={r.id} value={r.id} disabled={!r.active && r.id !== value}>
          {roomLabel(r)} — {r.capacity} seats{Number.isFinite(capacity) && r.capacity < capacity ? ' (too small)' : ''}
          {r.active ? '' : ' (inactive)'}
        </option>
      ))}
    </select>
  );
}

function InstructorsEditor({ draft, setDraft, instructors, lockedReason, err, errors }: { draft: Draft; setDraft: (f: (d: Draft) => Draft) => void; instructors: { id: string; name: string }[]; lockedReason?: string; err: (f: string) => string | undefined; errors: Record<string, string> }) {
  const [adding, setAdding] = useState('');
  const names = new Map(instructors.map((i) => [i.id, i.name]));
  return (
    <section className="card space-y-2" aria-labelledby="instructors-h">
      <h2 id="instructors-h" className="font-semibold">
        Instructors
      </h2>
      {lockedReason && <p className="text-xs text-amber-800">🔒 {lockedReason}</p>}
      {err('instructors') && <p className="field-error">{errors.instructors}</p>}
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
            {err(`instructors.${i}.instructorId`) && <span className="field-error">{errors[`instructors.${i}.instructorId`]}</span>}
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

function describe(key: EditableKey, value: unknown, roomMap: Map<string, Room>): string {
  if (key === 'meetings') {
    const list = value as Meeting[];
    return list.length ? list.map((m) => `${meetingSummary(m, roomMap)}${m.startDate || m.endDate ? ` (${m.startDate ?? '…'} to ${m.endDate ?? '…'})` : ''}`).join('; ') : 'none';
  }
  if (key === 'instructors') return (value as Section['instructors']).length ? `${(value as Section['instructors']).length} assigned` : 'none';
  if ((key === 'allowIntegration' || key === 'sourceOfTruth') && value === null) return 'blank';
  return formatValue(value);
}

function ConflictPanel({ base, current, mine, myKeys, roomMap, onKeepMine, onTakeTheirs }: { base: Section; current: Section; mine: Draft; myKeys: EditableKey[]; roomMap: Map<string, Room>; onKeepMine: () => void; onTakeTheirs: () => void }) {
  const was = toDraft(base);
  const now = toDraft(current);
  const theirKeys = changedKeys(was, now);
  const extra: [string, unknown, unknown][] = (['status', 'enrolled', 'sisKey'] as const).filter((k) => base[k] !== current[k]).map((k) => [k, base[k], current[k]]);
  const clashes = myKeys.filter((k) => theirKeys.includes(k) && !same(apiValue(mine, k), apiValue(now, k)));
  return (
    <div role="alert" className="space-y-2 rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950" data-testid="conflict">
      <p className="font-semibold">Someone else saved this section while you were editing (version {base.version} → {current.version}). Your changes were not saved.</p>
      <p>What changed meanwhile:</p>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse bg-white text-left">
          <thead>
            <tr className="border-b border-amber-300">
              <th scope="col" className="px-2 py-1">Field</th>
              <th scope="col" className="px-2 py-1">When you opened it</th>
              <th scope="col" className="px-2 py-1">Now</th>
              <th scope="col" className="px-2 py-1">Your edit</th>
            </tr>
          </thead>
          <tbody>
            {theirKeys.map((k) => (
              <tr key={k} className={`border-b border-amber-100 ${clashes.includes(k) ? 'bg-red-50' : ''}`} data-conflict-field={k}>
                <th scope="row" className="px-2 py-1 font-medium">
                  {LABELS[k]}
                  {clashes.includes(k) && <span className="ml-1 text-red-800">(you changed it too)</span>}
                </th>
                <td className="px-2 py-1">{describe(k, apiValue(was, k), roomMap)}</td>
                <td className="px-2 py-1">{describe(k, apiValue(now, k), roomMap)}</td>
                <td className="px-2 py-1">{myKeys.includes(k) ? describe(k, apiValue(mine, k), roomMap) : '—'}</td>
              </tr>
            ))}
            {extra.map(([k, a, b]) => (
              <tr key={k} className="border-b border-amber-100">
                <th scope="row" className="px-2 py-1 font-medium">{k}</th>
                <td className="px-2 py-1">{formatValue(a)}</td>
                <td className="px-2 py-1">{formatValue(b)}</td>
                <td className="px-2 py-1">—</td>
              </tr>
            ))}
            {theirKeys.length + extra.length === 0 && (
              <tr>
                <td colSpan={4} className="px-2 py-1">No field you can edit differs; the section was saved again without visible changes.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {myKeys.length > 0 && <p>Your unsaved changes: {myKeys.map((k) => LABELS[k]).join(', ')}.</p>}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn btn-primary" onClick={onKeepMine}>
          Apply my changes to the new version
        </button>
        <button type="button" className="btn" onClick={onTakeTheirs}>
          Discard my changes
        </button>
      </div>
    </div>
  );
}

function RelationshipsPanel({ section }: { section: Section }) {
  const canEdit = useCan('relationships.edit');
  const relationships = useQuery({
    queryKey: ['relationships', { sectionId: section.id }],
    queryFn: async () => (await get<{ items: Relationship[] }>(`/api/v1/relationships?sectionId=${section.id}`)).items,
    // A relationship being posted (or waiting for its sections' SIS keys) settles on its own: follow it.
    refetchInterval: (q) => pollWhilePending(q.state.data),
  });
  const memberIds = [...new Set((relationships.data ?? []).flatMap((r) => r.members.map((m) => m.sectionId)))];
  const members = useQuery({
    queryKey: ['relationship-members', memberIds],
    enabled: memberIds.length > 0,
    queryFn: async () => {
      // A role limited to departments is not shown the sections of others (404): those are named
      // as such, and the ones it may see are still shown.
      const reads = await Promise.allSettled(memberIds.map((id) => get<Section>(`/api/v1/sections/${id}`)));
      const found = new Map<string, Section>();
      const unseen = new Set<string>();
      reads.forEach((read, i) => {
        if (read.status === 'fulfilled') found.set(read.value.id, read.value);
        else if (read.reason instanceof ApiError && read.reason.status === 404) unseen.add(memberIds[i]);
        else throw read.reason;
      });
      return { found, unseen };
    },
  });
  const memberLabel = (id: string) => {
    const s = members.data?.found.get(id);
    return s ? sectionCode(s) : members.data?.unseen.has(id) ? 'a section of another department' : '…';
  };
  const hidesMembers = (r: Relationship) => r.members.some((m) => members.data?.unseen.has(m.sectionId));
  const [editing, setEditing] = useState<Relationship | null>(null);
  return (
    <section className="card space-y-2" aria-labelledby="rel-h">
      <h2 id="rel-h" className="font-semibold">
        Crosslists and combined sections
      </h2>
      {relationships.error && <ErrorAlert error={relationships.error} />}
      {members.error && <ErrorAlert error={members.error} />}
      {relationships.data?.length === 0 && <p className="text-sm text-slate-600">This section is in no crosslist or combined section. Select sections in the list and choose Crosslist or Combine.</p>}
      <ul className="space-y-1">
        {(relationships.data ?? []).map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2 text-sm" data-relationship={r.id}>
            <span className="badge bg-indigo-100 text-indigo-900">{r.kind === 'crosslist' ? 'Crosslist' : 'Combined'}</span>
            {r.members.map((m) => (
              <span key={m.sectionId} className={m.primary ? 'font-semibold' : ''}>
                {memberLabel(m.sectionId)}
                {m.primary ? ' (primary)' : ''}
              </span>
            ))}
            {r.sharedCapacity !== null && <span className="text-slate-600">shared capacity {r.sharedCapacity}</span>}
            <RelationshipStatus
              relationship={r}
              compact
              label={`${r.kind === 'crosslist' ? 'Crosslist' : 'Combined section'} ${r.members.map((m) => memberLabel(m.sectionId)).join(', ')}`}
            />
            {canEdit && (
              // Only one who sees every member may change the group (the API refuses others).
              <button
                type="button"
                className="btn"
                disabled={!members.data || hidesMembers(r)}
                title={hidesMembers(r) ? 'It includes a section of another department' : undefined}
                onClick={() => setEditing(r)}
              >
                Edit
              </button>
            )}
          </li>
        ))}
      </ul>
      {editing && members.data && (
        <RelationshipDialog
          kind={editing.kind}
          termId={editing.termId}
          relationship={editing}
          sections={editing.members.map((m) => members.data!.found.get(m.sectionId)!).filter(Boolean)}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}

/**
 * The section's integration status (Section not synced / Pending / Synced successfully / Synced
 * with errors), shown only when the API reports one. While pending it polls
 * /sections/{id}/integration-status until the post settles; a click opens the details.
 */
function IntegrationBanner({ section }: { section: Section }) {
  const [open, setOpen] = useState(false);
  const status = useQuery({
    queryKey: ['integration-status', section.id, section.version],
    // What the save answered is fresh: show it (Pending, say) and poll from there.
    initialData: section.integrationStatus,
    initialDataUpdatedAt: () => Date.now(),
    staleTime: 500,
    queryFn: () => get<IntegrationStatusView>(`/api/v1/sections/${section.id}/integration-status`),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? 1000 : open ? 10_000 : false),
  });
  const view = status.data;
  if (!view) return null;
  return <IntegrationStatusButton view={view} subject="section" fieldLabels={LABELS} onOpenChange={setOpen} />;
}
