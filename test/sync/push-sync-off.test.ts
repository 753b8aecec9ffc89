// Edits made where a save does not post them (sync off for the term, or nightly only) are shown as
// not yet in the SIS — never "synced" — until a post or the nightly's compare-and-push sends them.
// A hub with its workers (no sweep) and a real Ethos simulator over HTTP.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, readable, startPair, type Pair } from '../sis/harness.ts';
import { expectSisEqualsHub, setSync } from './push-helpers.ts';
import { ALL_TYPES, merge } from './helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let termId: string;

interface StatusView {
  status: string;
  detail: string | null;
  attempts: number;
  lastSuccessAt: string | null;
}
interface SectionView {
  id: string;
  version: number;
  capacity: number;
  title: string | null;
  sisKey: string | null;
  integrationStatus?: StatusView;
}

const sectionsOfTerm = async (): Promise<SectionView[]> => (await hub.admin.get(`/api/v1/sections?termId=${termId}&limit=60`)).body.items;
const get = async (id: string): Promise<SectionView> => (await hub.admin.get(`/api/v1/sections/${id}`)).body;
const statusOf = async (id: string): Promise<StatusView> => {
  const res = await hub.admin.get(`/api/v1/sections/${id}/integration-status`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const patch = async (id: string, body: Record<string, unknown>) => {
  const res = await hub.admin.patch(`/api/v1/sections/${id}`, { version: (await get(id)).version, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as SectionView;
};
/** Send Updates for the term: posts what is pending or changed while sync was off, then what still differs. */
async function sendUpdates() {
  const run = await merge(hub.admin, { types: ['sections', 'relationships'], terms: [term], sendUpdates: true });
  expect(run.status, JSON.stringify(run)).toBe('succeeded');
}
const sisSection = async (s: SectionView) => (await sis.connector.getSection(s.sisKey!))!;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  hub = await startHub({
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 },
    runtime: { pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 }, pushSweepMs: 0 },
  });
  // Imported with sync off for every term.
  const run = await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
  expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
  termId = (await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow()).id;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('a change saved while sync was off', () => {
  it('shows not synced once sync is on, and synced only after it was posted; untouched sections stay synced', async () => {
    const [edited, untouched, reverted] = await sectionsOfTerm();
    const old = await sisSection(edited);
    await patch(edited.id, { title: 'Edited while sync was off', capacity: edited.capacity + 5 });
    // Changed and changed back: the SIS may well equal it, but nothing compared them yet.
    await patch(reverted.id, { capacity: reverted.capacity + 1 });
    await patch(reverted.id, { capacity: reverted.capacity });

    // Nightly sync on: the status shows, and nothing posts before the nightly (or Send Updates).
    await setSync(hub.admin, term, { realTime: false, nightly: true });
    const status = await statusOf(edited.id);
    expect(status).toMatchObject({ status: 'not_synced', detail: 'changed_while_sync_off', attempts: 0, lastSuccessAt: null });
    const listed = new Map((await sectionsOfTerm()).map((s) => [s.id, s.integrationStatus]));
    expect(listed.get(edited.id)?.status).toBe('not_synced');
    expect(listed.get(reverted.id)?.status).toBe('not_synced');
    expect(listed.get(untouched.id)).toMatchObject({ status: 'synced', detail: null });
    const filtered = (await hub.admin.get(`/api/v1/sections?termId=${termId}&integrationStatus=not_synced&limit=60`)).body.items.map((s: SectionView) => s.id);
    expect(filtered).toEqual(expect.arrayContaining([edited.id, reverted.id]));
    expect(filtered).not.toContain(untouched.id);
    // The SIS still has the old values: turning nightly sync on sent nothing by itself.
    expect(await sisSection(edited)).toMatchObject({ title: old.title, capacity: old.capacity });

    await sendUpdates();
    expect(await statusOf(edited.id)).toMatchObject({ status: 'synced', detail: null, lastSuccessAt: expect.any(String) });
    expect(await sisSection(edited)).toMatchObject({ title: 'Edited while sync was off', capacity: edited.capacity + 5 });
    await expectSisEqualsHub(hub.db, sis.connector, [edited.id, reverted.id, untouched.id]);
    // Equal to the SIS after all: settled by the same run, not left "not synced" for good.
    expect((await statusOf(reverted.id)).status).toBe('synced');
    expect((await statusOf(untouched.id)).status).toBe('synced');
  });

  it('marks a relationship edited while sync was off not synced, and posts it with Send Updates', async () => {
    await setSync(hub.admin, term, { terms: [] });
    const [rel] = (await hub.admin.get(`/api/v1/relationships?termId=${termId}`)).body.items.filter(
      (r: { sisKey: string | null; sharedCapacity: number | null }) => r.sisKey && r.sharedCapacity !== null,
    );
    expect(rel, 'a combined section with a shared capacity').toBeTruthy();
    const edited = await hub.admin.patch(`/api/v1/relationships/${rel.id}`, { version: rel.version, sharedCapacity: rel.sharedCapacity + 7 });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);

    await setSync(hub.admin, term, { realTime: false, nightly: true });
    const shown = (await hub.admin.get(`/api/v1/relationships/${rel.id}`)).body;
    expect(shown.integrationStatus).toMatchObject({ status: 'not_synced', detail: 'changed_while_sync_off' });

    await sendUpdates();
    expect((await hub.admin.get(`/api/v1/relationships/${rel.id}`)).body.integrationStatus).toMatchObject({ status: 'synced', detail: null });
    const termKey = (await hub.db.selectFrom('terms').select('sis_key').where('id', '=', termId).executeTakeFirstOrThrow()).sis_key!;
    const inSis = [];
    for await (const page of sis.connector.relationships(termKey)) inSis.push(...readable(page).filter((r) => r.key === rel.sisKey));
    expect(inSis).toEqual([expect.objectContaining({ sharedCapacity: rel.sharedCapacity + 7 })]);
  });
});

describe('turning real-time posting on', () => {
  it('posts what was changed while sync was off as soon as it is turned on, with no edit or Send Updates', async () => {
    await setSync(hub.admin, term, { terms: [] });
    const s = (await sectionsOfTerm()).find((x) => x.sisKey)!;
    await patch(s.id, { capacity: s.capacity + 11 });
    // Saving the settings puts it in the queue (the push sweep takes up what changed while sync was off).
    await setSync(hub.admin, term, { realTime: true });
    for (let i = 0; (await statusOf(s.id)).status !== 'synced'; i++) {
      if (i > 600) throw new Error(`never posted: ${JSON.stringify(await statusOf(s.id))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await sisSection(s)).capacity).toBe(s.capacity + 11);
  });
});

describe('the push sweep', () => {
  it('leaves a section deleted in the hub while sync was off as it is in the SIS when real-time posting is turned on', async () => {
    await setSync(hub.admin, term, { terms: [] });
    const s = (await sectionsOfTerm()).find((x) => x.sisKey)!;
    await patch(s.id, { capacity: s.capacity + 3 });
    const current = await get(s.id);
    expect((await hub.admin.del(`/api/v1/sections/${s.id}?version=${current.version}`)).status).toBe(204);
    await setSync(hub.admin, term, { realTime: true });
    expect(await hub.runtime!.push.sweep()).toBe(0);
    // Nothing in flight: no post job left, and no post holding the section.
    for (let i = 0; ; i++) {
      const jobs = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'push-section' and state in ('created', 'retry', 'active')`.execute(hub.db);
      const held = await hub.db.selectFrom('integration_status').select('lease_owner').where('entity_id', '=', s.id).executeTakeFirst();
      if (jobs.rows[0].n === 0 && !held?.lease_owner) break;
      if (i > 600) throw new Error('posts never settled');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await sisSection(s)).status).toBe('active');
  });

  it('queues nothing a term posts only nightly, though the term posts its relationships in real time', async () => {
    await setSync(hub.admin, term, { realTime: false, nightly: true });
    const s = (await sectionsOfTerm()).find((x) => x.integrationStatus?.status === 'synced')!;
    expect((await patch(s.id, { capacity: s.capacity + 2 })).integrationStatus).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    const settings = structuredClone(current.settings);
    settings.types.relationships.realTime = true;
    expect((await hub.admin.put('/api/v1/admin/merge-settings', { version: current.version, settings, comment: null })).status).toBe(200);
    expect(await hub.runtime!.push.sweep()).toBe(0);
    expect(await statusOf(s.id)).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
  });
});

describe('a change saved where only the nightly sync posts', () => {
  it('is pending for the nightly, not synced, until the nightly run posts it', async () => {
    await setSync(hub.admin, term, { realTime: false, nightly: true });
    const s = (await sectionsOfTerm()).find((x) => x.integrationStatus?.status === 'synced')!;
    const edited = await patch(s.id, { capacity: s.capacity + 9 });
    expect(edited.integrationStatus).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
    expect(await statusOf(s.id)).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
    expect((await sisSection(s)).capacity).toBe(s.capacity);

    await hub.runtime!.tickNightly(new Date('2026-03-01T08:30:00Z')); // first start: the schedule begins the next night
    const tick = await hub.runtime!.tickNightly(new Date('2026-03-02T08:30:00Z'));
    expect(tick?.runId, JSON.stringify(tick)).toBeTruthy();
    const { waitForRun } = await import('./helpers.ts');
    expect((await waitForRun(hub.admin, tick!.runId!)).status).toBe('succeeded');
    expect(await statusOf(s.id)).toMatchObject({ status: 'synced', detail: null });
    expect((await sisSection(s)).capacity).toBe(s.capacity + 9);
  });
});
