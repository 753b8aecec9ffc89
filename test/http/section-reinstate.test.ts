// Reinstating a cancelled section: the undo of a cancel, under the cancel rules (sections.cancel,
// the phases' mayCancel, the department scope), audited, and posted to the SIS as active again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Client, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { drained, importAndSync } from '../sync/push-helpers.ts';

const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};

describe('reinstating a section', () => {
  let now = new Date('2026-01-15T12:00:00Z');
  let hub: Hub;
  let s: Awaited<ReturnType<typeof seedSchedule>>;
  let canceller: Client; // sections.cancel, MATH only
  let scheduler: Client; // the built-in Scheduler: may edit, not cancel
  let n = 0;

  beforeAll(async () => {
    hub = await startHub({ clock: () => now });
    s = await seedSchedule(hub.admin);
    ok(await hub.admin.post('/api/v1/admin/roles', { name: 'Canceller', permissions: ['sections.view', 'sections.cancel'], departmentScoped: true }), 201);
    canceller = (await hub.user({ email: 'canceller@example.edu', role: 'Canceller', departmentIds: [s.math.id] })).client;
    scheduler = (await hub.user({ email: 'sched@example.edu', role: 'Scheduler', departmentIds: [s.math.id] })).client;
  });
  afterAll(() => hub?.close());

  async function cancelled(courseId = s.calc.id) {
    const created = ok(await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId, sectionNumber: `R${++n}`, component: 'LEC', capacity: 20 }), 201);
    return ok(await hub.admin.post(`/api/v1/sections/${created.id}/cancel`, { version: created.version }));
  }

  it('makes a cancelled section active again, answering the section, and audits it', async () => {
    const section = await cancelled();
    expect(section).toMatchObject({ status: 'cancelled', version: 2 });
    const res = await canceller.post(`/api/v1/sections/${section.id}/reinstate`, { version: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: section.id, status: 'active', version: 3 });
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`))).toMatchObject({ status: 'active', version: 3 });
    const [entry] = ok(await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${section.id}`)).items;
    expect(entry).toMatchObject({ action: 'reinstate', actor: { name: 'canceller@example.edu' }, changes: { status: { before: 'cancelled', after: 'active' } } });

    // Reinstating an active section changes nothing; a stale version is refused like any write.
    expect(ok(await canceller.post(`/api/v1/sections/${section.id}/reinstate`, { version: 3 }))).toMatchObject({ status: 'active', version: 3 });
    expect((await canceller.post(`/api/v1/sections/${section.id}/reinstate`, { version: 2 })).status).toBe(409);
  });

  it('needs the permission to cancel, and the department', async () => {
    const section = await cancelled();
    const refused = await scheduler.post(`/api/v1/sections/${section.id}/reinstate`, { version: section.version });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ permission: 'sections.cancel' });
    // Cancelling what is already cancelled is no way around the permission either.
    expect((await scheduler.post(`/api/v1/sections/${section.id}/cancel`, { version: section.version })).status).toBe(403);
    const history = await cancelled(s.rome.id);
    expect((await canceller.post(`/api/v1/sections/${history.id}/reinstate`, { version: history.version })).status).toBe(404);
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}`)).status).toBe('cancelled');
  });

  it("follows the phase's cancel rule", async () => {
    const section = await cancelled();
    const roles = ok(await hub.admin.get('/api/v1/admin/roles')).items as { id: string; name: string }[];
    const role = roles.find((r) => r.name === 'Canceller')!.id;
    const rule = { roleId: role, editableFields: [], mayCancel: false };
    const phase = ok(await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'Frozen', startsAt: '2026-01-01T00:00', endsAt: '2026-02-01T00:00', rules: [rule] }), 201);
    const refused = await canceller.post(`/api/v1/sections/${section.id}/reinstate`, { version: section.version });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ phase: 'Frozen', action: 'cancel', detail: 'During the phase "Frozen" your role may not cancel or reinstate sections.' });

    ok(await hub.admin.patch(`/api/v1/terms/${s.term.id}/phases/${phase.id}`, { version: phase.version, rules: [{ ...rule, mayCancel: true }] }));
    expect(ok(await canceller.post(`/api/v1/sections/${section.id}/reinstate`, { version: section.version })).status).toBe('active');
  });
});

describe('reinstating a section posted to the SIS', () => {
  let sis: Pair;
  let hub: Hub;
  let term: string;

  beforeAll(async () => {
    sis = await startPair('ethos', { seed: 'synthetic:20' });
    term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    hub = await startHub({
      sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 5_000 },
      runtime: { pushRetry: { baseMs: 20, maxMs: 100, maxAttempts: 50 }, pushSweepMs: 0 },
    });
    await importAndSync(hub.admin, [term], { relationships: false });
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await sis?.sim.close();
  });

  it('posts the section as active again', async () => {
    const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
    // Ethos tells the hub no enrollment: the SIS's own record says who has none.
    const section = (ok(await hub.admin.get(`/api/v1/sections?termId=${t.id}&status=active&limit=50`)).items as any[]).find(
      (x) => x.sisKey && sis.sim.store.state.sections[x.sisKey]?.enrolled === 0,
    );
    expect(section, 'an active section without enrollment').toBeDefined();
    const cancelledNow = ok(await hub.admin.post(`/api/v1/sections/${section.id}/cancel`, { version: section.version }));
    await drained(hub.db);
    expect((await sis.connector.getSection(section.sisKey))!.status).toBe('cancelled');

    const reinstated = ok(await hub.admin.post(`/api/v1/sections/${section.id}/reinstate`, { version: cancelledNow.version }));
    expect(reinstated.integrationStatus).toMatchObject({ status: 'pending' });
    await drained(hub.db);
    expect((await sis.connector.getSection(section.sisKey))!.status).toBe('active');
    expect(ok(await hub.admin.get(`/api/v1/sections/${section.id}/integration-status`)).status).toBe('synced');
  });
});
