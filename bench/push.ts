// `npm run bench -- push`: 2,000 section edits through the REST API of an embedded hub (or
// PostgreSQL with BENCH_DATABASE_URL), with the Ethos simulator in its own process answering every
// request after 50 ms. Prints p50/p99 latency from the save to the SIS acknowledging the post
// (integration_status.queued_at → last_success_at, both stamped by the hub) and the sustained
// posts per second. Targets: p99 < 1 s, ≥ 200 posts/s. The saves share the hub process (and, on
// PGlite, its one database connection) with the posts, so a second phase measures the push engine
// alone: the same edits saved while the maintenance switch holds posting, then released at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { bootstrap } from '../src/auth/bootstrap.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildApp } from '../src/http/app.ts';
import { startRuntime } from '../src/runtime.ts';
import { API_KEY, startSimProcess } from './sim.ts';

const EDITS = Number(process.env.BENCH_EDITS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const LATENCY_MS = Number(process.env.BENCH_SIS_LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_PUSH_CONCURRENCY ?? 128);
const EMAIL = 'bench@example.edu';
const PASSWORD = 'bench password 123';

class Api {
  cookie = '';
  csrf = '';
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async call(method: string, path: string, body?: unknown) {
    const res = await fetch(this.base + path, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), cookie: this.cookie, 'x-csrf-token': this.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const cookie = res.headers.get('set-cookie');
    if (cookie) this.cookie = cookie.split(';')[0];
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return json;
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function push() {
  const sim = await startSimProcess({ sections: EDITS + 200, latencyMs: LATENCY_MS });
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-push-'));
  const database = await openDatabase(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: dir });
  try {
    if (database.kind === 'postgres' && (await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(database.db)).rows[0].n > 0)
      throw new Error('BENCH_DATABASE_URL must name an empty, throwaway database (this one has tables)');
    await migrateToLatest(database.db);
    await bootstrap(database.db, { adminEmail: EMAIL, adminPassword: PASSWORD });
    const runtime = await startRuntime({
      database,
      sis: { settings: { kind: 'ethos', baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 30_000 }, source: 'environment' },
      nightlyCheckMs: 0,
      pushConcurrency: CONCURRENCY,
    });
    const app = await buildApp({ database, runtime, loginRateLimit: 1000 });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const api = new Api(url);
    const session = await api.call('POST', '/api/v1/session', { email: EMAIL, password: PASSWORD });
    api.csrf = session.csrfToken;

    const started = await api.call('POST', '/api/v1/admin/merges', { types: ['terms', 'departments', 'buildings', 'rooms', 'instructors', 'courses', 'sections'], terms: [] });
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
    console.log(`  ${targets.length} sections, SIS latency ${LATENCY_MS} ms per request, ${CLIENTS} API clients, ${CONCURRENCY} concurrent posts, ${database.kind}`);

    const t0 = performance.now();
    const saveMs = await edit(api, targets);
    const savedIn = (performance.now() - t0) / 1000;
    console.log(`  saved ${targets.length} edits in ${savedIn.toFixed(1)} s; waiting for the SIS…`);
    await drained(database);
    const rows = await database.db.selectFrom('integration_status').select(['status', 'last_success_at']).where('entity_id', 'in', targets).execute();
    const errors = rows.filter((r) => r.status !== 'synced').length;
    const acks = rows.map((r) => new Date(r.last_success_at!).getTime()).sort((a, b) => a - b);
    const first = (await database.db.selectFrom('audit_log').select((eb) => eb.fn.min('at').as('at')).where('entity_id', 'in', targets).where('action', '=', 'update').executeTakeFirstOrThrow()).at;
    const span = (acks[acks.length - 1] - new Date(first as Date).getTime()) / 1000;
    const sorted = [...runtime.push.latencies].sort((a, b) => a - b);
    console.log(`  saves: ${targets.length} in ${savedIn.toFixed(1)} s (API p50 ${pct([...saveMs].sort((a, b) => a - b), 50).toFixed(0)} ms)`);
    console.log(`  save → SIS acknowledged: p50 ${(pct(sorted, 50) * 1000).toFixed(0)} ms, p99 ${(pct(sorted, 99) * 1000).toFixed(0)} ms, max ${(sorted[sorted.length - 1] * 1000).toFixed(0)} ms (${sorted.length} posts)`);
    console.log(`  sustained: ${(targets.length / span).toFixed(0)} posts/s (first save → last acknowledgement ${span.toFixed(1)} s); not synced: ${errors}`);

    if (!process.env.BENCH_NO_PUSH) {
      // The push engine alone: a backlog of the same edits, held by the maintenance switch, released at once.
      await maintenance(api, true);
      await edit(api, targets);
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
    await database.close();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each target's capacity + 1 through the API, by CLIENTS clients at once; returns the PATCH times. */
async function edit(api: Api, targets: string[]): Promise<number[]> {
  const saveMs: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < targets.length) {
        const id = targets[next++];
        const s = await api.call('GET', `/api/v1/sections/${id}`);
        const before = performance.now();
        await api.call('PATCH', `/api/v1/sections/${id}`, { version: s.version, capacity: s.capacity + 1 });
        saveMs.push(performance.now() - before);
      }
    }),
  );
  return saveMs;
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
