// Sync health at a glance, from JSON APIs only: the merge settings (maintenance, what syncs and
// when, in the institution's time zone), the last nightly run, records in error now (integration health), and errors per day over
// the last 30 days counted from the merge history, and — from GET /api/v1/admin/integration-summary
// when the hub serves it — jobs waiting per queue and sections per integration status. Times and
// days are the institution's, like the nightly time: a run just after its midnight belongs to the
// institution's new day, whatever the browser's zone.
import { useQuery } from '@tanstack/react-query';
import { addDays, instantToLocal } from '../../../src/domain/zoned-time.ts';
import { get } from '../api.ts';
import { INTEGRATION_LABELS, useCapabilities } from '../data.ts';
import { Link } from '../router.tsx';
import { Alert, ErrorAlert, instantInInstitution } from '../ui.tsx';
import { useInstitution } from './Institution.tsx';
import { useIntegrationHealth, type HealthItem } from './IntegrationHealth.tsx';
import { MERGE_TYPES, useMergeSettings } from './MergeSettings.tsx';

interface RunItem {
  type: string;
  term: string | null;
  status: string;
  counts: Record<string, number>;
  error: string | null;
}
interface Run {
  id: string;
  trigger: 'manual' | 'nightly' | 'real_time';
  status: string;
  queuedAt: string;
  finishedAt: string | null;
  error: string | null;
  items: RunItem[];
}

interface IntegrationSummary {
  queues: { name: string; depth: number }[];
  sectionsByStatus: Record<string, number>;
  sectionsTotal: number;
}

const DAY = 86_400_000;
/** Errors a run met: object errors and conflicts in its report, plus items that failed or were refused. */
export function runErrors(run: Run): number {
  let n = run.status === 'failed' && run.items.length === 0 ? 1 : 0;
  for (const i of run.items) n += (i.counts.errors ?? 0) + (i.counts.conflicts ?? 0) + (i.status === 'failed' || i.status === 'refused' ? 1 : 0);
  return n;
}
/** The calendar day 'YYYY-MM-DD' of an instant in `timeZone` (the browser's when it is not known). */
function dayOf(instant: Date, timeZone: string | undefined): string {
  if (timeZone) return instantToLocal(instant, timeZone).slice(0, 10);
  return `${instant.getFullYear()}-${String(instant.getMonth() + 1).padStart(2, '0')}-${String(instant.getDate()).padStart(2, '0')}`;
}

/** The merge history of the last 30 days (pages of 200 through `before`, at most 10 pages). */
function useRecentRuns() {
  return useQuery({
    queryKey: ['merges', 'last-30-days'],
    refetchInterval: 30_000,
    queryFn: async () => {
      const since = Date.now() - 30 * DAY;
      const runs: Run[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const { items } = await get<{ items: Run[] }>(`/api/v1/admin/merges?limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`);
        runs.push(...items.filter((r) => Date.parse(r.queuedAt) >= since));
        if (items.length < 200 || Date.parse(items[items.length - 1].queuedAt) < since) break;
        before = items[items.length - 1].queuedAt;
      }
      return runs;
    },
  });
}

export function SyncDashboard() {
  const capabilities = useCapabilities();
  const hasHealth = capabilities.data?.has('get', '/api/v1/admin/integration-health') ?? false;
  const hasSummary = capabilities.data?.has('get', '/api/v1/admin/integration-summary') ?? false;
  const settings = useMergeSettings();
  const institution = useInstitution();
  // A role that may not read admin/institution gets the browser's zone, labelled as such.
  const timeZone = institution.data?.timeZone;
  const runs = useRecentRuns();
  const health = useIntegrationHealth(true);
  const nightly = useQuery({
    queryKey: ['merges', 'last-nightly'],
    queryFn: async () => (await get<{ items: Run[] }>('/api/v1/admin/merges?trigger=nightly&limit=1')).items[0] ?? null,
    refetchInterval: 30_000,
  });
  const s = settings.data?.settings;
  const realTime = s ? MERGE_TYPES.filter((t) => s.types[t].enabled && s.types[t].realTime) : [];
  const nightlyTypes = s ? MERGE_TYPES.filter((t) => s.types[t].enabled && s.types[t].nightly) : [];
  const terms = s ? [...new Set([...s.types.sections.enabledTerms, ...s.types.relationships.enabledTerms, ...s.types.courses.enabledTerms])].sort() : [];

  return (
    <div className="space-y-4">
      <h2 className="text-lg font-semibold">Sync dashboard</h2>
      {settings.error && <ErrorAlert error={settings.error} />}
      {s?.maintenance.on && (
        <Alert kind="warning" title="Sync is paused for maintenance">
          {s.maintenance.comment}
        </Alert>
      )}
      <div className="grid gap-3 md:grid-cols-3">
        <section className="card space-y-1" aria-labelledby="dash-nightly" data-testid="dash-last-nightly">
          <h3 id="dash-nightly" className="font-semibold">
            Last nightly
          </h3>
          {nightly.error && <ErrorAlert error={nightly.error} />}
          {nightly.data === null && <p className="text-sm text-slate-600">No nightly run yet.</p>}
          {nightly.data && <RunSummary run={nightly.data} timeZone={timeZone} />}
          {s && (
            <p className="text-xs text-slate-500">
              Nightly at {s.nightlyTime}
              {timeZone && ` (${timeZone})`} for {nightlyTypes.length ? nightlyTypes.join(', ') : 'no type'}.
            </p>
          )}
        </section>
        <section className="card space-y-1" aria-labelledby="dash-errors">
          <h3 id="dash-errors" className="font-semibold">
            In error now
          </h3>
          {hasHealth ? <ErrorsNow /> : <p className="text-sm text-slate-600">This hub has no integration health endpoint.</p>}
        </section>
        <section className="card space-y-1" aria-labelledby="dash-sync">
          <h3 id="dash-sync" className="font-semibold">
            What syncs
          </h3>
          {s && (
            <ul className="text-sm">
              <li>Real time: {realTime.length ? realTime.join(', ') : 'off'}</li>
              <li>Enabled terms: {terms.length ? terms.join(', ') : 'none'}</li>
              <li>Deletion threshold: {Math.round(s.deletionThreshold * 100)} %</li>
            </ul>
          )}
          <Link to="/admin/merge-settings" className="text-sm text-blue-800 underline">
            Merge settings
          </Link>
        </section>
      </div>
      {hasSummary && <QueuesAndStatuses />}
      <section className="card space-y-2" aria-labelledby="dash-chart">
        <h3 id="dash-chart" className="font-semibold">
          Errors per day, last 30 days
        </h3>
        {runs.error && <ErrorAlert error={runs.error} />}
        {runs.data && !institution.isPending && <ErrorChart runs={runs.data} pushErrors={hasHealth ? (health.data?.items ?? []) : []} timeZone={timeZone} />}
        <p className="text-xs text-slate-500">
          Merge errors (red) are counted from the merge history: per run, the objects its report lists as errors or conflicts, plus each type × term that failed or
          was refused. Post errors (orange) are the records in error now (dismissed ones included), on the day of their last attempt; posts that later succeeded
          are no longer counted. Days are {timeZone ? `the institution's (${timeZone})` : "your browser's"}.
        </p>
      </section>
    </div>
  );
}

/** Jobs waiting per queue and sections per integration status. */
function QueuesAndStatuses() {
  const summary = useQuery({
    queryKey: ['integration-summary'],
    queryFn: () => get<IntegrationSummary>('/api/v1/admin/integration-summary'),
    refetchInterval: 15_000,
  });
  const d = summary.data;
  const STATUS_STYLE: Record<string, string> = { not_synced: 'bg-slate-400', pending: 'bg-blue-500', synced: 'bg-green-500', error: 'bg-red-600' };
  return (
    <div className="grid gap-3 md:grid-cols-2">
      <section className="card space-y-1" aria-labelledby="dash-status">
        <h3 id="dash-status" className="font-semibold">
          Sections by integration status
        </h3>
        {summary.error && <ErrorAlert error={summary.error} />}
        {d && (
          <>
            {d.sectionsTotal > 0 && (
              <div className="flex h-2 overflow-hidden rounded bg-slate-100" aria-hidden="true">
                {Object.entries(d.sectionsByStatus).map(([status, n]) =>
                  n > 0 ? <div key={status} className={STATUS_STYLE[status] ?? 'bg-slate-300'} style={{ width: `${(n / d.sectionsTotal) * 100}%` }} /> : null,
                )}
              </div>
            )}
            <table className="w-full text-sm" data-testid="dash-sections-by-status">
              <tbody>
                {Object.entries(d.sectionsByStatus).map(([status, n]) => (
                  <tr key={status} data-status={status}>
                    <th scope="row" className="py-0.5 text-left font-normal">
                      <span className={`mr-1 inline-block h-2 w-2 rounded-full ${STATUS_STYLE[status] ?? 'bg-slate-300'}`} aria-hidden="true" />
                      {INTEGRATION_LABELS[status] ?? status}
                    </th>
                    <td className="py-0.5 text-right tabular-nums">{n.toLocaleString()}</td>
                  </tr>
                ))}
                <tr className="border-t border-slate-200" data-status="total">
                  <th scope="row" className="py-0.5 text-left font-medium">
                    All sections
                  </th>
                  <td className="py-0.5 text-right font-medium tabular-nums">{d.sectionsTotal.toLocaleString()}</td>
                </tr>
              </tbody>
            </table>
            <p className="text-xs text-slate-500">Synced with errors includes errors dismissed from Integration health.</p>
          </>
        )}
      </section>
      <section className="card space-y-1" aria-labelledby="dash-queues">
        <h3 id="dash-queues" className="font-semibold">
          Queue depth
        </h3>
        {summary.error && <ErrorAlert error={summary.error} />}
        {d && (
          <table className="w-full text-sm" data-testid="dash-queue-depth">
            <thead className="sr-only">
              <tr>
                <th scope="col">Queue</th>
                <th scope="col">Jobs waiting</th>
              </tr>
            </thead>
            <tbody>
              {d.queues.map((q) => (
                <tr key={q.name} data-queue={q.name}>
                  <th scope="row" className="py-0.5 text-left font-normal">
                    <code className="text-xs">{q.name}</code>
                  </th>
                  <td className="py-0.5 text-right tabular-nums">{q.depth.toLocaleString()} waiting</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="text-xs text-slate-500">Jobs waiting per queue, from the job queue's statistics (refreshed about once a minute).</p>
      </section>
    </div>
  );
}

function RunSummary({ run, timeZone }: { run: Run; timeZone: string | undefined }) {
  const sum = (k: string) => run.items.reduce((n, i) => n + (i.counts[k] ?? 0), 0);
  const errors = runErrors(run);
  const style = run.status === 'succeeded' ? 'bg-green-100 text-green-900' : run.status === 'partial' ? 'bg-amber-100 text-amber-900' : run.status === 'failed' ? 'bg-red-100 text-red-900' : 'bg-blue-100 text-blue-900';
  return (
    <div className="space-y-1 text-sm">
      <p>
        <span className={`badge ${style}`}>{run.status}</span> {instantInInstitution(run.finishedAt ?? run.queuedAt, timeZone)}
      </p>
      <p>
        {sum('created')} created, {sum('updated')} updated, {sum('deleted')} deleted, {errors} error{errors === 1 ? '' : 's'}
      </p>
      {run.error && <p className="text-xs text-red-800">{run.error}</p>}
      <Link to="/admin/merges" className="text-blue-800 underline">
        Merge history
      </Link>
    </div>
  );
}

function ErrorsNow() {
  const health = useIntegrationHealth();
  if (health.error) return <ErrorAlert error={health.error} />;
  if (!health.data) return <p className="text-sm">Loading…</p>;
  const byHint = new Map<string, number>();
  for (const i of health.data.items) byHint.set(i.hint?.title ?? 'Other SIS messages', (byHint.get(i.hint?.title ?? 'Other SIS messages') ?? 0) + 1);
  return (
    <div className="space-y-1 text-sm">
      <p className={`text-2xl font-semibold ${health.data.total ? 'text-red-800' : 'text-green-800'}`} data-testid="dash-in-error">
        {health.data.total}
      </p>
      <ul className="text-xs">
        {[...byHint].map(([k, n]) => (
          <li key={k}>
            {n} × {k}
          </li>
        ))}
      </ul>
      <Link to="/admin/integration-health" className="text-blue-800 underline">
        Integration health
      </Link>
    </div>
  );
}

function ErrorChart({ runs, pushErrors, timeZone }: { runs: Run[]; pushErrors: HealthItem[]; timeZone: string | undefined }) {
  const today = dayOf(new Date(), timeZone);
  const days = Array.from({ length: 30 }, (_, i) => addDays(today, i - 29));
  const errors = new Map(days.map((d) => [d, 0]));
  const counts = new Map(days.map((d) => [d, 0]));
  for (const r of runs) {
    const k = dayOf(new Date(r.queuedAt), timeZone);
    if (!errors.has(k)) continue;
    errors.set(k, errors.get(k)! + runErrors(r));
    counts.set(k, counts.get(k)! + 1);
  }
  const posts = new Map(days.map((d) => [d, 0]));
  for (const i of pushErrors) {
    const k = i.status.lastAttemptAt ? dayOf(new Date(i.status.lastAttemptAt), timeZone) : '';
    if (posts.has(k)) posts.set(k, posts.get(k)! + 1);
  }
  const max = Math.max(1, ...days.map((d) => errors.get(d)! + posts.get(d)!));
  const mergeTotal = [...errors.values()].reduce((a, b) => a + b, 0);
  const postTotal = [...posts.values()].reduce((a, b) => a + b, 0);
  return (
    <figure>
      <div className="flex h-32 items-end gap-[2px] border-b border-l border-slate-300 px-1" role="img" aria-label={`${mergeTotal} merge errors across ${runs.length} runs and ${postTotal} post errors in the last 30 days`} data-testid="error-chart">
        {days.map((d) => {
          const n = errors.get(d)!;
          const p = posts.get(d)!;
          const runsThatDay = counts.get(d)!;
          return (
            <div
              key={d}
              className="flex h-full flex-1 flex-col justify-end"
              title={`${d}: ${n} merge error${n === 1 ? '' : 's'} in ${runsThatDay} run${runsThatDay === 1 ? '' : 's'}, ${p} post error${p === 1 ? '' : 's'}`}
              data-day={d}
              data-merge-errors={n}
              data-post-errors={p}
            >
              {p > 0 && <div className="bg-orange-400" style={{ height: `${Math.max(4, (p / max) * 100)}%` }} />}
              {n > 0 && <div className="bg-red-600" style={{ height: `${Math.max(4, (n / max) * 100)}%` }} />}
              {n + p === 0 && <div className={runsThatDay ? 'bg-green-400' : 'bg-slate-200'} style={{ height: runsThatDay ? '3px' : '1px' }} />}
            </div>
          );
        })}
      </div>
      <figcaption className="mt-1 flex justify-between text-xs text-slate-500">
        <span>{days[0]}</span>
        <span>
          <span className="text-red-700">■</span> {mergeTotal} merge error{mergeTotal === 1 ? '' : 's'} in {runs.length} run{runs.length === 1 ? '' : 's'} ·{' '}
          <span className="text-orange-500">■</span> {postTotal} post error{postTotal === 1 ? '' : 's'} · <span className="text-green-600">■</span> runs without errors
        </span>
        <span>{days[29]}</span>
      </figcaption>
    </figure>
  );
}
