// Posting to the SIS end to end: a hub with its workers and a real Ethos simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/sync/notify.ts';
import { webhookSecretContext } from '../../src/sync/notification-subscriptions.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, readable, startPair, type Pair } from '../sis/harness.ts';
import { startReceivers, type Receivers } from './notification-receivers.ts';
import { drained, expectSisEqualsHub, importAndSync, postCrosslist, setSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let otherTerm: string;
let receivers: Receivers;
const used = new Set<string>();
/** The hub's clock runs this far ahead of the wall clock (the error digest test moves it). */
let skewMs = 0;
let mails: Receivers['mails'];
let hooks: Receivers['hooks'];
let hookUrl: string;
const HOOK_SECRET = 'a-very-secret-webhook-key';

/** The admin subscribes to integration notifications by email and the signed test webhook. */
async function subscribe(mode: 'errors' | 'every_run', email: string) {
  const res = await hub.admin.put('/api/v1/me/integration-notifications', { mode, email, webhookUrl: hookUrl, webhookSecret: HOOK_SECRET });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

let seed = 7;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

interface SectionView {
  id: string;
  departmentId: string;
  subject: string;
  courseNumber: string;
  sectionNumber: string;
  version: number;
  capacity: number;
  title: string | null;
  sisKey: string | null;
  termId: string;
  integrationStatus?: { status: string; detail: string | null; messages: { message: string; field: string | null }[] };
}

async function sectionsOf(termCode: string, limit = 20): Promise<SectionView[]> {
  const t = await hub.db.selectFrom('terms').select('id').where('code', '=', termCode).executeTakeFirstOrThrow();
  const res = await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=${limit}`);
  return res.body.items;
}
const get = async (id: string): Promise<SectionView> => (await hub.admin.get(`/api/v1/sections/${id}`)).body;
const patch = async (id: string, body: Record<string, unknown>) => {
  const current = await get(id);
  const res = await hub.admin.patch(`/api/v1/sections/${id}`, { version: current.version, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as SectionView;
};
const faults = (rules: unknown[]) => sis.admin('PUT', '/faults', { seed: 3, latencyMs: 0, rules });

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:60' });
  const stats = await sis.admin<{ terms: { code: string }[] }>('GET', '/stats');
  term = stats.terms[0].code;
  otherTerm = stats.terms[1].code;
  receivers = await startReceivers();
  ({ mails, hooks } = receivers);
  hookUrl = `${receivers.hookBase}/hook`;

  hub = await startHub({
    clock: () => new Date(Date.now() + skewMs),
    sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 2_000 },
    runtime: {
      pushRetry: { baseMs: 20, maxMs: 200, maxAttempts: 30 },
      random,
      pushSweepMs: 0,
      smtp: receivers.smtp,
      // The test webhook receiver listens on this machine, over http.
      webhooks: { allowLoopback: true },
    },
  });
  await importAndSync(hub.admin, [term, otherTerm]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
  await receivers?.close();
});

describe('real-time posting', () => {
  it('posts an edit and shows it synced; the SIS equals the hub', async () => {
    const [s] = await sectionsOf(term);
    expect(s.integrationStatus?.status).toBe('synced');
    const edited = await patch(s.id, { capacity: s.capacity + 3, title: 'Posted in real time' });
    // The edit answers with the status it left (queued), whatever the worker has done since.
    expect(edited.integrationStatus).toEqual({ ...s.integrationStatus, status: 'pending', detail: 'queued', attempts: 0, nextRetryAt: null });
    const status = await settled(hub.admin, s.id);
    expect(status).toMatchObject({ status: 'synced', errorCode: null, messages: [] });
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
    const filtered = await hub.admin.get(`/api/v1/sections?termId=${s.termId}&integrationStatus=synced&limit=200`);
    expect(filtered.body.items.map((x: SectionView) => x.id)).toContain(s.id);
  });

  it("takes the SIS's own change into the hub when posting, audited from the hub's value to the SIS's", async () => {
    const s = (await sectionsOf(term, 60)).filter((x) => x.integrationStatus?.status === 'synced' && !used.has(x.id)).at(-1)!;
    used.add(s.id);
    await patch(s.id, { title: 'Hub title' });
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    // The registrar retitles it in the SIS; a scheduler then changes its capacity in the hub.
    sis.sim.store.patchSection(s.sisKey!, { title: 'SIS title' });
    await patch(s.id, { capacity: s.capacity + 1 });
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    expect((await get(s.id)).title).toBe('SIS title');
    const audit = (await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${s.id}&actorType=system&action=update`)).body.items;
    expect(audit).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'push engine' }), changes: { title: { before: 'Hub title', after: 'SIS title' } } })]);
  });

  it('creates a new section once, even when the create response is lost', async () => {
    const [s] = await sectionsOf(term);
    const full = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
    await faults([{ kind: 'lost_response', methods: ['POST'], pathPrefix: '/api/sections', remaining: 1 }]);
    const res = await hub.admin.post('/api/v1/sections', {
      termId: full.termId,
      courseId: full.courseId,
      sectionNumber: 'Z9',
      component: full.component,
      capacity: 25,
      instructionMode: full.instructionMode,
      credits: full.credits,
      meetings: [],
      instructors: [],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const status = await settled(hub.admin, res.body.id);
    expect(status.status, JSON.stringify(status)).toBe('synced');
    await faults([]);
    const created = await get(res.body.id);
    expect(created.sisKey).not.toBeNull();
    const inSis = await sis.admin<{ number: string }[]>('GET', `/sections?term=${term}&section=Z9`);
    expect(inSis).toHaveLength(1);
    await expectSisEqualsHub(hub.db, sis.connector, [res.body.id]);
  });

  it('coalesces a burst of edits to one record and posts the latest state', async () => {
    const [, s] = await sectionsOf(term);
    for (let i = 1; i <= 5; i++) await patch(s.id, { capacity: 100 + i });
    await drained(hub.db);
    expect((await get(s.id)).capacity).toBe(105);
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
  });

  it('posts every section of a bulk edit', async () => {
    const list = (await sectionsOf(term)).slice(2, 6);
    const res = await hub.admin.post('/api/v1/sections/bulk-edit', { edits: list.map((s) => ({ id: s.id, version: s.version, capacity: s.capacity + 11 })) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await drained(hub.db);
    await expectSisEqualsHub(hub.db, sis.connector, list.map((s) => s.id));
  });

  it('retries 5xx and 429 (honouring Retry-After) until the post goes through', async () => {
    const [, , , , , , s] = await sectionsOf(term);
    await faults([
      { kind: 'server_error', methods: ['PUT'], pathPrefix: '/api/sections', remaining: 2 },
      { kind: 'rate_limit', methods: ['PUT'], pathPrefix: '/api/sections', remaining: 1, retryAfterSeconds: 0 },
    ]);
    await patch(s.id, { capacity: 77 });
    const status = await settled(hub.admin, s.id);
    await faults([]);
    expect(status.status, JSON.stringify(status)).toBe('synced');
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
    const metrics = await fetch(`${hub.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/coursebridge_push_failures_total\{type="section",code="server_error"\} [1-9]/);
    expect(metrics).toMatch(/coursebridge_push_failures_total\{type="section",code="rate_limited"\} [1-9]/);
    expect(metrics).toContain('coursebridge_push_latency_seconds_bucket');
    expect(metrics).toContain('coursebridge_sections_by_integration_status{status="synced"}');
    expect(metrics).toContain('coursebridge_merges_total');
    expect(metrics).toContain('coursebridge_queue_depth');
  });

  it('stops on a permanent refusal, keeps the SIS message, lists it in health with a hint, and clears it on success', async () => {
    const [, , , , , , , s] = await sectionsOf(term);
    await patch(s.id, { title: 'A title far longer than thirty characters allowed' });
    const status = await settled(hub.admin, s.id);
    expect(status.status).toBe('error');
    expect(status.errorCode).toBe('validation');
    expect(status.messages[0]).toMatchObject({ field: 'title' });
    expect(status.messages[0].message).toMatch(/ORA-12899/);
    expect(status.raw).toBeTruthy();
    // A section's read shows the same status, times, messages and raw answer as its status endpoint.
    expect((await hub.admin.get(`/api/v1/sections/${s.id}`)).body.integrationStatus).toEqual(status);
    const health = await hub.admin.get('/api/v1/admin/integration-health');
    const item = health.body.items.find((i: { id: string }) => i.id === s.id);
    expect(item).toMatchObject({ type: 'section', hint: { id: 'banner-title-too-long' } });
    expect(item.rawMessage).toMatch(/ORA-12899/);
    const errors = await hub.admin.get(`/api/v1/sections?termId=${s.termId}&integrationStatus=error`);
    expect(errors.body.items.map((x: SectionView) => x.id)).toEqual([s.id]);

    await patch(s.id, { title: 'Short title' });
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    const after = await hub.admin.get('/api/v1/admin/integration-health');
    expect(after.body.items.find((i: { id: string }) => i.id === s.id)).toBeUndefined();
  });

  it('retries one from Integration health and dismisses one, both audited', async () => {
    const [, , , , , , , , s] = await sectionsOf(term);
    await patch(s.id, { credits: 99 });
    expect((await settled(hub.admin, s.id)).status).toBe('error');
    const health = await hub.admin.get('/api/v1/admin/integration-health');
    const inError = health.body.items.find((i: { id: string }) => i.id === s.id);
    expect(inError).toMatchObject({ hint: { id: 'banner-credit-hours' } });
    const retried = await hub.admin.post('/api/v1/admin/integration-health/retry', { type: 'section', id: s.id });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('error');
    // Retry all queues it again (it is in error, not dismissed); the SIS refuses it again.
    const all = await hub.admin.post('/api/v1/admin/integration-health/retry-all');
    expect(all.body.queued).toBeGreaterThanOrEqual(1);
    expect((await settled(hub.admin, s.id)).status).toBe('error');
    const dismissed = await hub.admin.post('/api/v1/admin/integration-health/dismiss', { type: 'section', id: s.id, comment: 'known' });
    expect(dismissed.status).toBe(204);
    const hidden = await hub.admin.get('/api/v1/admin/integration-health');
    expect(hidden.body.items.find((i: { id: string }) => i.id === s.id)).toBeUndefined();
    const explicit = await hub.admin.get('/api/v1/admin/integration-health?includeDismissed=false');
    expect(explicit.body.items.find((i: { id: string }) => i.id === s.id)).toBeUndefined();
    const shown = await hub.admin.get('/api/v1/admin/integration-health?includeDismissed=true');
    expect(shown.body.items.find((i: { id: string }) => i.id === s.id)).toMatchObject({ dismissed: true });
    // Each action is audited as the admin's, with the status fields it changed.
    const audit = (await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${s.id}`)).body.items.filter((e: { action: string }) => e.action.startsWith('integration_'));
    const requeued = { status: { before: 'error', after: 'pending' }, attempts: { before: inError.status.attempts, after: 0 } };
    expect(audit).toEqual([
      expect.objectContaining({ action: 'integration_dismiss', actor: expect.objectContaining({ id: hub.adminId }), changes: { dismissed: { before: false, after: true } }, context: { comment: 'known' } }),
      expect.objectContaining({ action: 'integration_retry_all', actor: expect.objectContaining({ id: hub.adminId }), changes: requeued }),
      expect.objectContaining({ action: 'integration_retry', actor: expect.objectContaining({ id: hub.adminId }), changes: requeued }),
    ]);
    // Fixing it clears the error.
    const full = await get(s.id);
    await patch(s.id, { credits: (await hub.db.selectFrom('sections').select('sis_base').where('id', '=', s.id).executeTakeFirstOrThrow()).sis_base!.credits as number });
    expect((await settled(hub.admin, full.id)).status).toBe('synced');
  });

  it('skips a section with Allow integration = no, and says so', async () => {
    const [, , , , , , , , , s] = await sectionsOf(term);
    const before = await sis.connector.getSection(s.sisKey!);
    await patch(s.id, { allowIntegration: false, capacity: 3 });
    const status = await settled(hub.admin, s.id);
    expect(status).toMatchObject({ status: 'not_synced', detail: 'integration_disabled' });
    expect((await sis.connector.getSection(s.sisKey!))!.capacity).toBe(before!.capacity);
    await patch(s.id, { allowIntegration: null });
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    expect((await sis.connector.getSection(s.sisKey!))!.capacity).toBe(3);
  });

  it('holds posts while the maintenance switch is on and sends them when it is lifted', async () => {
    const [, , , , , , , , , , s] = await sectionsOf(term);
    expect((await hub.admin.post('/api/v1/admin/maintenance', { on: true, comment: 'SIS upgrade' })).status).toBe(200);
    await patch(s.id, { capacity: 61 });
    const waiting = await settled(hub.admin, s.id, 300);
    expect(waiting).toMatchObject({ status: 'pending' });
    // Give the worker its chance: it must leave the record waiting, not post it.
    for (let i = 0; i < 40 && (await get(s.id)).integrationStatus?.detail !== 'maintenance'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await get(s.id)).integrationStatus).toMatchObject({ status: 'pending', detail: 'maintenance' });
    expect((await sis.connector.getSection(s.sisKey!))!.capacity).not.toBe(61);
    expect((await hub.admin.post('/api/v1/admin/maintenance', { on: false, comment: 'done' })).status).toBe(200);
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    expect((await sis.connector.getSection(s.sisKey!))!.capacity).toBe(61);
  });

  it('cancels in the SIS a section deleted in the hub (Ethos removes by cancelling)', async () => {
    const list = await sectionsOf(term, 40);
    let s = list[11];
    for (const candidate of list.slice(11)) {
      if (!(await hub.admin.get(`/api/v1/relationships?sectionId=${candidate.id}`)).body.items.length) {
        s = candidate;
        break;
      }
    }
    const current = await get(s.id);
    expect((await hub.admin.del(`/api/v1/sections/${s.id}?version=${current.version}`)).status).toBe(204);
    await drained(hub.db);
    expect((await sis.connector.getSection(s.sisKey!))!.status).toBe('cancelled');
  });

  it('posts a relationship once all its sections have SIS keys, and says when it waits', async () => {
    const [a, b, c] = await freeSections(3);
    const posted = await createCrosslist(a, b);
    expect(posted.integrationStatus.status).toBe('synced');
    const inSis = [];
    for await (const page of sis.connector.relationships(await termKey())) inSis.push(...readable(page).filter((r) => r.key === posted.sisKey));
    expect(inSis[0].members.map((m) => m.sectionKey).sort()).toEqual([a.sisKey, b.sisKey].sort());

    // A member the SIS does not know yet (the SIS refused its create) makes the relationship wait.
    const course = (await hub.admin.get(`/api/v1/sections/${c.id}`)).body;
    const created = await hub.admin.post('/api/v1/sections', { termId: c.termId, courseId: course.courseId, sectionNumber: 'W1', component: 'LEC', capacity: 10, credits: 99 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await settled(hub.admin, created.body.id)).status).toBe('error');
    const waiting = await hub.admin.post('/api/v1/relationships', {
      termId: a.termId,
      kind: 'crosslist',
      sharedCapacity: null,
      members: [
        { sectionId: c.id, primary: true },
        { sectionId: created.body.id, primary: false },
      ],
    });
    expect(waiting.status).toBe(201);
    const rel = await relationshipSettled(waiting.body.id);
    expect(rel.integrationStatus).toMatchObject({ status: 'pending', detail: 'waiting_for_sections' });
    // Fixing the section posts it, and the relationship follows.
    await patch(created.body.id, { credits: course.credits });
    await drained(hub.db);
    const done = (await hub.admin.get(`/api/v1/relationships/${waiting.body.id}`)).body;
    expect(done.integrationStatus.status).toBe('synced');
    expect(done.sisKey).not.toBeNull();
  });

  it('holds a relationship while one of its sections has Allow integration = no, and says so', async () => {
    const [a, b] = await freeSections(2);
    const rel = await createCrosslist(a, b);
    await patch(a.id, { allowIntegration: false });
    const held = await relationshipSettled(rel.id, (r) => r.integrationStatus?.detail === 'section_integration_disabled');
    expect(held.integrationStatus).toMatchObject({ status: 'not_synced', detail: 'section_integration_disabled' });
    // Its edits stay in the hub while it is held.
    expect((await hub.admin.patch(`/api/v1/relationships/${rel.id}`, { version: held.version, sharedCapacity: 30 })).status).toBe(200);
    const stillHeld = await relationshipSettled(rel.id, (r) => r.integrationStatus?.status !== 'pending');
    expect(stillHeld.integrationStatus).toMatchObject({ status: 'not_synced', detail: 'section_integration_disabled' });
    expect((await sis.connector.getRelationship(rel.sisKey, await termKey()))!.sharedCapacity).toBeNull();
    // Allowing the section again releases it.
    await patch(a.id, { allowIntegration: null });
    const released = await relationshipSettled(rel.id, (r) => r.integrationStatus?.status === 'synced');
    expect(released.integrationStatus.status).toBe('synced');
    expect((await sis.connector.getRelationship(rel.sisKey, await termKey()))!.sharedCapacity).toBe(30);
  });

  it("reads the SIS before posting a relationship: the SIS's own change is kept and comes into the hub", async () => {
    const [a, b, c] = await freeSections(3);
    const created = await createCrosslist(a, b);
    // A shared capacity of the hub's own first: the value the SIS's replaces.
    const capped = await hub.admin.patch(`/api/v1/relationships/${created.id}`, { version: created.version, sharedCapacity: 40 });
    expect(capped.status, JSON.stringify(capped.body)).toBe(200);
    const rel = await relationshipSettled(created.id, (r) => r.integrationStatus?.status === 'synced' && r.version === capped.body.version);
    const key = await termKey();
    // The registrar sets a shared capacity in the SIS; meanwhile a scheduler adds a section in the hub.
    await sis.connector.writer!.updateRelationship(rel.sisKey, {
      termKey: key,
      kind: 'crosslist',
      sharedCapacity: 77,
      members: [
        { sectionKey: a.sisKey!, primary: true },
        { sectionKey: b.sisKey!, primary: false },
      ],
    });
    const edited = await hub.admin.patch(`/api/v1/relationships/${rel.id}`, {
      version: rel.version,
      members: [
        { sectionId: a.id, primary: true },
        { sectionId: b.id, primary: false },
        { sectionId: c.id, primary: false },
      ],
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const synced = await relationshipSettled(rel.id, (r) => r.integrationStatus?.status === 'synced' && r.sharedCapacity === 77);
    const inSis = (await sis.connector.getRelationship(rel.sisKey, key))!;
    expect(inSis.sharedCapacity).toBe(77);
    expect(inSis.members.map((m) => m.sectionKey).sort()).toEqual([a.sisKey, b.sisKey, c.sisKey].sort());
    expect(synced.sharedCapacity).toBe(77);
    expect(synced.members).toHaveLength(3);
    // In the audit log as the push engine's, from the hub's value to the SIS's.
    const audit = (await hub.admin.get(`/api/v1/audit?entityType=relationship&entityId=${rel.id}&actorType=system`)).body.items;
    expect(audit).toEqual([expect.objectContaining({ actor: expect.objectContaining({ name: 'push engine' }), changes: { sharedCapacity: { before: 40, after: 77 } } })]);
  });

  interface RelationshipView {
    id: string;
    version: number;
    sisKey: string;
    sharedCapacity: number | null;
    members: unknown[];
    integrationStatus: { status: string; detail: string | null };
  }

  async function freeSections(n: number): Promise<SectionView[]> {
    const free: SectionView[] = [];
    for (const s of await sectionsOf(term, 60)) {
      const rels = await hub.admin.get(`/api/v1/relationships?sectionId=${s.id}`);
      if (!rels.body.items.length && s.sisKey && s.integrationStatus?.status === 'synced' && !used.has(s.id)) free.push(s);
      if (free.length === n) break;
    }
    expect(free).toHaveLength(n);
    for (const s of free) used.add(s.id);
    return free;
  }

  async function createCrosslist(a: SectionView, b: SectionView): Promise<RelationshipView> {
    const rel = await relationshipSettled(await postCrosslist(hub.admin, a, b), (r) => r.integrationStatus?.status === 'synced');
    expect(rel.sisKey).not.toBeNull();
    return rel;
  }

  /** Polls a relationship until `done` holds (bounded: the last view is returned either way). */
  async function relationshipSettled(id: string, done = (r: RelationshipView) => r.integrationStatus?.detail === 'waiting_for_sections'): Promise<RelationshipView> {
    for (let i = 0; i < 400; i++) {
      const rel: RelationshipView = (await hub.admin.get(`/api/v1/relationships/${id}`)).body;
      if (done(rel)) return rel;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`relationship ${id} never reached the awaited state: ${JSON.stringify((await hub.admin.get(`/api/v1/relationships/${id}`)).body.integrationStatus)}`);
  }

  async function termKey() {
    return (await hub.db.selectFrom('terms').select('sis_key').where('code', '=', term).executeTakeFirstOrThrow()).sis_key!;
  }
});

describe('who sees integration status', () => {
  it('shows it only to roles with integrationStatus.view, and only in terms where sync is on', async () => {
    const viewer = await hub.user({ email: 'viewer@example.edu', role: 'Viewer' });
    const [s] = await sectionsOf(term);
    const asViewer = await viewer.client.get(`/api/v1/sections/${s.id}`);
    expect(asViewer.status).toBe(200);
    expect(asViewer.body).not.toHaveProperty('integrationStatus');
    expect((await viewer.client.get(`/api/v1/sections/${s.id}/integration-status`)).status).toBe(403);
    const [other] = await sectionsOf(otherTerm);
    expect(other).not.toHaveProperty('integrationStatus');
    expect((await hub.admin.get(`/api/v1/sections/${other.id}/integration-status`)).status).toBe(404);
  });

  it("answers an edit without the status when the editor's role may not see it, though the edit queued a post", async () => {
    const s = (await sectionsOf(term)).find((x) => x.integrationStatus?.status === 'synced')!;
    const full = await get(s.id);
    const scheduler = await hub.user({ email: 'scheduler@example.edu', role: 'Scheduler', departmentIds: [full.departmentId] });
    const edited = await scheduler.client.patch(`/api/v1/sections/${s.id}`, { version: full.version, capacity: full.capacity + 1 });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).not.toHaveProperty('integrationStatus');
    // The edit was queued and posted all the same.
    expect(await settled(hub.admin, s.id)).toMatchObject({ status: 'synced' });
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
  });
});

describe('Send Updates and the nightly run', () => {
  it('pushes what is pending or differs after the merge, then notifies subscribers by email and signed webhook', async () => {
    // Real-time off: edits wait for the nightly run.
    await setSync(hub.admin, term, { realTime: false, nightly: true });
    const list = (await sectionsOf(term, 40)).filter((s) => s.integrationStatus?.status === 'synced' && s.sisKey);
    const [a, b] = list.slice(-2);
    await patch(a.id, { capacity: 42 });
    // Nothing enqueued, and not shown as synced either: it waits for the nightly.
    expect((await get(a.id)).integrationStatus).toMatchObject({ status: 'pending', detail: 'awaiting_nightly' });
    // A change that bypassed the outbox (written straight into the store) is found by comparison.
    await hub.db.updateTable('sections').set({ capacity: 43 }).where('id', '=', b.id).execute();

    await subscribe('every_run', 'registrar@example.edu');

    await hub.runtime!.tickNightly(new Date('2026-03-01T08:30:00Z')); // first start: the schedule begins the next night
    const tick = await hub.runtime!.tickNightly(new Date('2026-03-02T08:30:00Z'));
    expect(tick?.runId, JSON.stringify(tick)).toBeTruthy();
    const { waitForRun } = await import('./helpers.ts');
    const run = await waitForRun(hub.admin, tick!.runId!);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    // Hub edits are hub-owned (capacity): the merge keeps them, Send Updates posts them.
    expect((await sis.connector.getSection(a.sisKey!))!.capacity).toBe(42);
    expect((await sis.connector.getSection(b.sisKey!))!.capacity).toBe(43);
    const report = await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=updated`);
    expect(report.body.items.filter((i: { message: string }) => i.message === 'Posted to the SIS').map((i: { entityId: string }) => i.entityId)).toEqual(
      expect.arrayContaining([a.id, b.id]),
    );
    // Named as schedulers know the section, not by its id.
    expect(report.body.items.find((i: { entityId: string }) => i.entityId === a.id).label).toBe(`${a.subject} ${a.courseNumber} ${a.sectionNumber}`);

    for (let i = 0; i < 100 && (!mails.length || !hooks.length); i++) await new Promise((r) => setTimeout(r, 50));
    expect(mails[0].to).toBe('registrar@example.edu');
    expect(mails[0].body).toMatch(/Posted to the SIS: [1-9]/);
    const hook = hooks[0];
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'sync.run.finished', runId: run.id, trigger: 'nightly' });
  });
});

describe('error notifications between nightly runs', () => {
  it('keeps a subscription: problems name the field, the webhook key is masked on reads and kept when left out', async () => {
    const path = '/api/v1/me/integration-notifications';
    const bad = await hub.admin.put(path, { mode: 'sometimes', webhookUrl: 'not a url', webhookSecret: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['mode', 'webhookSecret', 'webhookUrl']);
    expect((await hub.admin.put(path, { mode: 'errors', webhookUrl: hookUrl, webhookSecret: HOOK_SECRET })).status).toBe(204);
    expect((await hub.admin.get(path)).body).toEqual({ mode: 'errors', email: null, webhookUrl: hookUrl, webhookSecret: '********' });
    expect((await hub.admin.put(path, { mode: 'every_run', webhookUrl: hookUrl })).status).toBe(204);
    const kept = await hub.db.selectFrom('notification_subscriptions').select(['user_id', 'mode', 'webhook_secret']).executeTakeFirstOrThrow();
    expect(kept.mode).toBe('every_run');
    expect(hub.runtime!.secrets.open(kept.webhook_secret!, 'webhookSecret', webhookSecretContext(kept.user_id))).toBe(HOOK_SECRET); // stored encrypted
    expect((await hub.admin.del(path)).status).toBe(204);
    expect((await hub.admin.get(path)).body).toBeNull();
  });

  it('sends each new posting error once, as a digest by email and signed webhook', async () => {
    await subscribe('errors', 'scheduling-office@example.edu');
    await setSync(hub.admin, term);
    // Errors of earlier tests lie before this window.
    skewMs += 60_000;
    await hub.runtime!.notifier.errorDigest();
    mails.length = 0;
    hooks.length = 0;

    const [s] = (await sectionsOf(term, 60)).filter((x) => x.integrationStatus?.status === 'synced' && !used.has(x.id));
    used.add(s.id);
    await patch(s.id, { title: 'A title far longer than thirty characters allowed' });
    expect((await settled(hub.admin, s.id)).status).toBe('error');
    const full = (await hub.admin.get(`/api/v1/sections/${s.id}`)).body;
    const label = `${full.subject} ${full.courseNumber} ${full.sectionNumber}`;

    // Not yet: the digest leaves a failure time to commit before it counts it.
    expect((await hub.runtime!.notifier.errorDigest()).errors).toBe(0);
    skewMs += 20_000;
    const sent = await hub.runtime!.notifier.errorDigest();
    expect(sent).toMatchObject({ errors: 1, emails: 1, webhooks: 1 });
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toBe('scheduling-office@example.edu');
    expect(mails[0].body).toContain('1 new integration error');
    expect(mails[0].body).toContain(label);
    expect(mails[0].body).toMatch(/ORA-12899/);
    const hook = hooks[0];
    expect(hook.headers['x-coursebridge-signature']).toBe(signWebhook(HOOK_SECRET, String(hook.headers['x-coursebridge-timestamp']), hook.body));
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'integration.errors', errors: [{ type: 'section', id: s.id, label }] });

    // Once only.
    skewMs += 20_000;
    expect((await hub.runtime!.notifier.errorDigest()).errors).toBe(0);
    expect(mails).toHaveLength(1);
    await patch(s.id, { title: 'Short title' });
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
  });
});
