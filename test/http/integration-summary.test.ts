// GET /api/v1/admin/integration-summary: queue depth per job queue and sections per integration
// status in the terms where sync is on, against a hub with its workers and a real Ethos simulator
// over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES, merge } from '../sync/helpers.ts';
import { setSync, settled } from '../sync/push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let otherTerm: string;
const PATH = '/api/v1/admin/integration-summary';

interface Summary {
  queues: { name: string; depth: number }[];
  sectionsByStatus: Record<'not_synced' | 'pending' | 'synced' | 'error', number>;
  sectionsTotal: number;
}
const summary = async (): Promise<Summary> => {
  const res = await hub.admin.get<Summary>(PATH);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const termId = async (code: string) => (await hub.db.selectFrom('terms').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const liveSections = async (code?: string) => {
  let query = hub.db.selectFrom('sections').select((eb) => eb.fn.countAll<number>().as('n')).where('deleted_at', 'is', null);
  if (code) query = query.where('term_id', '=', await termId(code));
  return Number((await query.executeTakeFirstOrThrow()).n);
};
/** The Prometheus gauge of sections by integration status, as the summary's shape. */
const gauge = async () => {
  const text = await fetch(`${hub.url}/metrics`).then((r) => r.text());
  return Object.fromEntries([...text.matchAll(/^coursebridge_sections_by_integration_status\{status="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
};
const NONE = { not_synced: 0, pending: 0, synced: 0, error: 0 };

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:60' });
  [term, otherTerm] = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms.map((t) => t.code);
  hub = await startHub({
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 },
    runtime: { pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 }, pushSweepMs: 0 },
  });
  const run = await merge(hub.admin, { types: ALL_TYPES, terms: [term, otherTerm] });
  expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('integration summary', () => {
  it('lists every job queue with its depth, and counts no section while no term has sync on', async () => {
    const s = await summary();
    expect(s.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['merge-run', 'push-relationship', 'push-section']));
    expect(s.queues.map((q) => q.name)).toEqual([...s.queues.map((q) => q.name)].sort());
    for (const q of s.queues) expect(Number.isInteger(q.depth) && q.depth >= 0, JSON.stringify(q)).toBe(true);
    // The same numbers as the Prometheus queue gauge, without pg-boss's internal queues.
    const depth = Object.entries(await hub.runtime!.queue.depth()).filter(([name]) => !name.startsWith('__pgboss__'));
    expect(Object.fromEntries(s.queues.map((q) => [q.name, q.depth]))).toEqual(Object.fromEntries(depth));
    expect(s.queues.some((q) => q.name.startsWith('__pgboss__'))).toBe(false);

    // Imported sections have no integration status anywhere yet: none is counted, as synced or otherwise.
    expect(await liveSections()).toBeGreaterThan(0);
    expect(s.sectionsByStatus).toEqual(NONE);
    expect(s.sectionsTotal).toBe(0);
    expect(await gauge()).toEqual(NONE);
  });

  it('counts the sections of terms where sync is on only, as the metrics gauge does', async () => {
    await setSync(hub.admin, term, { relationships: false });
    const inTerm = await liveSections(term);
    expect(inTerm).toBeGreaterThan(0);
    expect(inTerm).toBeLessThan(await liveSections());
    const s = await summary();
    expect(s.sectionsByStatus).toEqual({ ...NONE, synced: inTerm });
    expect(s.sectionsTotal).toBe(inTerm);
    expect(await gauge()).toEqual(s.sectionsByStatus);
  });

  it('counts a section created while sync was off as not synced until it is posted, and a SIS refusal as error, like the sections list filter', async () => {
    const before = await summary();
    const t = await termId(term);
    const [first, second] = (await hub.admin.get(`/api/v1/sections?termId=${t}&limit=2`)).body.items;

    // Sync is off for the term: a new section stays in the hub, and is not synced once sync is on.
    await setSync(hub.admin, term, { terms: [], relationships: false });
    const created = await hub.admin.post('/api/v1/sections', {
      termId: t,
      courseId: first.courseId,
      sectionNumber: 'ZZ1',
      component: first.component,
      capacity: 10,
      meetings: [],
      instructors: [],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // So is an imported section edited meanwhile: the SIS does not have the edit.
    const current = (await hub.admin.get(`/api/v1/sections/${second.id}`)).body;
    expect((await hub.admin.patch(`/api/v1/sections/${second.id}`, { version: current.version, capacity: current.capacity + 1 })).status).toBe(200);
    expect((await summary()).sectionsByStatus).toEqual(NONE);

    // Nightly sync on: both are counted, not synced, until something posts them.
    await setSync(hub.admin, term, { realTime: false, nightly: true, relationships: false });
    const afterEnable = await summary();
    expect(afterEnable.sectionsByStatus).toEqual({ ...before.sectionsByStatus, not_synced: before.sectionsByStatus.not_synced + 2, synced: before.sectionsByStatus.synced - 1 });
    expect(afterEnable.sectionsTotal).toBe(before.sectionsTotal + 1);

    // Real time on: both go out at once (the push sweep takes them up); then a title the SIS
    // refuses (too long for Banner) ends in error.
    await setSync(hub.admin, term, { relationships: false });
    for (const id of [created.body.id, second.id]) {
      for (let i = 0; (await hub.admin.get(`/api/v1/sections/${id}/integration-status`)).body.status !== 'synced'; i++) {
        if (i > 600) throw new Error(`section ${id} was never posted`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const edited = (await hub.admin.get(`/api/v1/sections/${second.id}`)).body;
    const patched = await hub.admin.patch(`/api/v1/sections/${second.id}`, { version: edited.version, title: 'A title far longer than thirty characters allowed' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await settled(hub.admin, second.id)).status).toBe('error');

    const s = await summary();
    expect(s.sectionsByStatus).toEqual({ ...before.sectionsByStatus, synced: before.sectionsByStatus.synced, error: 1 });
    expect(s.sectionsTotal).toBe(before.sectionsTotal + 1);
    for (const status of ['not_synced', 'pending', 'synced', 'error'] as const) {
      const listed = await hub.admin.get(`/api/v1/sections?integrationStatus=${status}&limit=1&termId=${t}`);
      expect(listed.status).toBe(200);
      expect(listed.body.items.length > 0, status).toBe(s.sectionsByStatus[status] > 0);
    }
  });

  it('refuses a retry while sync is off for the term, and leaves nothing pending', async () => {
    const before = await summary();
    expect(before.sectionsByStatus.error).toBe(1);
    const [failed] = (await hub.admin.get(`/api/v1/admin/integration-health`)).body.items;
    await setSync(hub.admin, term, { terms: [], relationships: false });
    const retried = await hub.admin.post('/api/v1/admin/integration-health/retry', { type: 'section', id: failed.id });
    expect(retried.status).toBe(409);
    expect(retried.body).toMatchObject({ term, detail: expect.stringContaining(`Sync is off for sections of term ${term}`) });
    const all = await hub.admin.post('/api/v1/admin/integration-health/retry-all');
    expect(all.body).toEqual({ queued: 0 });
    expect((await summary()).sectionsByStatus).toEqual(NONE);
    await setSync(hub.admin, term, { relationships: false });
    expect((await summary()).sectionsByStatus).toEqual(before.sectionsByStatus);
  });

  it('needs the Admin product and integrationStatus.view, and is described in the OpenAPI document', async () => {
    const viewer = await hub.user({ email: 'viewer@example.edu', role: 'Viewer', products: ['scheduling'] });
    expect((await viewer.client.get(PATH)).status).toBe(403);
    const noAdmin = await hub.user({ email: 'registrar2@example.edu', role: 'Registrar', products: ['scheduling'] });
    const refused = await noAdmin.client.get(PATH);
    expect(refused.status).toBe(403);
    expect(refused.body.product).toBe('admin');
    const doc = await fetch(`${hub.url}/api/openapi.json`).then((r) => r.json());
    expect(doc.paths[PATH].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/IntegrationSummary');
    expect(Object.keys(doc.components.schemas.IntegrationSummary.properties)).toEqual(['queues', 'sectionsByStatus', 'sectionsTotal']);
  });
});
