// A post whose answer is lost: the SIS holds what the hub sent, the hub does not know it. An edit
// saved before the retry must still reach the SIS: the SIS's copy of the hub's own write is not a
// change made in the SIS, even for a field the SIS owns (the section title, by default).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, startProxy, type Pair } from '../sis/harness.ts';
import { merge } from './helpers.ts';
import { importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let term: string;
/** While set: the first write to this SIS section is held until `release`. */
let watched: string | null = null;
let held: Promise<void> | null = null;
let release = () => {};

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:10' });
  proxy = await startProxy(sis.sim.url, async (req) => {
    if (!watched || req.method !== 'PUT' || !req.url!.startsWith(`/api/sections/${watched}`) || held) return;
    held = new Promise<void>((resolve) => (release = resolve));
    await held;
  });
  hub = await startHub({
    sis: { kind: 'ethos', baseUrl: proxy.url, apiKey: API_KEY },
    runtime: { pushRetry: { baseMs: 10, maxMs: 50, maxAttempts: 30 }, pushSweepMs: 0 },
  });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  await importAndSync(hub.admin, [term]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await proxy?.close();
  await sis?.sim.close();
});

/**
 * Saves the section's title as 'Sent, answer lost', holds that post's first write to the SIS, saves
 * 'Saved after' meanwhile, and returns with the write still held (`release` lets it go).
 */
async function saveAgainWhileWriteHeld(s: { id: string; version: number; sisKey: string }) {
  held = null;
  watched = s.sisKey;
  const first = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: s.version, title: 'Sent, answer lost' });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  for (let i = 0; !held; i++) {
    if (i > 600) throw new Error('the post never wrote to the SIS');
    await new Promise((r) => setTimeout(r, 20));
  }
  const second = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: first.body.version, title: 'Saved after' });
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  watched = null;
}

it('posts an edit saved while a post whose answer is then lost was on its way', async () => {
  const [s] = (await hub.admin.get('/api/v1/sections?limit=1')).body.items;
  const key = s.sisKey as string;
  // The SIS takes the first write of this section, and its answer is lost.
  await sis.admin('PUT', '/faults', { rules: [{ kind: 'lost_response', methods: ['PUT'], pathPrefix: `/api/sections/${key}`, remaining: 1 }] });
  // While the write is on its way, a registrar saves again.
  await saveAgainWhileWriteHeld(s);
  release();

  expect((await settled(hub.admin, s.id)).status).toBe('synced');
  expect((await sis.connector.getSection(key))?.title).toBe('Saved after');
  expect((await hub.admin.get(`/api/v1/sections/${s.id}`)).body.title).toBe('Saved after');
  // Acknowledged: what was sent is let go.
  const row = await hub.db.selectFrom('integration_status').select('sent').where('entity_id', '=', s.id).executeTakeFirstOrThrow();
  expect(row.sent).toBeNull();
});

it('keeps such an edit through a merge that reads the SIS holding the lost write', async () => {
  const [, s] = (await hub.admin.get('/api/v1/sections?limit=2')).body.items;
  const key = s.sisKey as string;
  await sis.admin('PUT', '/faults', { rules: [{ kind: 'lost_response', methods: ['PUT'], pathPrefix: `/api/sections/${key}`, remaining: 1 }] });
  await saveAgainWhileWriteHeld(s);
  // Posting paused, the write lands and its answer is lost; the hub posts nothing more until a merge has run.
  expect((await hub.admin.post('/api/v1/admin/maintenance', { on: true, comment: 'merge first' })).status).toBe(200);
  release();
  for (let i = 0; (await hub.admin.get(`/api/v1/sections/${s.id}/integration-status`)).body.detail !== 'maintenance'; i++) {
    if (i > 600) throw new Error('the post was never retried');
    await new Promise((r) => setTimeout(r, 20));
  }
  expect((await sis.connector.getSection(key))?.title).toBe('Sent, answer lost');

  const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
  expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
  expect((await hub.admin.get(`/api/v1/sections/${s.id}`)).body.title).toBe('Saved after');

  expect((await hub.admin.post('/api/v1/admin/maintenance', { on: false, comment: 'merged' })).status).toBe(200);
  expect((await settled(hub.admin, s.id)).status).toBe('synced');
  expect((await sis.connector.getSection(key))?.title).toBe('Saved after');
});

it('keeps such an edit when the write that carries it fails after the retry recognised the lost one', async () => {
  const [, , s] = (await hub.admin.get('/api/v1/sections?limit=3')).body.items;
  const key = s.sisKey as string;
  // The first write lands and its answer is lost; the next, carrying the later edit, fails before
  // the SIS applies it; the one after succeeds.
  await sis.admin('PUT', '/faults', {
    rules: [
      { kind: 'lost_response', methods: ['PUT'], pathPrefix: `/api/sections/${key}`, remaining: 1 },
      { kind: 'server_error', methods: ['PUT'], pathPrefix: `/api/sections/${key}`, remaining: 1 },
    ],
  });
  await saveAgainWhileWriteHeld(s);
  release();

  expect((await settled(hub.admin, s.id)).status).toBe('synced');
  // Both faults were met: the edit went out once more after the failed write.
  expect((await sis.admin<{ rules: unknown[] }>('GET', '/faults')).rules).toEqual([]);
  expect((await sis.connector.getSection(key))?.title).toBe('Saved after');
  expect((await hub.admin.get(`/api/v1/sections/${s.id}`)).body.title).toBe('Saved after');
});
