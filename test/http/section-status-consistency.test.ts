// A section's answer and the integration status it shows agree even when a post commits while the
// answer is being read: never "synced" on a section without its SIS key. PostgreSQL only: there a
// second connection can commit between two statements of one request, and the test makes it do so
// deterministically, holding back (with a table lock) every statement that reads the merge
// settings, which any read that shows a status does, until the post has committed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { defaultMergeSettings } from '../../src/domain/merge-settings.ts';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { applyStatusEvent } from '../../src/sync/integration-store.ts';
import { saveMergeSettings } from '../../src/sync/settings-store.ts';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

const onPostgres = Boolean(inject('postgresTemplate'));
let hub: Hub;
let poster: Database;
let seed: Awaited<ReturnType<typeof seedSchedule>>;

beforeAll(async () => {
  if (!onPostgres) return;
  hub = await startHub();
  seed = await seedSchedule(hub.admin);
  // Sync on (nightly) for the term: its sections show an integration status.
  const settings = defaultMergeSettings();
  settings.types.sections.enabledTerms = [seed.term.code];
  settings.types.sections.nightly = true;
  await saveMergeSettings(hub.db, SYSTEM_ACTOR, settings, { version: 0 });
  poster = await openDatabase({ databaseUrl: hub.database.databaseUrl! });
});
afterAll(async () => {
  await poster?.close();
  await hub?.close();
});

interface Shown {
  id: string;
  version: number;
  sisKey: string | null;
  integrationStatus?: { status: string };
}

let numbers = 0;
/** A section made in the hub: the SIS does not know it yet. */
async function newSection(): Promise<Shown> {
  const res = await hub.admin.post('/api/v1/sections', {
    termId: seed.term.id,
    courseId: seed.calc.id,
    sectionNumber: `C${++numbers}`,
    component: 'LEC',
    capacity: 30,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body).toMatchObject({ sisKey: null, integrationStatus: { status: 'not_synced' } });
  return res.body;
}

/** Polls (bounded) until a statement of the hub waits for the lock that backend `pid` holds. */
async function answerWaitsFor(pid: number) {
  for (let i = 0; i < 1000; i++) {
    const { rows } = await sql`select 1 from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`.execute(hub.db);
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the answer never read the merge settings');
}

/**
 * Answers `read` while a post of section `id` commits: the SIS acknowledges it with a key, in one
 * transaction as the push engine does (the section's key, then its status).
 */
async function duringPost<T>(id: string, read: () => Promise<T>): Promise<T> {
  let answer!: Promise<T>;
  await poster.db.transaction().execute(async (trx) => {
    await sql`lock table merge_settings in access exclusive mode`.execute(trx);
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
    answer = read();
    await answerWaitsFor(rows[0].pid);
    const row = await trx.updateTable('sections').set({ sis_key: `SIS-${id}` }).where('id', '=', id).returning(['version', 'term_id']).executeTakeFirstOrThrow();
    await applyStatusEvent(trx, 'section', id, row.term_id, true, { kind: 'succeeded', at: new Date(), version: row.version, current: row.version });
  });
  return answer;
}

/** What a user compares: the SIS key the answer shows, and the status beside it. */
const keyAndStatus = (s: Shown) => ({ sisKey: s.sisKey, status: s.integrationStatus?.status });
const consistent = (id: string) => [
  { sisKey: null, status: 'not_synced' },
  { sisKey: `SIS-${id}`, status: 'synced' },
];

describe.skipIf(!onPostgres)('a section answered while its post commits', () => {
  it('GET one shows it synced only with its SIS key', async () => {
    const { id } = await newSection();
    const res = await duringPost(id, () => hub.admin.get(`/api/v1/sections/${id}`));
    expect(consistent(id)).toContainEqual(keyAndStatus(res.body));
  });

  it('the list shows it synced only with its SIS key', async () => {
    const { id } = await newSection();
    const res = await duringPost(id, () => hub.admin.get(`/api/v1/sections?termId=${seed.term.id}&limit=200`));
    const item = (res.body.items as Shown[]).find((s) => s.id === id)!;
    expect(consistent(id)).toContainEqual(keyAndStatus(item));
  });

  it("an edit's answer shows it synced only with its SIS key", async () => {
    const { id, version } = await newSection();
    const res = await duringPost(id, () => hub.admin.patch(`/api/v1/sections/${id}`, { version, capacity: 31 }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.capacity).toBe(31);
    expect(consistent(id)).toContainEqual(keyAndStatus(res.body));
  });

  it("a bulk edit's answer shows it synced only with its SIS key", async () => {
    const { id, version } = await newSection();
    const res = await duringPost(id, () => hub.admin.post('/api/v1/sections/bulk-edit', { edits: [{ id, version, capacity: 32 }] }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(consistent(id)).toContainEqual(keyAndStatus(res.body.items[0]));
  });
});
