// Execute Merge with a live progress bar (server-sent events from /api/v1/admin/merges/{id}/events)
// and the merge history. Shown only when the hub has the merge endpoints.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors, get, post } from '../api.ts';
import { useTerms } from '../data.ts';
import { Alert, ErrorAlert, localStamp } from '../ui.tsx';
import { AdminTable } from './AdminTable.tsx';

const TERM_TYPES = ['courses', 'sections', 'relationships'] as const;
const REFERENCE_TYPES = ['terms', 'buildings', 'rooms', 'departments', 'instructors'] as const;

interface RunItem {
  type: string;
  term: string | null;
  status: 'waiting' | 'running' | 'succeeded' | 'partial' | 'failed' | 'refused';
  fetched: number;
  counts: Record<string, number>;
  error: string | null;
}
interface Run {
  id: string;
  trigger: 'manual' | 'nightly' | 'real_time';
  actor: string;
  options: { types: string[]; terms: string[]; sendUpdates: boolean; dryRun: boolean };
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  items: RunItem[];
}

const STATUS_STYLE: Record<string, string> = {
  queued: 'bg-slate-100 text-slate-700',
  waiting: 'bg-slate-100 text-slate-700',
  running: 'bg-blue-100 text-blue-900',
  succeeded: 'bg-green-100 text-green-900',
  partial: 'bg-amber-100 text-amber-900',
  failed: 'bg-red-100 text-red-900',
  refused: 'bg-red-100 text-red-900',
};

export function Merges() {
  const [following, setFollowing] = useState<string | null>(null);
  return (
    <div className="space-y-6">
      <ExecuteMerge onStarted={setFollowing} />
      {following && <RunProgress runId={following} />}
      <MergeHistory onOpen={setFollowing} />
    </div>
  );
}

function ExecuteMerge({ onStarted }: { onStarted: (id: string) => void }) {
  const terms = useTerms();
  const [types, setTypes] = useState<string[]>(['sections']);
  const [termCodes, setTermCodes] = useState<string[]>([]);
  const [extraTerm, setExtraTerm] = useState('');
  const [options, setOptions] = useState({ sendUpdates: false, dryRun: false, allowEmpty: false, force: false });
  const start = useMutation({
    mutationFn: () =>
      post<{ id: string }>('/api/v1/admin/merges', { types, terms: [...new Set([...termCodes, ...(extraTerm.trim() ? [extraTerm.trim()] : [])])], ...options }),
    onSuccess: (res) => onStarted(res.id),
  });
  const errors = fieldErrors(start.error);
  const toggle = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));
  function submit(e: FormEvent) {
    e.preventDefault();
    start.mutate();
  }
  return (
    <form onSubmit={submit} className="card space-y-3" aria-labelledby="exec-h" noValidate>
      <h2 id="exec-h" className="text-lg font-semibold">
        Execute Merge
      </h2>
      <fieldset>
        <legend className="font-medium">Merge types</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {[...TERM_TYPES, ...REFERENCE_TYPES].map((t) => (
            <label key={t} className="flex items-center gap-1">
              <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(toggle(types, t, e.target.checked))} />
              {t}
            </label>
          ))}
        </div>
        {errors.types && <p className="field-error">{errors.types}</p>}
      </fieldset>
      <fieldset>
        <legend className="font-medium">Terms (for courses, sections and relationships)</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {(terms.data ?? []).map((t) => (
            <label key={t.id} className="flex items-center gap-1">
              <input type="checkbox" checked={termCodes.includes(t.code)} onChange={(e) => setTermCodes(toggle(termCodes, t.code, e.target.checked))} />
              {t.name} ({t.code})
            </label>
          ))}
        </div>
        <div className="mt-1 flex items-center gap-2">
          <label htmlFor="exec-term-code" className="text-sm">
            A term not yet in the hub (SIS code)
          </label>
          <input id="exec-term-code" className="input w-32" value={extraTerm} onChange={(e) => setExtraTerm(e.target.value)} placeholder="e.g. 202610" />
        </div>
        {errors.terms && <p className="field-error">{errors.terms}</p>}
      </fieldset>
      <fieldset>
        <legend className="font-medium">Options</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          {(
            [
              ['sendUpdates', 'Send updates (push pending changes after pulling)'],
              ['dryRun', 'Dry run (report only, write nothing)'],
              ['allowEmpty', 'Allow an empty SIS dataset'],
              ['force', 'Force past the deletion threshold'],
            ] as const
          ).map(([k, label]) => (
            <label key={k} className="flex items-center gap-1">
              <input type="checkbox" checked={options[k]} onChange={(e) => setOptions({ ...options, [k]: e.target.checked })} />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {start.error && <ErrorAlert error={start.error} />}
      <button type="submit" className="btn btn-primary" disabled={start.isPending || types.length === 0}>
        Execute Merge
      </button>
    </form>
  );
}

/** Follows one run over server-sent events; the bar counts finished type × term items. */
function RunProgress({ runId }: { runId: string }) {
  const client = useQueryClient();
  const [run, setRun] = useState<Run | null>(null);
  const [streamError, setStreamError] = useState<string | null>(null);
  useEffect(() => {
    setRun(null);
    setStreamError(null);
    const source = new EventSource(`/api/v1/admin/merges/${runId}/events`);
    const onData = (e: MessageEvent) => setRun(JSON.parse(e.data) as Run);
    source.addEventListener('progress', onData);
    source.addEventListener('done', (e) => {
      onData(e as MessageEvent);
      source.close();
      // A merge may have changed anything: terms, reference data, sections, the history.
      void client.invalidateQueries();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setStreamError('The progress stream closed.');
    };
    return () => source.close();
  }, [runId, client]);
  const total = run?.items.length ?? 0;
  const finished = run?.items.filter((i) => !['waiting', 'running'].includes(i.status)).length ?? 0;
  const percent = run?.finishedAt ? 100 : total ? Math.round((finished / total) * 100) : 0;
  return (
    <section className="card space-y-2" aria-labelledby="progress-h">
      <h2 id="progress-h" className="text-lg font-semibold">
        Merge {runId.slice(0, 8)} {run && <span className={`badge ${STATUS_STYLE[run.status]}`}>{run.status}</span>}
      </h2>
      {streamError && <Alert kind="warning">{streamError}</Alert>}
      <div className="flex items-center gap-2">
        <progress className="h-3 w-full" max={100} value={percent} aria-label="Merge progress" />
        <span className="w-12 text-right text-sm">{percent}%</span>
      </div>
      {run?.error && <Alert title="The merge failed">{run.error}</Alert>}
      <RunItems items={run?.items ?? []} />
      {run?.finishedAt && <RunReport runId={runId} />}
    </section>
  );
}

function RunItems({ items }: { items: RunItem[] }) {
  if (items.length === 0) return null;
  return (
    <AdminTable columns={['Type', 'Term', 'Status', 'Fetched', 'Counts']} plain>
      {items.map((i) => (
        <tr key={`${i.type}-${i.term}`} className="border-t border-slate-100 align-top">
          <td className="px-2 py-1">{i.type}</td>
          <td className="px-2 py-1">{i.term ?? '—'}</td>
          <td className="px-2 py-1">
            <span className={`badge ${STATUS_STYLE[i.status]}`}>{i.status}</span>
            {i.error && <p className="text-xs text-red-800">{i.error}</p>}
          </td>
          <td className="px-2 py-1">{i.fetched}</td>
          <td className="px-2 py-1">
            {Object.entries(i.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || '—'}
          </td>
        </tr>
      ))}
    </AdminTable>
  );
}

function MergeHistory({ onOpen }: { onOpen: (id: string) => void }) {
  const [status, setStatus] = useState('');
  const [trigger, setTrigger] = useState('');
  const runs = useQuery({
    queryKey: ['merges', status, trigger],
    queryFn: async () => (await get<{ items: Run[] }>(`/api/v1/admin/merges?limit=100${status ? `&status=${status}` : ''}${trigger ? `&trigger=${trigger}` : ''}`)).items,
    refetchInterval: 10_000,
  });
  return (
    <section className="space-y-2" aria-labelledby="history-h">
      <h2 id="history-h" className="text-lg font-semibold">
        Merge history
      </h2>
      <div className="flex flex-wrap gap-3">
        <div>
          <label htmlFor="mh-status" className="block font-medium">Status</label>
          <select id="mh-status" className="input w-40" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            {['queued', 'running', 'succeeded', 'partial', 'failed'].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="mh-trigger" className="block font-medium">Trigger</label>
          <select id="mh-trigger" className="input w-40" value={trigger} onChange={(e) => setTrigger(e.target.value)}>
            <option value="">Any</option>
            <option value="manual">Execute Merge</option>
            <option value="nightly">Nightly</option>
            <option value="real_time">Real time</option>
          </select>
        </div>
      </div>
      {runs.error && <ErrorAlert error={runs.error} />}
      {runs.data?.length === 0 && <Alert kind="info">No merges yet.</Alert>}
      <AdminTable columns={['Queued', 'Trigger', 'By', 'Types × terms', 'Status', { label: 'Actions', hidden: true }]}>
        {(runs.data ?? []).map((r) => (
          <tr key={r.id} className="border-t border-slate-100">
            <td className="px-3 py-2 whitespace-nowrap">{localStamp(r.queuedAt, { seconds: true })}</td>
            <td className="px-3 py-2">{r.trigger.replace('_', ' ')}</td>
            <td className="px-3 py-2">{r.actor}</td>
            <td className="px-3 py-2">
              {/* A run without merge types is a push batch (coursebridge push). */}
              {r.options.types.length ? r.options.types.join(', ') : 'push only'} {r.options.terms.length > 0 && `× ${r.options.terms.join(', ')}`}
              {r.options.dryRun && <span className="badge ml-1 bg-slate-100">dry run</span>}
            </td>
            <td className="px-3 py-2"><span className={`badge ${STATUS_STYLE[r.status]}`}>{r.status}</span></td>
            <td className="px-3 py-2 text-right">
              <button type="button" className="btn" onClick={() => onOpen(r.id)}>
                Details <span className="sr-only">of the merge queued {localStamp(r.queuedAt, { seconds: true })}</span>
              </button>
            </td>
          </tr>
        ))}
      </AdminTable>
    </section>
  );
}

interface Change {
  id: number;
  type: string;
  term: string | null;
  kind: 'created' | 'updated' | 'deleted' | 'conflict' | 'error';
  entityId: string | null;
  sisKey: string | null;
  label: string;
  fields: unknown[];
  message: string | null;
}
const KIND_STYLE: Record<Change['kind'], string> = {
  created: 'bg-green-100 text-green-900',
  updated: 'bg-blue-100 text-blue-900',
  deleted: 'bg-slate-200 text-slate-800',
  conflict: 'bg-amber-100 text-amber-900',
  error: 'bg-red-100 text-red-900',
};
const REPORT_PAGE = 200;

/** A field change or conflict in the report, in one line: "capacity: 30 → 35 (hub)". */
function fieldLine(f: unknown): string {
  if (!f || typeof f !== 'object') return String(f);
  const o = f as Record<string, unknown>;
  const v = (x: unknown) => (x === null || x === undefined ? '—' : typeof x === 'object' ? JSON.stringify(x) : String(x));
  const name = String(o.field ?? '?');
  if ('hub' in o || 'sis' in o) return `${name}: hub ${v(o.hub)} / SIS ${v(o.sis)}${o.resolvedBy === 'none' ? ' — no owner, not merged' : ` → ${v(o.resolvedBy)} wins`}`;
  return `${name}: ${v(o.before)} → ${v(o.after)}${o.source ? ` (${v(o.source)})` : ''}`;
}

/** The finished run's report: per-object changes, conflicts and errors, a page at a time, and the CSV. */
function RunReport({ runId }: { runId: string }) {
  const [kind, setKind] = useState('');
  const [after, setAfter] = useState<number[]>([]);
  const cursor = after[after.length - 1];
  const changes = useQuery({
    queryKey: ['merge-changes', runId, kind, cursor],
    queryFn: async () => (await get<{ items: Change[] }>(`/api/v1/admin/merges/${runId}/changes?limit=${REPORT_PAGE}${kind ? `&kind=${kind}` : ''}${cursor ? `&after=${cursor}` : ''}`)).items,
  });
  const items = changes.data ?? [];
  return (
    <section className="space-y-2" aria-labelledby={`report-h-${runId}`} data-testid="merge-report">
      <div className="flex flex-wrap items-end gap-3">
        <h3 id={`report-h-${runId}`} className="mr-auto font-semibold">
          Report
        </h3>
        <div>
          <label htmlFor={`report-kind-${runId}`} className="block text-sm font-medium">
            Show
          </label>
          <select
            id={`report-kind-${runId}`}
            className="input w-40"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setAfter([]);
            }}
          >
            <option value="">Everything</option>
            {(['created', 'updated', 'deleted', 'conflict', 'error'] as const).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <a className="btn" href={`/api/v1/admin/merges/${runId}/report.csv`}>
          Download the report (CSV)
        </a>
      </div>
      {changes.error && <ErrorAlert error={changes.error} />}
      {changes.data && items.length === 0 && <p className="text-sm text-slate-600">{after.length ? 'No more rows.' : 'Nothing changed.'}</p>}
      {items.length > 0 && (
        <div className="max-h-96 overflow-auto rounded border border-slate-200">
          <table className="w-full text-sm">
            <thead className="sticky top-0 bg-slate-100 text-left">
              <tr>
                <th scope="col" className="px-2 py-1">What</th>
                <th scope="col" className="px-2 py-1">Record</th>
                <th scope="col" className="px-2 py-1">Type × term</th>
                <th scope="col" className="px-2 py-1">Fields / message</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} className="border-t border-slate-100 align-top" data-change-kind={c.kind}>
                  <td className="px-2 py-1">
                    <span className={`badge ${KIND_STYLE[c.kind]}`}>{c.kind}</span>
                  </td>
                  <td className="px-2 py-1">{c.label}</td>
                  <td className="px-2 py-1 whitespace-nowrap">
                    {c.type}
                    {c.term ? ` × ${c.term}` : ''}
                  </td>
                  <td className="px-2 py-1 text-xs">
                    {c.fields.length > 0 && (
                      <ul className="font-mono">
                        {c.fields.map((f, i) => (
                          <li key={i}>{fieldLine(f)}</li>
                        ))}
                      </ul>
                    )}
                    {c.message && <p className={c.kind === 'error' ? 'text-red-800' : ''}>{c.message}</p>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="flex gap-2">
        {after.length > 0 && (
          <button type="button" className="btn" onClick={() => setAfter(after.slice(0, -1))}>
            Previous
          </button>
        )}
        {items.length === REPORT_PAGE && (
          <button type="button" className="btn" onClick={() => setAfter([...after, items[items.length - 1].id])}>
            Next {REPORT_PAGE}
          </button>
        )}
      </div>
    </section>
  );
}
