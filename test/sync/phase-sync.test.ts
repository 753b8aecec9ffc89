// A phase's merge-settings overrides, in force for its term only: real-time posting held back
// during "Room Assignment" and released when the phase ends, on an injected clock. A hub with its
// workers (the sweep ticked by hand) and a real Ethos simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let otherTerm: string;
/** The hub's clock: inside the phase until the test moves it past its end. */
let now = new Date('2026-06-15T15:00:00Z');

interface SectionView {
  id: string;
  version: number;
  title: string | null;
  sisKey: string | null;
  integrationStatus?: { status: string; detail: string | null };
}

const termId = async (code: string) => (await hub.db.selectFrom('terms').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const firstSection = async (code: string): Promise<SectionView> => (await hub.admin.get(`/api/v1/sections?termId=${await termId(code)}&limit=1`)).body.items[0];
const retitle = async (s: SectionView, title: string): Promise<SectionView> => {
  const current = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
  const res = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: current.version, title });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const sisTitle = async (s: SectionView) => (await sis.connector.getSection(s.sisKey!))!.title;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:30' });
  [term, otherTerm] = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms.map((t) => t.code);
  hub = await startHub({
    clock: () => now,
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 },
    runtime: { pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 }, pushSweepMs: 0 },
  });
  // Real-time and nightly sync on for both terms.
  await importAndSync(hub.admin, [term, otherTerm], { terms: [term, otherTerm] });
  const registrar = (await hub.db.selectFrom('roles').select('id').where('name', '=', 'Registrar').executeTakeFirstOrThrow()).id;
  // Room Assignment (America/Chicago wall clock) holds real-time posting back for the first term only.
  const phase = await hub.admin.post(`/api/v1/terms/${await termId(term)}/phases`, {
    name: 'Room Assignment',
    startsAt: '2026-06-15T00:00',
    endsAt: '2026-06-20T00:00',
    rules: [{ roleId: registrar, editableFields: 'all' }],
    mergeSettings: { realTime: false },
  });
  expect(phase.status, JSON.stringify(phase.body)).toBe(201);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe("a phase's merge-settings overrides", () => {
  it('hold real-time posting back in their term while the phase is in force, and say so in the merge settings', async () => {
    const held = await firstSection(term);
    const before = await sisTitle(held);
    const saved = await retitle(held, 'Edited during room assignment');
    // Waiting for the nightly, as real-time posting is off for this term now.
    expect(saved.integrationStatus).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
    expect(await hub.runtime!.push.sweep()).toBe(0);
    expect(await sisTitle(held)).toBe(before);

    const { warnings } = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    expect(warnings).toContainEqual(`Term ${term} is in phase Room Assignment until 2026-06-20 00:00, which overrides these settings for it: real-time posting off.`);
  });

  it('leave the other terms as the merge settings say', async () => {
    const other = await firstSection(otherTerm);
    await retitle(other, 'Edited in the other term');
    expect(await settled(hub.admin, other.id)).toMatchObject({ status: 'synced' });
    expect(await sisTitle(other)).toBe('Edited in the other term');
  });

  it('release what they held back once the phase ends', async () => {
    now = new Date('2026-06-20T05:00:00Z'); // 00:00 CDT on the 20th: the phase's end, exclusive
    expect(await hub.runtime!.push.sweep()).toBe(1);
    const held = await firstSection(term);
    expect(await settled(hub.admin, held.id)).toMatchObject({ status: 'synced' });
    expect(await sisTitle(held)).toBe('Edited during room assignment');
    // And a save now posts in real time again.
    await retitle(held, 'Edited after room assignment');
    expect(await settled(hub.admin, held.id)).toMatchObject({ status: 'synced' });
    expect(await sisTitle(held)).toBe('Edited after room assignment');
    expect((await hub.admin.get('/api/v1/admin/merge-settings')).body.warnings).not.toContainEqual(expect.stringContaining('Room Assignment'));
  });
});
