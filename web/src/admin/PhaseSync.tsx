// What syncs for a term while one of its phases is in force: the phase's merge-settings overrides
// (`mergeSettings` on a phase, src/domain/phases.ts), chosen when a phase is added and edited on an
// existing one (PATCH with the version read; a 409 shows what was saved meanwhile and asks again).
// A setting left "As merge settings" is not sent; no override at all is sent as null.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, patch } from '../api.ts';
import type { Phase, PhaseMergeSettings } from '../types.ts';
import { Alert, Dialog, ErrorAlert, Field } from '../ui.tsx';


const SWITCHES = [
  { key: 'realTime', label: 'Real-time posting', short: 'Real-time' },
  { key: 'nightly', label: 'Nightly sync', short: 'Nightly' },
  { key: 'sendUpdates', label: 'Nightly sends updates', short: 'Send Updates' },
] as const;
type TermType = NonNullable<PhaseMergeSettings['mergeTypes']>[number];
// The web bundle does not load the domain's zod schemas, so the term-specific types are named here.
const TERM_TYPES: readonly TermType[] = ['courses', 'sections', 'relationships'];
const list = new Intl.ListFormat('en', { type: 'conjunction' });

/** The overrides to send: null when there are none, no `mergeTypes` when every term type syncs. */
export function overridesOf(draft: PhaseMergeSettings | null): PhaseMergeSettings | null {
  const out: PhaseMergeSettings = {};
  for (const { key } of SWITCHES) if (draft?.[key] !== undefined) out[key] = draft[key];
  const types = draft?.mergeTypes;
  if (types && TERM_TYPES.some((t) => !types.includes(t))) out.mergeTypes = TERM_TYPES.filter((t) => types.includes(t));
  return Object.keys(out).length ? out : null;
}

/** "Real-time off · Nightly on · Only sections sync", or "As merge settings". */
export function describeSync(settings: PhaseMergeSettings | null): string {
  const o = overridesOf(settings);
  if (!o) return 'As merge settings';
  const parts: string[] = SWITCHES.filter(({ key }) => o[key] !== undefined).map(({ key, short }) => `${short} ${o[key] ? 'on' : 'off'}`);
  if (o.mergeTypes) parts.push(o.mergeTypes.length ? `Only ${list.format(o.mergeTypes)} sync` : 'No term types sync');
  return parts.join(' · ');
}

/** The "Sync during this phase" group; `errors` are the form's field errors (mergeSettings.* are shown here). */
export function PhaseSyncFields({ value, onChange, errors }: { value: PhaseMergeSettings | null; onChange: (v: PhaseMergeSettings) => void; errors: Record<string, string> }) {
  const v = value ?? {};
  const types = v.mergeTypes ?? TERM_TYPES;
  const typeErrors = Object.entries(errors).filter(([f]) => f === 'mergeSettings' || f.startsWith('mergeSettings.mergeTypes'));
  return (
    <fieldset className="space-y-2">
      <legend className="font-medium">Sync during this phase</legend>
      <p className="text-xs text-slate-500">
        For this term only, while the phase is in force; “As merge settings” follows the Merge settings tab. A merge or Send Updates started by hand is not held back.
      </p>
      <div className="grid gap-3 sm:grid-cols-3">
        {SWITCHES.map(({ key, label }) => (
          <Field key={key} label={label} error={errors[`mergeSettings.${key}`]}>
            {(p) => (
              <select
                {...p}
                className="input"
                value={v[key] === undefined ? '' : v[key] ? 'on' : 'off'}
                onChange={(e) => onChange({ ...v, [key]: e.target.value === '' ? undefined : e.target.value === 'on' })}
              >
                <option value="">As merge settings</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>
            )}
          </Field>
        ))}
      </div>
      <fieldset>
        <legend className="font-medium text-slate-700">Term types that sync</legend>
        <div className="flex flex-wrap gap-x-3">
          {TERM_TYPES.map((t) => (
            <label key={t} className="flex items-center gap-1 text-sm">
              <input type="checkbox" checked={types.includes(t)} onChange={(e) => onChange({ ...v, mergeTypes: e.target.checked ? [...types, t] : types.filter((x) => x !== t) })} />
              {t}
            </label>
          ))}
        </div>
        <p className="mt-0.5 text-xs text-slate-500">All ticked: as merge settings. A type left out waits for the phase to end.</p>
        {typeErrors.map(([f, m]) => (
          <p key={f} className="field-error" data-field-error>
            {m}
          </p>
        ))}
      </fieldset>
    </fieldset>
  );
}

/**
 * Edits an existing phase's overrides. `changed` is called whenever the phase is found changed on
 * the hub — saved here, or by someone else meanwhile (409): then the dialog says what they saved,
 * keeps the admin's choices and sends the current version on the next save.
 */
export function EditPhaseSync({ phase, changed, onClose }: { phase: Phase; changed: () => void; onClose: (saved?: Phase) => void }) {
  const [draft, setDraft] = useState<PhaseMergeSettings | null>(phase.mergeSettings);
  const [version, setVersion] = useState(phase.version);
  const [stale, setStale] = useState<Phase | null>(null);
  const save = useMutation({
    mutationFn: () => patch<Phase>(`/api/v1/terms/${phase.termId}/phases/${phase.id}`, { version, mergeSettings: overridesOf(draft) }),
    onMutate: () => setStale(null),
    onSuccess: (saved) => {
      changed();
      onClose(saved);
    },
    onError: (error) => {
      const current = error instanceof ApiError && error.status === 409 ? (error.problem.current as Phase | undefined) : undefined;
      if (!current) return;
      setVersion(current.version);
      setStale(current);
      changed();
    },
  });
  const errors = stale ? {} : fieldErrors(save.error);
  const unshown = Object.keys(errors).filter((f) => !f.startsWith('mergeSettings'));
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  const title = `Sync during “${phase.name}”`;
  return (
    <Dialog title={title} open onClose={() => onClose()} wide>
      <form onSubmit={submit} className="space-y-3" noValidate aria-label={title}>
        {stale && (
          <Alert kind="warning" title="Edited meanwhile">
            <p>
              Someone else saved this phase since you opened it (now version {stale.version}). Its sync is now: {describeSync(stale.mergeSettings)}.
            </p>
            <p>Your choices below are kept: save again to put them in place of theirs, or cancel to keep theirs.</p>
          </Alert>
        )}
        {save.error && !stale && (Object.keys(errors).length === 0 || unshown.length > 0) && <ErrorAlert error={save.error} />}
        <PhaseSyncFields value={draft} onChange={setDraft} errors={errors} />
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save sync
          </button>
        </div>
      </form>
    </Dialog>
  );
}
