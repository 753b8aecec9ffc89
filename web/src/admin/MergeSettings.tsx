// Merge settings (GET/PUT /api/v1/admin/merge-settings): per merge type on/off, enabled terms,
// source of truth with per-field exceptions, real-time and nightly; the nightly time (read in the
// institution's time zone, edited beside it in Institution.tsx) and deletion threshold; the
// maintenance switch (POST /api/v1/admin/maintenance, comment required); and the version history
// with what each version changed. A save sends the version it read: a 409 shows what the other
// person changed and offers to re-apply ours.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, get, post, put } from '../api.ts';
import { useTerms } from '../data.ts';
import { Alert, ErrorAlert, Field, localStamp } from '../ui.tsx';
import { AdminTable } from './AdminTable.tsx';
import { InstitutionSettings, useInstitution } from './Institution.tsx';
import { SOURCE_LABELS, type SourceOfTruth } from '../types.ts';

export const MERGE_TYPES = ['terms', 'buildings', 'rooms', 'departments', 'instructors', 'courses', 'sections', 'relationships'] as const;
export type MergeType = (typeof MERGE_TYPES)[number];
const TERM_SPECIFIC: readonly MergeType[] = ['courses', 'sections', 'relationships'];
/** Field names each type's merge compares (src/sync/fields.ts), offered for exceptions. */
const TYPE_FIELDS: Record<MergeType, string[]> = {
  terms: ['name', 'startsOn', 'endsOn', 'parts'],
  buildings: ['name', 'campus'],
  rooms: ['capacity', 'active'],
  departments: ['name'],
  instructors: ['name', 'email', 'departmentKey'],
  courses: ['title', 'credits', 'departmentKey', 'description'],
  sections: ['sectionNumber', 'component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'meetings', 'instructors'],
  relationships: ['kind', 'sharedCapacity', 'members'],
};

interface TypeSettings {
  enabled: boolean;
  enabledTerms: string[];
  sourceOfTruth: SourceOfTruth;
  fieldExceptions: Record<string, SourceOfTruth>;
  realTime: boolean;
  nightly: boolean;
}
export interface MergeSettingsDoc {
  types: Record<MergeType, TypeSettings>;
  nightlyTime: string;
  maintenance: { on: boolean; comment: string | null };
  deletionThreshold: number;
  removeEndedTerms: boolean;
}
export interface SettingsView {
  version: number;
  settings: MergeSettingsDoc;
  warnings: string[];
}
interface HistoryItem {
  version: number;
  settings: MergeSettingsDoc;
  actor: string;
  comment: string | null;
  at: string;
}

export const useMergeSettings = () => useQuery({ queryKey: ['merge-settings'], queryFn: () => get<SettingsView>('/api/v1/admin/merge-settings') });

// Settings as flat paths ("types.sections.realTime"): for history diffs and re-applying a stale edit.
type Flat = Record<string, unknown>;
function flatten(value: unknown, prefix = '', out: Flat = {}): Flat {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
function changedPaths(before: Flat, after: Flat): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k])).sort();
}
function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (!node[p] || typeof node[p] !== 'object') node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}
const show = (v: unknown) => (v === undefined ? '(none)' : v === null ? '—' : Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : String(v));
export function describeChanges(before: MergeSettingsDoc | undefined, after: MergeSettingsDoc): string[] {
  if (!before) return [];
  const a = flatten(before);
  const b = flatten(after);
  return changedPaths(a, b).map((p) => `${p}: ${show(a[p])} → ${show(b[p])}`);
}

export function MergeSettings() {
  const current = useMergeSettings();
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <div className="space-y-6">
      {current.error && <ErrorAlert error={current.error} />}
      {current.isPending && <p>Loading merge settings…</p>}
      {current.data && (
        <>
          <Maintenance view={current.data} />
          <InstitutionSettings />
          {/* Re-mount the editor on each new version so the draft starts from what was saved. */}
          <SettingsEditor key={current.data.version} view={current.data} saved={saved} setSaved={setSaved} />
        </>
      )}
      <SettingsHistory />
    </div>
  );
}

function Maintenance({ view }: { view: SettingsView }) {
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const on = view.settings.maintenance.on;
  const toggle = useMutation({
    mutationFn: () => post<SettingsView>('/api/v1/admin/maintenance', { on: !on, comment }),
    onSuccess: (next) => {
      client.setQueryData(['merge-settings'], next);
      void client.invalidateQueries({ queryKey: ['merge-settings-history'] });
      setComment('');
    },
  });
  const errors = fieldErrors(toggle.error);
  function submit(e: FormEvent) {
    e.preventDefault();
    toggle.mutate();
  }
  return (
    <form onSubmit={submit} className={`card space-y-2 ${on ? 'border-amber-400' : ''}`} aria-labelledby="maint-h" noValidate>
      <h2 id="maint-h" className="text-lg font-semibold">
        Maintenance{' '}
        <span className={`badge ${on ? 'bg-amber-100 text-amber-900' : 'bg-green-100 text-green-900'}`} data-testid="maintenance-state">
          {on ? 'sync paused' : 'sync running'}
        </span>
      </h2>
      {on ? (
        <Alert kind="warning" title="Real-time and nightly sync are paused">
          {view.settings.maintenance.comment && <p>{view.settings.maintenance.comment}</p>}
          <p>Edits keep their place in the queue and are posted once sync resumes.</p>
        </Alert>
      ) : (
        <p className="text-sm text-slate-600">Pause real-time and nightly sync while the SIS is down for maintenance. The comment is kept in the history.</p>
      )}
      <Field label={on ? 'Comment (why sync resumes)' : 'Comment (why sync pauses)'} error={errors.comment}>
        {(p) => <textarea {...p} className="input" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} required />}
      </Field>
      {toggle.error && !errors.comment && <ErrorAlert error={toggle.error} />}
      <button type="submit" className={on ? 'btn btn-primary' : 'btn btn-danger'} disabled={toggle.isPending}>
        {on ? 'Resume sync' : 'Pause sync for maintenance'}
      </button>
    </form>
  );
}

function SettingsEditor({ view, saved, setSaved }: { view: SettingsView; saved: string | null; setSaved: (s: string | null) => void }) {
  const client = useQueryClient();
  const terms = useTerms();
  const timeZone = useInstitution().data?.timeZone;
  const [base, setBase] = useState<SettingsView>(view);
  const [draft, setDraft] = useState<MergeSettingsDoc>(() => structuredClone(view.settings));
  const [comment, setComment] = useState('');
  const [stale, setStale] = useState<{ current: { version: number; settings: MergeSettingsDoc }; theirs: string[]; mine: string[] } | null>(null);
  const changes = useMemo(() => describeChanges(base.settings, draft), [base, draft]);

  const save = useMutation({
    mutationFn: () => put<SettingsView>('/api/v1/admin/merge-settings', { version: base.version, settings: draft, comment: comment.trim() || null }),
    onSuccess: (next) => {
      setSaved(`Saved — version ${next.version}.`);
      client.setQueryData(['merge-settings'], next);
      void client.invalidateQueries({ queryKey: ['merge-settings-history'] });
    },
    onError: (error) => {
      setSaved(null);
      const current = error instanceof ApiError && error.status === 409 ? (error.problem.current as { version: number; settings: MergeSettingsDoc } | undefined) : undefined;
      if (current) {
        const mine = changedPaths(flatten(base.settings), flatten(draft));
        setStale({ current, theirs: describeChanges(base.settings, current.settings), mine });
      }
    },
  });
  const isStale = save.error instanceof ApiError && save.error.status === 409;
  const errors = isStale ? {} : fieldErrors(save.error);
  const err = (field: string) => errors[`settings.${field}`] ?? errors[field];
  const shown = new Set(['settings.nightlyTime', 'settings.deletionThreshold', 'comment']);
  const otherErrors = Object.entries(errors).filter(([f]) => !shown.has(f) && !f.startsWith('settings.types.') && !f.startsWith('types.'));
  const typeErrors = Object.entries(errors).filter(([f]) => f.startsWith('settings.types.') || f.startsWith('types.'));

  const setType = (t: MergeType, patch: Partial<TypeSettings>) => setDraft((d) => ({ ...d, types: { ...d.types, [t]: { ...d.types[t], ...patch } } }));

  /** Re-applies my edits onto the version saved meanwhile; the next save sends that version. */
  function reapply() {
    if (!stale) return;
    const mine = flatten(draft);
    const next = structuredClone(stale.current.settings) as unknown as Record<string, unknown>;
    for (const p of stale.mine) setPath(next, p, mine[p]);
    setBase({ version: stale.current.version, settings: stale.current.settings, warnings: base.warnings });
    setDraft(next as unknown as MergeSettingsDoc);
    setStale(null);
    save.reset();
  }
  function takeTheirs() {
    if (!stale) return;
    setBase({ version: stale.current.version, settings: stale.current.settings, warnings: base.warnings });
    setDraft(structuredClone(stale.current.settings));
    setStale(null);
    save.reset();
    void client.invalidateQueries({ queryKey: ['merge-settings'] });
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (changes.length === 0) {
      setSaved('Nothing to save.');
      return;
    }
    save.mutate();
  }

  const hubTermCodes = (terms.data ?? []).map((t) => t.code);
  return (
    <form onSubmit={submit} className="card space-y-4" aria-labelledby="settings-h" noValidate>
      <div className="flex flex-wrap items-baseline gap-2">
        <h2 id="settings-h" className="text-lg font-semibold">
          Merge settings
        </h2>
        <span className="text-xs text-slate-500">version {base.version}</span>
      </div>
      {base.warnings.map((w) => (
        <Alert key={w} kind="warning">
          {w}
        </Alert>
      ))}

      <fieldset className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <legend className="mb-1 font-medium">Schedule and safeguards</legend>
        <Field label="Nightly time" error={err('nightlyTime')} hint={`24-hour HH:MM, institution time${timeZone ? ` (${timeZone})` : ''}`}>
          {(p) => <input {...p} className="input" inputMode="numeric" placeholder="02:00" value={draft.nightlyTime} onChange={(e) => setDraft({ ...draft, nightlyTime: e.target.value })} />}
        </Field>
        <Field label="Deletion threshold (%)" error={err('deletionThreshold')} hint="A merge deleting more of a term's records than this refuses unless forced">
          {(p) => (
            <input
              {...p}
              className="input"
              type="number"
              min={0}
              max={100}
              step={1}
              value={Math.round(draft.deletionThreshold * 1000) / 10}
              onChange={(e) => setDraft({ ...draft, deletionThreshold: e.target.value === '' ? 0 : Number(e.target.value) / 100 })}
            />
          )}
        </Field>
        <div className="flex items-end pb-1">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={draft.removeEndedTerms} onChange={(e) => setDraft({ ...draft, removeEndedTerms: e.target.checked })} />
            Drop ended terms from enabled terms
          </label>
        </div>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="font-medium">Merge types</legend>
        <AdminTable columns={['Type', 'Enabled', 'Real time', 'Nightly', 'Source of truth', 'Field exceptions', 'Enabled terms']} plain>
          {MERGE_TYPES.map((t) => (
            <TypeRow key={t} type={t} value={draft.types[t]} onChange={(patch) => setType(t, patch)} hubTermCodes={hubTermCodes} error={errors[`settings.types.${t}.enabledTerms`]} />
          ))}
        </AdminTable>
        {typeErrors.map(([f, m]) => (
          <p key={f} className="field-error" data-field-error>
            {m}
          </p>
        ))}
        <p className="text-xs text-slate-500">
          Real time posts a section or relationship to the SIS when it is saved; only sections and relationships are ever posted. The source of truth decides a field both sides changed since the last merge.
        </p>
      </fieldset>

      <Field label="Comment for the history" error={errors.comment} hint="Optional: why this change">
        {(p) => <input {...p} className="input" value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>

      {stale && (
        <div className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950" role="alert" data-testid="settings-conflict">
          <p className="font-semibold">
            Someone saved the merge settings meanwhile (version {base.version} → {stale.current.version}).
          </p>
          <p>They changed:</p>
          <ul className="list-disc pl-5 font-mono text-xs">
            {stale.theirs.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p>You changed: {stale.mine.join(', ')}.</p>
          <div className="flex flex-wrap gap-2">
            <button type="button" className="btn" onClick={reapply}>
              Apply my changes to version {stale.current.version}
            </button>
            <button type="button" className="btn" onClick={takeTheirs}>
              Discard mine and load version {stale.current.version}
            </button>
          </div>
        </div>
      )}
      {otherErrors.length > 0 && (
        <Alert title="The settings were not saved">
          <ul>
            {otherErrors.map(([f, m]) => (
              <li key={f}>
                {f}: {m}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {save.error && !isStale && Object.keys(errors).length === 0 && <ErrorAlert error={save.error} />}
      {changes.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer">
            Unsaved: {changes.length} change{changes.length > 1 ? 's' : ''}
          </summary>
          <ul className="list-disc pl-5 font-mono text-xs">
            {changes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </details>
      )}
      <div className="flex items-center gap-3">
        <button type="submit" className="btn btn-primary" disabled={save.isPending || !!stale}>
          Save settings
        </button>
        {saved && (
          <span role="status" className="text-sm text-green-800">
            {saved}
          </span>
        )}
      </div>
    </form>
  );
}

function TypeRow({
  type,
  value,
  onChange,
  hubTermCodes,
  error,
}: {
  type: MergeType;
  value: TypeSettings;
  onChange: (patch: Partial<TypeSettings>) => void;
  hubTermCodes: string[];
  error?: string;
}) {
  const termSpecific = TERM_SPECIFIC.includes(type);
  const check = (key: 'enabled' | 'realTime' | 'nightly', label: string, disabled = false) => (
    <label className="flex items-center gap-1">
      <input type="checkbox" checked={value[key]} disabled={disabled} onChange={(e) => onChange({ [key]: e.target.checked })} aria-label={`${label}: ${type}`} />
      <span className="sr-only">{label}</span>
    </label>
  );
  return (
    <tr className="border-t border-slate-100 align-top" data-merge-type={type}>
      <th scope="row" className="px-2 py-2 text-left font-medium">
        {type}
        {termSpecific && <span className="block text-xs font-normal text-slate-500">per term</span>}
      </th>
      <td className="px-2 py-2">{check('enabled', 'Enabled')}</td>
      <td className="px-2 py-2">{check('realTime', 'Real time', type !== 'sections' && type !== 'relationships' && !value.realTime)}</td>
      <td className="px-2 py-2">{check('nightly', 'Nightly')}</td>
      <td className="px-2 py-2">
        <select
          className="input w-40"
          aria-label={`Source of truth: ${type}`}
          value={value.sourceOfTruth}
          onChange={(e) => onChange({ sourceOfTruth: e.target.value as SourceOfTruth })}
        >
          {(Object.keys(SOURCE_LABELS) as SourceOfTruth[]).map((s) => (
            <option key={s} value={s}>
              {SOURCE_LABELS[s]}
            </option>
          ))}
        </select>
      </td>
      <td className="px-2 py-2">
        <Exceptions type={type} value={value.fieldExceptions} onChange={(fieldExceptions) => onChange({ fieldExceptions })} />
      </td>
      <td className="px-2 py-2">
        {termSpecific ? (
          <TermCodes type={type} value={value.enabledTerms} onChange={(enabledTerms) => onChange({ enabledTerms })} hubTermCodes={hubTermCodes} />
        ) : (
          <span className="text-xs text-slate-500">all (reference data)</span>
        )}
        {error && <p className="field-error">{error}</p>}
      </td>
    </tr>
  );
}

function Exceptions({ type, value, onChange }: { type: MergeType; value: Record<string, SourceOfTruth>; onChange: (v: Record<string, SourceOfTruth>) => void }) {
  const [field, setField] = useState('');
  const free = TYPE_FIELDS[type].filter((f) => !(f in value));
  return (
    <div className="space-y-1">
      <ul className="space-y-1">
        {Object.entries(value).map(([f, owner]) => (
          <li key={f} className="flex items-center gap-1">
            <span className="w-28 truncate font-mono text-xs" title={f}>
              {f}
            </span>
            <select className="input w-32 py-0.5 text-xs" aria-label={`Exception ${type}.${f}`} value={owner} onChange={(e) => onChange({ ...value, [f]: e.target.value as SourceOfTruth })}>
              {(Object.keys(SOURCE_LABELS) as SourceOfTruth[]).map((s) => (
                <option key={s} value={s}>
                  {SOURCE_LABELS[s]}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn px-1.5 py-0.5 text-xs"
              aria-label={`Remove exception ${type}.${f}`}
              onClick={() => {
                const next = { ...value };
                delete next[f];
                onChange(next);
              }}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      {free.length > 0 && (
        <div className="flex items-center gap-1">
          <select className="input w-32 py-0.5 text-xs" aria-label={`New exception field: ${type}`} value={field} onChange={(e) => setField(e.target.value)}>
            <option value="">Add a field…</option>
            {free.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn px-1.5 py-0.5 text-xs"
            disabled={!field}
            onClick={() => {
              onChange({ ...value, [field]: 'hub' });
              setField('');
            }}
          >
            Add
          </button>
        </div>
      )}
    </div>
  );
}

/** The term picker: terms the hub knows as checkboxes, plus a code the SIS knows but the hub has not imported yet. */
function TermCodes({ type, value, onChange, hubTermCodes }: { type: MergeType; value: string[]; onChange: (v: string[]) => void; hubTermCodes: string[] }) {
  const [extra, setExtra] = useState('');
  const codes = [...new Set([...hubTermCodes, ...value])].sort();
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap gap-x-3 gap-y-1">
        {codes.map((c) => (
          <label key={c} className="flex items-center gap-1 text-xs">
            <input type="checkbox" checked={value.includes(c)} onChange={(e) => onChange(e.target.checked ? [...value, c] : value.filter((x) => x !== c))} aria-label={`${type}: term ${c}`} />
            {c}
          </label>
        ))}
      </div>
      <div className="flex items-center gap-1">
        <input className="input w-28 py-0.5 text-xs" aria-label={`Add a term code: ${type}`} placeholder="term code" value={extra} onChange={(e) => setExtra(e.target.value)} />
        <button
          type="button"
          className="btn px-1.5 py-0.5 text-xs"
          disabled={!extra.trim() || value.includes(extra.trim())}
          onClick={() => {
            onChange([...value, extra.trim()]);
            setExtra('');
          }}
        >
          Add
        </button>
      </div>
    </div>
  );
}

function SettingsHistory() {
  const history = useQuery({
    queryKey: ['merge-settings-history'],
    queryFn: async () => (await get<{ items: HistoryItem[] }>('/api/v1/admin/merge-settings/history')).items,
  });
  const items = history.data ?? [];
  return (
    <section className="space-y-2" aria-labelledby="settings-history-h">
      <h2 id="settings-history-h" className="text-lg font-semibold">
        Version history
      </h2>
      {history.error && <ErrorAlert error={history.error} />}
      {history.data?.length === 0 && <Alert kind="info">The settings have never been saved; the defaults are in force.</Alert>}
      <AdminTable columns={['Version', 'When', 'Who', 'Comment', 'Changes']} testId="settings-history">
        {items.map((h, i) => {
          const changes = describeChanges(items[i + 1]?.settings, h.settings);
          return (
            <tr key={h.version} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">{h.version}</td>
              <td className="px-3 py-2 whitespace-nowrap">{localStamp(h.at)}</td>
              <td className="px-3 py-2">{h.actor}</td>
              <td className="px-3 py-2">{h.comment ?? <span className="text-slate-400">—</span>}</td>
              <td className="px-3 py-2 font-mono text-xs">
                {items[i + 1] ? (
                  changes.length ? (
                    <ul>
                      {changes.slice(0, 8).map((c) => (
                        <li key={c}>{c}</li>
                      ))}
                      {changes.length > 8 && <li>… and {changes.length - 8} more</li>}
                    </ul>
                  ) : (
                    'no change'
                  )
                ) : (
                  <span className="font-sans text-slate-500">first saved version</span>
                )}
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </section>
  );
}
