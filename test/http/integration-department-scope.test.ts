// Integration health and the integration summary under a role limited to departments: it sees,
// retries and dismisses the errors of its departments' sections and of the relationships that
// include one, and counts only its departments' sections; another department's record is not
// found. A hub with its workers and a real Ethos simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Client, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { crosslistInSis, refuse, refusedCrosslist, sectionsOfTwoDepartments, type SectionView } from '../sync/department-errors.ts';
import { importAndSync } from '../sync/push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let termId: string;

/** Sections of department A (the lead's) and of B (another), synced and in no relationship. */
let a: SectionView[];
let b: SectionView[];
let lead: Client;
/** Relationships in error: one with a section of A, one of B's sections only. */
let shared: string;
let foreign: string;

const HEALTH = '/api/v1/admin/integration-health';
const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};
const listed = async (client: Client, query = '') => (ok(await client.get(`${HEALTH}${query}`)).items as { id: string }[]).map((i) => i.id).sort();

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:60' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  hub = await startHub({
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 2_000 },
    runtime: { pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 }, pushSweepMs: 0 },
  });
  await importAndSync(hub.admin, [term]);
  termId = (await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow()).id;

  [b, a] = await sectionsOfTwoDepartments(hub, termId);
  expect(a.length, 'sections of the second department').toBeGreaterThanOrEqual(2);
  expect(b.length, 'sections of the first department').toBeGreaterThanOrEqual(4);

  const role = ok(
    await hub.admin.post('/api/v1/admin/roles', { name: 'Department integrator', permissions: ['sections.view', 'integrationStatus.view', 'merges.execute'], departmentScoped: true }),
    201,
  );
  lead = (await hub.user({ email: 'lead@example.edu', role: role.name, products: ['scheduling', 'admin'], departmentIds: [a[0].departmentId] })).client;

  await crosslistInSis(sis, hub, termId, [b[2], b[3]]);
  await refuse(hub, a[0]);
  await refuse(hub, b[0]);
  shared = await refusedCrosslist(hub, b[2], a[1]);
  foreign = await refusedCrosslist(hub, b[3], b[1]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('integration health under a role limited to departments', () => {
  it("lists the errors of its departments' sections and of relationships including one, not another department's", async () => {
    expect(await listed(hub.admin)).toEqual([a[0].id, b[0].id, shared, foreign].sort());
    expect(await listed(lead)).toEqual([a[0].id, shared].sort());
    expect(await listed(lead, '?type=section')).toEqual([a[0].id]);
    expect(await listed(lead, '?type=relationship')).toEqual([shared]);
  });

  it("retries and dismisses only its departments' records: another department's is not found, and left as it was", async () => {
    const before = ok(await hub.admin.get(`/api/v1/sections/${b[0].id}/integration-status`));
    for (const target of [{ type: 'section', id: b[0].id }, { type: 'relationship', id: foreign }]) {
      const retried = await lead.post(`${HEALTH}/retry`, target);
      expect(retried.status, JSON.stringify(retried.body)).toBe(404);
      expect(retried.body.detail).toBe(`No ${target.type} ${target.id}.`);
      const dismissed = await lead.post(`${HEALTH}/dismiss`, { ...target, comment: 'not ours' });
      expect(dismissed.status, JSON.stringify(dismissed.body)).toBe(404);
    }
    expect(ok(await hub.admin.get(`/api/v1/sections/${b[0].id}/integration-status`))).toEqual(before);
    expect(await listed(hub.admin)).toEqual([a[0].id, b[0].id, shared, foreign].sort());
    const attempted = ok(await hub.admin.get('/api/v1/audit?action=integration_retry')).items;
    expect(attempted.map((e: { entityId: string }) => e.entityId)).toEqual([]);

    // Its own section: retried (the SIS refuses the title again), then dismissed.
    expect(ok(await lead.post(`${HEALTH}/retry`, { type: 'section', id: a[0].id })).status).toBe('error');
    ok(await lead.post(`${HEALTH}/dismiss`, { type: 'section', id: a[0].id, comment: 'title fixed next week' }), 204);
    expect(await listed(lead)).toEqual([shared]);
    expect(await listed(hub.admin)).toEqual([b[0].id, shared, foreign].sort());
  });

  it('queues with Retry all only the errors of its departments', async () => {
    expect(ok(await lead.post(`${HEALTH}/retry-all`), 202)).toEqual({ queued: 1 });
    const queued = ok(await hub.admin.get('/api/v1/audit?action=integration_retry_all')).items;
    expect(queued.map((e: { entityId: string }) => e.entityId)).toEqual([shared]);
  });
});

describe('the integration summary under a role limited to departments', () => {
  it("counts its departments' sections only, and no job queue", async () => {
    const mine = ok(await lead.get('/api/v1/admin/integration-summary'));
    const all = ok(await hub.admin.get('/api/v1/admin/integration-summary'));
    const theirs = await hub.db
      .selectFrom('sections as s')
      .innerJoin('courses as c', 'c.id', 's.course_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('s.deleted_at', 'is', null)
      .where('s.term_id', '=', termId)
      .where('c.department_id', '=', a[0].departmentId)
      .executeTakeFirstOrThrow();
    expect(mine.sectionsTotal).toBe(Number(theirs.n));
    expect(mine.sectionsTotal).toBeLessThan(all.sectionsTotal);
    // Its dismissed section still counts as an error, as the institution's does; B's does not.
    expect(mine.sectionsByStatus.error).toBe(1);
    expect(all.sectionsByStatus.error).toBe(2);
    expect(mine.queues).toEqual([]);
    expect(all.queues.length).toBeGreaterThan(0);
  });
});
