// PostgreSQL only: two worker runtimes (each with its own pg-boss and its own claims) share the
// outbox of one database. Every record is posted, and no record is ever posted by both at once.
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { startRuntime, type Runtime } from '../../src/runtime.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { drained, expectSisEqualsHub, importAndSync } from './push-helpers.ts';

const onPostgres = Boolean(inject('postgresTemplate'));
let sis: Pair;
let hub: Hub;
let second: { database: Database; runtime: Runtime } | null = null;
let term: string;
const calls: { worker: string; recordId: string; op: string; start: number; end: number }[] = [];

function capture(worker: string) {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { sisCall?: string; recordId?: string; ms?: number; time: number };
        if (entry.sisCall && entry.recordId && ['updateSection', 'createSection', 'cancelSection'].includes(entry.sisCall))
          calls.push({ worker, recordId: entry.recordId, op: entry.sisCall, start: entry.time - (entry.ms ?? 0), end: entry.time });
      }
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

beforeAll(async () => {
  if (!onPostgres) return;
  sis = await startPair('ethos', { seed: 'synthetic:60', faults: { seed: 2, latencyMs: 5, rules: [] } });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  const settings = { kind: 'ethos' as const, baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 };
  hub = await startHub({ sis: settings, runtime: { pushSweepMs: 0, logger: capture('a') as never, pushRetry: { baseMs: 10, maxMs: 100 } } });
  const database = await openDatabase({ databaseUrl: hub.database.databaseUrl! });
  const runtime = await startRuntime({
    database,
    sis: { settings, source: 'environment' },
    nightlyCheckMs: 0,
    pushSweepMs: 0,
    logger: capture('b') as never,
    pushRetry: { baseMs: 10, maxMs: 100 },
  });
  second = { database, runtime };
  await importAndSync(hub.admin, [term]);
}, 120_000);

afterAll(async () => {
  await second?.runtime.stop();
  await second?.database.close();
  await hub?.close();
  await sis?.sim.close();
});

describe.skipIf(!onPostgres)('several worker processes on PostgreSQL', () => {
  it('share the posts, and never post one record twice at once', async () => {
    const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
    const sections = (await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=40`)).body.items as { id: string }[];
    for (let round = 0; round < 3; round++)
      await Promise.all(
        sections.map(async (s, i) => {
          const current = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
          const res = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: current.version, capacity: 300 + round * 50 + i });
          expect(res.status).toBe(200);
          second!.runtime.queue.wake('push-section');
        }),
      );
    await drained(hub.db, { sweep: () => hub.runtime!.push.sweep(), timeoutMs: 90_000 });
    await expectSisEqualsHub(hub.db, sis.connector, sections.map((s) => s.id));
    const workers = new Set(calls.map((c) => c.worker));
    expect(workers.size, 'both runtimes posted').toBe(2);
    const byRecord = new Map<string, typeof calls>();
    for (const c of calls) byRecord.set(c.recordId, [...(byRecord.get(c.recordId) ?? []), c]);
    for (const [id, list] of byRecord) {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].start, `record ${id} was posted by two workers at once`).toBeGreaterThanOrEqual(sorted[i - 1].end - 2);
    }
  }, 150_000);
});
