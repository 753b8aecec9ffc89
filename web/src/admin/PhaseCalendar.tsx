// The phase calendar: a term's phases on a timeline with the phase in force, and adding or
// removing a phase with per-role edit rules and what syncs while it is in force (its merge-settings
// overrides, which an existing phase can have edited too; GET/POST/PATCH/DELETE /api/v1/terms/{id}/phases).
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, fieldErrors, get, post } from '../api.ts';
import { useRoles, useTerms } from '../data.ts';
import { TermPicker, useSelectedTerm } from '../screens/TermPicker.tsx';
import { SECTION_FIELDS, type Phase, type PhaseMergeSettings, type RoleRule, type SectionField } from '../types.ts';
import { Alert, ErrorAlert, Field, institutionTime } from '../ui.tsx';
import { useCan } from '../session.tsx';
import { useInstitution } from './Institution.tsx';
import { describeSync, EditPhaseSync, overridesOf, PhaseSyncFields } from './PhaseSync.tsx';

const COLORS = ['bg-violet-300', 'bg-sky-300', 'bg-emerald-300', 'bg-amber-300', 'bg-rose-300', 'bg-teal-300'];

export function PhaseCalendar() {
  const client = useQueryClient();
  const terms = useTerms();
  const roles = useRoles();
  // Named beside each phase when this role may read it (the badge's tooltip names it too).
  const timeZone = useInstitution().data?.timeZone;
  const [term, setTerm] = useSelectedTerm();
  const [editing, setEditing] = useState<Phase | null>(null);
  // Without phases.edit the calendar is read-only: the API would refuse every change.
  const canEdit = useCan('phases.edit');
  const [notice, setNotice] = useState<string | null>(null);
  const phases = useQuery({
    queryKey: ['phases', term?.id],
    enabled: !!term,
    queryFn: async () => (await get<{ items: Phase[] }>(`/api/v1/terms/${term!.id}/phases`)).items,
  });
  const remove = useMutation({
    mutationFn: (p: Phase) => del(`/api/v1/terms/${p.termId}/phases/${p.id}?version=${p.version}`),
    onSuccess: () => phasesChanged(client),
  });
  const list = phases.data ?? [];
  const now = Date.now();
  const times = list.flatMap((p) => [Date.parse(p.startsAtInstant), Date.parse(p.endsAtInstant)]);
  const start = Math.min(...times, now);
  const end = Math.max(...times, now + 1);
  const pct = (t: number) => `${(((t - start) / (end - start)) * 100).toFixed(2)}%`;
  const roleName = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
  return (
    <section className="space-y-3" aria-labelledby="phases-h">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="phases-h" className="text-lg font-semibold">
          Phase calendar
        </h2>
        <TermPicker term={term} onChange={setTerm} terms={terms.data ?? []} />
      </div>
      {phases.error && <ErrorAlert error={phases.error} />}
      {remove.error && <ErrorAlert error={remove.error} />}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}
      {list.length === 0 && !phases.isPending && <Alert kind="info">This term has no phases: each role's own permissions apply.</Alert>}
      {list.length > 0 && (
        <div className="card">
          <div className="relative h-12 rounded bg-slate-100" aria-hidden="true">
            {list.map((p, i) => (
              <div
                key={p.id}
                className={`absolute top-1 bottom-1 overflow-hidden rounded px-1 text-xs leading-10 ${COLORS[i % COLORS.length]}`}
                style={{ left: pct(Date.parse(p.startsAtInstant)), width: `calc(${pct(Date.parse(p.endsAtInstant))} - ${pct(Date.parse(p.startsAtInstant))})` }}
                title={p.name}
              >
                {p.name}
              </div>
            ))}
            <div className="absolute top-0 bottom-0 w-0.5 bg-red-600" style={{ left: pct(now) }} title="Now" />
          </div>
          <p className="mt-1 text-xs text-slate-500">The red line is now.</p>
        </div>
      )}
      <ol className="space-y-2">
        {list.map((p, i) => {
          const current = Date.parse(p.startsAtInstant) <= now && now < Date.parse(p.endsAtInstant);
          return (
            <li key={p.id} className="card flex flex-wrap items-start gap-3" aria-label={`Phase ${p.name}`}>
              <span className={`mt-1 h-3 w-3 rounded-full ${COLORS[i % COLORS.length]}`} aria-hidden="true" />
              <div className="min-w-64 flex-1">
                <h3 className="font-semibold">
                  {p.name} {current && <span className="badge bg-violet-100 text-violet-900">in force now</span>}
                </h3>
                <p className="text-sm text-slate-600">
                  {p.startsAt.replace('T', ' ')} → {institutionTime(p.endsAt, timeZone)}
                </p>
                {p.description && <p className="text-sm">{p.description}</p>}
                <ul className="mt-1 text-sm">
                  {p.rules.length === 0 && <li className="text-slate-600">No role may change sections.</li>}
                  {p.rules.map((r) => (
                    <li key={r.roleId}>
                      <span className="font-medium">{roleName.get(r.roleId) ?? 'Role'}:</span>{' '}
                      {r.editableFields === 'all' ? 'all fields' : r.editableFields.length ? r.editableFields.join(', ') : 'no fields'}
                      {r.mayCreate && ', may create'}
                      {r.mayCancel && ', may cancel'}
                      {r.mayDelete && ', may delete'}
                      {r.mayEditRelationships && ', may edit relationships'}
                    </li>
                  ))}
                </ul>
                <p className="mt-1 text-sm" data-testid="phase-sync">
                  <span className="font-medium">Sync:</span> {describeSync(p.mergeSettings)}
                </p>
              </div>
              {canEdit && (
                <div className="flex shrink-0 gap-1">
                  <button
                    type="button"
                    className="btn"
                    onClick={() => {
                      setNotice(null);
                      setEditing(p);
                    }}
                  >
                    Edit sync <span className="sr-only">for {p.name}</span>
                  </button>
                  <button type="button" className="btn btn-danger" onClick={() => confirm(`Remove the phase “${p.name}”?`) && remove.mutate(p)}>
                    Remove <span className="sr-only">{p.name}</span>
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ol>
      {term && canEdit && <AddPhase termId={term.id} />}
      {editing && (
        <EditPhaseSync
          phase={editing}
          changed={() => phasesChanged(client)}
          onClose={(saved) => {
            setEditing(null);
            if (saved) setNotice(`Saved what syncs during “${saved.name}”: ${describeSync(saved.mergeSettings)}.`);
          }}
        />
      )}
    </section>
  );
}

function AddPhase({ termId }: { termId: string }) {
  const client = useQueryClient();
  const roles = useRoles();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [rules, setRules] = useState<Record<string, RoleRule>>({});
  const [sync, setSync] = useState<PhaseMergeSettings | null>(null);
  const create = useMutation({
    mutationFn: () =>
      post<Phase>(`/api/v1/terms/${termId}/phases`, { name, description, startsAt, endsAt, rules: Object.values(rules), mergeSettings: overridesOf(sync) }),
    onSuccess: () => {
      setName('');
      setDescription('');
      setRules({});
      setSync(null);
      phasesChanged(client);
    },
  });
  const errors = fieldErrors(create.error);
  const setRule = (roleId: string, rule: RoleRule | null) => {
    const next = { ...rules };
    if (rule) next[roleId] = rule;
    else delete next[roleId];
    setRules(next);
  };
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <form onSubmit={submit} className="card space-y-3" noValidate aria-labelledby="add-phase-h">
      <h3 id="add-phase-h" className="font-semibold">
        Add a phase
      </h3>
      {create.error && Object.keys(errors).length === 0 && <ErrorAlert error={create.error} />}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Room assignment" />}
        </Field>
        <Field label="Starts (institution time)" error={errors.startsAt}>
          {(p) => <input {...p} type="datetime-local" className="input" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />}
        </Field>
        <Field label="Ends (institution time)" error={errors.endsAt}>
          {(p) => <input {...p} type="datetime-local" className="input" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />}
        </Field>
        <Field label="Description" error={errors.description}>
          {(p) => <input {...p} className="input" value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </div>
      <fieldset>
        <legend className="font-medium">What each role may change during the phase (roles not ticked may change nothing)</legend>
        <div className="mt-1 space-y-2">
          {(roles.data ?? [])
            .filter((r) => r.permissions.includes('sections.edit') || r.permissions.includes('sections.create'))
            .map((r) => {
              const rule = rules[r.id];
              return (
                <div key={r.id} className="rounded border border-slate-200 p-2 text-sm">
                  <label className="flex items-center gap-2 font-medium">
                    <input
                      type="checkbox"
                      checked={!!rule}
                      onChange={(e) => setRule(r.id, e.target.checked ? { roleId: r.id, editableFields: 'all', mayCreate: false, mayCancel: false, mayDelete: false, mayEditRelationships: false } : null)}
                    />
                    {r.name}
                  </label>
                  {rule && (
                    <div className="mt-1 flex flex-wrap gap-x-3 gap-y-1 pl-6">
                      <label className="flex items-center gap-1">
                        <input type="checkbox" checked={rule.editableFields === 'all'} onChange={(e) => setRule(r.id, { ...rule, editableFields: e.target.checked ? 'all' : [] })} />
                        all fields
                      </label>
                      {rule.editableFields !== 'all' &&
                        SECTION_FIELDS.map((f) => {
                          const fields = rule.editableFields as SectionField[];
                          return (
                            <label key={f} className="flex items-center gap-1">
                              <input type="checkbox" checked={fields.includes(f)} onChange={(e) => setRule(r.id, { ...rule, editableFields: e.target.checked ? [...fields, f] : fields.filter((x) => x !== f) })} />
                              {f}
                            </label>
                          );
                        })}
                      {(['mayCreate', 'mayCancel', 'mayDelete', 'mayEditRelationships'] as const).map((k) => (
                        <label key={k} className="flex items-center gap-1">
                          <input type="checkbox" checked={rule[k]} onChange={(e) => setRule(r.id, { ...rule, [k]: e.target.checked })} />
                          {k.replace('may', 'may ').replace('EditRelationships', 'edit relationships').toLowerCase()}
                        </label>
                      ))}
                    </div>
                  )}
                </div>
              );
            })}
        </div>
        {Object.entries(errors)
          .filter(([f]) => f.startsWith('rules'))
          .map(([f, m]) => (
            <p key={f} className="field-error">
              {m}
            </p>
          ))}
      </fieldset>
      <PhaseSyncFields value={sync} onChange={setSync} errors={errors} />
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        Add phase
      </button>
    </form>
  );
}

/** A phase added, edited or removed changes the term's badge and the fields each role may edit now. */
function phasesChanged(client: QueryClient) {
  for (const key of ['phases', 'terms', 'editRules']) void client.invalidateQueries({ queryKey: [key] });
}
