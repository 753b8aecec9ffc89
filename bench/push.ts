// `npm run bench -- push`: 2,000 section edits through the REST API of an embedded hub (or
// PostgreSQL with BENCH_DATABASE_URL), with the Ethos simulator in its own process answering every
// request after 50 ms. Prints p50/p99 latency from the save (its audit entry) to the SIS
// acknowledging the post (integration_status.last_success_at), both stamped by the hub, and the
// sustained posts per second. Targets: p99 < 1 s, ≥ 200 posts/s. The API clients run in their own
// process, as browsers would. On PostgreSQL the hub scales out as deployed: beside the hub serving
// the API (which posts too), BENCH_WORKER_PROCESSES (default 1) `serve --workers-only` processes
// share the posting. A second phase measures the push engine alone: the same edits saved while the
// maintenance switch holds posting, then released at once.
import type { ChildProcess } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { bootstrap } from '../src/auth/bootstrap.ts';
import type { Database } from '../src/db/database.ts';
import { buildApp } from '../src/http/app.ts';
import { startRuntime } from '../src/runtime.ts';
import { Api } from './api.ts';
import { spawnNode, stopChild, untilPrinted } from './child.ts';
import { BENCH_DATABASE_URL, openBenchDatabase } from './database.ts';
import { API_KEY, startSimProcess } from './sim.ts';

const EDITS = Number(process.env.BENCH_EDITS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
/** Saves per second the clients offer; 0: as fast as the hub takes them. */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const LATENCY_MS = Number(process.env.BENCH_SIS_LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_PUSH_CONCURRENCY ?? 128);
const WORKER_PROCESSES = BENCH_DATABASE_URL ? Number(process.env.BENCH_WORKER_PROCESSES ?? 1) : 0;
const EMAIL = 'bench@example.edu';
const PASSWORD = 'bench password 123';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function push() {
  const sim = await startSimProcess({ sections: EDITS + 200, latencyMs: LATENCY_MS });
  const database = await openBenchDatabase('push');
  const workers: ChildProcess[] = [];
  try {
    await bootstrap(database.db, { adminEmail: EMAIL, adminPassword: PASSWORD });
    const runtime = await startRuntime({
      database,
      sis: { settings: { kind: 'ethos', baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 30_000 }, source: 'environment' },
      nightlyCheckMs: 0,
      pushConcurrency: CONCURRENCY,
    });
    for (let i = 0; i < WORKER_PROCESSES; i++) workers.push(await startWorkerProcess(BENCH_DATABASE_URL!, sim.url));
    const app = await buildApp({ database, runtime, loginRateLimit: 1000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const api = await Api.signIn(url, EMAIL, PASSWORD);

    const started = await api.call('POST', '/api/v1/admin/merges', { types: ['terms', 'departments', 'buildings', 'rooms', 'instructors'], terms: [] });
    await waitRun(api, started.id);
    const term = (await api.call('GET', '/api/v1/terms')).items[0];
    const run = await api.call('POST', '/api/v1/admin/merges', { types: ['courses', 'sections'], terms: [term.code] });
    await waitRun(api, run.id);
    const settings = await api.call('GET', '/api/v1/admin/merge-settings');
    const next = structuredClone(settings.settings);
    for (const t of ['courses', 'sections', 'relationships']) next.types[t].enabledTerms = [term.code];
    next.types.sections.realTime = !process.env.BENCH_NO_PUSH;
    await api.call('PUT', '/api/v1/admin/merge-settings', { version: settings.version, settings: next, comment: null });

    const ids: string[] = [];
    let cursor: string | null = null;
    console.log('  merged; listing sections');
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await api.call('GET', `/api/v1/sections?termId=${term.id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor && ids.length < EDITS);
    const targets = ids.slice(0, EDITS);
    const topology = WORKER_PROCESSES ? `the API hub and ${WORKER_PROCESSES} worker process(es) posting` : 'one hub process';
    console.log(`  ${targets.length} sections, SIS latency ${LATENCY_MS} ms per request, ${CLIENTS} API clients in their own process${RATE ? ` offering ${RATE} saves/s` : ''}, ${CONCURRENCY} concurrent posts per process, ${database.kind}, ${topology}`);

    const t0 = performance.now();
    const saveMs = await edit(url, targets, RATE);
    const savedIn = (performance.now() - t0) / 1000;
    console.log(`  saved ${targets.length} edits in ${savedIn.toFixed(1)} s; waiting for the SIS…`);
    await drained(database);
    const latency = await acknowledged(database, targets);
    const errors = latency.filter((r) => r.status !== 'synced').length;
    const seconds = latency.map((r) => (r.ackAt.getTime() - r.savedAt.getTime()) / 1000).sort((a, b) => a - b);
    const span = (Math.max(...latency.map((r) => r.ackAt.getTime())) - Math.min(...latency.map((r) => r.savedAt.getTime()))) / 1000;
    console.log(`  saves: ${targets.length} in ${savedIn.toFixed(1)} s (API p50 ${pct([...saveMs].sort((a, b) => a - b), 50).toFixed(0)} ms)`);
    console.log(`  save → SIS acknowledged: p50 ${(pct(seconds, 50) * 1000).toFixed(0)} ms, p99 ${(pct(seconds, 99) * 1000).toFixed(0)} ms, max ${(seconds[seconds.length - 1] * 1000).toFixed(0)} ms`);
    console.log(`  sustained: ${(targets.length / span).toFixed(0)} posts/s (first save → last acknowledgement ${span.toFixed(1)} s); not synced: ${errors}`);

    if (!process.env.BENCH_NO_PUSH) {
      // The push engine alone: a backlog of the same edits, held by the maintenance switch, released at once.
      await maintenance(api, true);
      await edit(url, targets, 0);
      while (Number((await countWhere(database, 'detail', 'maintenance')).n) < targets.length) await new Promise((r) => setTimeout(r, 100));
      const released = performance.now();
      await maintenance(api, false);
      await drained(database);
      const drainedIn = (performance.now() - released) / 1000;
      const failed = Number((await countWhere(database, 'status', 'error')).n);
      console.log(`  backlog: ${targets.length} held posts acknowledged ${drainedIn.toFixed(1)} s after release: ${(targets.length / drainedIn).toFixed(0)} posts/s; failed: ${failed}`);
    }
    await app.close();
    await runtime.stop();
  } finally {
    await Promise.all(workers.map(stopChild));
    await database.close();
    sim.stop();
  }
}

/** Each target's capacity + 1 through the API, by the clients' process (at `rate` saves/s, 0 = no limit); returns the PATCH times. */
async function edit(url: string, targets: string[], rate: number): Promise<number[]> {
  const proc = spawnNode('edit-clients.ts', [url, EMAIL, PASSWORD, String(CLIENTS), String(rate)]);
  proc.stdin!.end(JSON.stringify(targets));
  const [out, code] = await Promise.all([text(proc.stdout!), new Promise<number | null>((done) => proc.once('exit', done))]);
  if (code !== 0) throw new Error(`the API clients exited with ${code}`);
  return JSON.parse(out) as number[];
}

/** `coursebridge serve --workers-only` on the same database and SIS, as a second host would run it. */
async function startWorkerProcess(databaseUrl: string, sisUrl: string): Promise<ChildProcess> {
  const proc = spawnNode('../bin/coursebridge.js', ['serve', '--workers-only'], {
    ...process.env,
    DATABASE_URL: databaseUrl,
    COURSEBRIDGE_SIS_KIND: 'ethos',
    COURSEBRIDGE_SIS_URL: sisUrl,
    COURSEBRIDGE_SIS_API_KEY: API_KEY,
    COURSEBRIDGE_PUSH_CONCURRENCY: String(CONCURRENCY),
    // As deployed: every SIS call logged (and its log read and dropped here).
    LOG_LEVEL: 'info',
  });
  proc.stdin!.end();
  await untilPrinted(proc, 'workers are running', 'a worker process');
  return proc;
}

/** Per target: when its edit was saved (its audit entry), when the SIS acknowledged it, its status. */
async function acknowledged(database: Database, targets: string[]) {
  const rows = await database.db
    .selectFrom('integration_status as st')
    .innerJoin(
      (eb) => eb.selectFrom('audit_log').select(['entity_id', (e) => e.fn.max('at').as('at')]).where('entity_type', '=', 'section').where('action', '=', 'update').where('entity_id', 'in', targets).groupBy('entity_id').as('a'),
      (j) => j.onRef('a.entity_id', '=', sql`st.entity_id::text`),
    )
    .select(['st.status', 'st.last_success_at', 'a.at'])
    .where('st.entity_type', '=', 'section')
    .execute();
  if (rows.length !== targets.length) throw new Error(`${targets.length - rows.length} edited sections have no integration status`);
  return rows.map((r) => ({ status: r.status, savedAt: new Date(r.at as Date), ackAt: new Date(r.last_success_at!) }));
}

const countWhere = (database: Database, column: 'status' | 'detail', value: string) =>
  database.db.selectFrom('integration_status').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', value).executeTakeFirstOrThrow();

/** Waits (bounded) until nothing is pending. */
async function drained(database: Database) {
  const deadline = performance.now() + 600_000;
  for (;;) {
    const pending = await countWhere(database, 'status', 'pending');
    if (Number(pending.n) === 0) return;
    if (performance.now() > deadline) throw new Error(`${pending.n} posts still pending after 10 minutes`);
    if (process.env.BENCH_VERBOSE) console.log(`  … ${pending.n} pending`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Switches maintenance as an administrator does; lifting it releases what waits (the route's sweep). */
async function maintenance(api: Api, on: boolean) {
  await api.call('POST', '/api/v1/admin/maintenance', { on, comment: on ? 'benchmark backlog' : 'benchmark backlog released' });
}

async function waitRun(api: Api, id: string) {
  for (let i = 0; i < 6000; i++) {
    const run = await api.call('GET', `/api/v1/admin/merges/${id}`);
    if (run.finishedAt) {
      if (run.status !== 'succeeded') throw new Error(`merge ${id}: ${run.status} ${JSON.stringify(run.items)}`);
      return run;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`merge ${id} did not finish`);
}
