// Phases over a real server with an injected clock: nothing here sleeps or reads the wall clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Client, type Hub } from '../helpers/hub.ts';
import { PERMISSIONS } from '../../src/domain/permissions.ts';

let now = new Date('2026-01-15T12:00:00Z');
let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
let roles: Record<string, string>;
let scheduler: Client; // Scheduler of MATH, may also create sections and edit relationships
let dean: Client; // everything a Registrar has except phases.bypass
let lead: Client; // a scheduler who may bypass phases
let phaseEditor: Client; // phases.edit without roles.edit

const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};

const at = (iso: string) => {
  now = new Date(iso);
};
const PLANNING = '2026-02-10T15:00:00Z';
const ROOM_LOCK = '2026-03-10T15:00:00Z';
const TERM_RUNS = '2026-09-01T15:00:00Z';
const BETWEEN = '2026-05-01T15:00:00Z';

const everythingFor = (roleId: string) => ({ roleId, editableFields: 'all', mayCreate: true, mayCancel: true, mayDelete: true, mayEditRelationships: true });

beforeAll(async () => {
  hub = await startHub({ clock: () => now });
  s = await seedSchedule(hub.admin);
  const addRole = async (name: string, permissions: string[], departmentScoped = false) =>
    ok(await hub.admin.post('/api/v1/admin/roles', { name, permissions, departmentScoped }), 201).id;
  roles = Object.fromEntries(ok(await hub.admin.get('/api/v1/admin/roles')).items.map((r: { name: string; id: string }) => [r.name, r.id]));
  roles['Scheduler+'] = await addRole('Scheduler+', ['sections.view', 'sections.edit', 'sections.create', 'relationships.edit'], true);
  roles.Dean = await addRole('Dean', PERMISSIONS.filter((p) => p !== 'phases.bypass' && p !== 'courseApi.write'));
  roles.Lead = await addRole('Lead', ['sections.view', 'sections.edit', 'phases.bypass']);
  roles['Phase editor'] = await addRole('Phase editor', ['sections.view', 'phases.edit']);
  scheduler = (await hub.user({ email: 'sched@example.edu', role: 'Scheduler+', departmentIds: [s.math.id] })).client;
  dean = (await hub.user({ email: 'dean@example.edu', role: 'Dean' })).client;
  lead = (await hub.user({ email: 'lead@example.edu', role: 'Lead' })).client;
  phaseEditor = (await hub.user({ email: 'phases@example.edu', role: 'Phase editor' })).client;

  // The cycle: Planning, a room-assignment lock (starting right after the spring DST change), the term.
  const schedulerAll = { roleId: roles['Scheduler+'], editableFields: 'all', mayCreate: true, mayEditRelationships: true };
  for (const phase of [
    { name: 'Planning', startsAt: '2026-02-01T00:00', endsAt: '2026-03-09T00:00', rules: [everythingFor(roles.Registrar), everythingFor(roles.Dean), schedulerAll] },
    {
      name: 'Room Assignment',
      description: 'The registrar assigns rooms; departments keep their hands off.',
      startsAt: '2026-03-09T00:00',
      endsAt: '2026-03-16T00:00',
      rules: [
        everythingFor(roles.Registrar),
        { roleId: roles['Scheduler+'], editableFields: ['capacity', 'meetingPatterns', 'instructors', 'title'] },
      ],
      mergeSettings: { realTime: false },
    },
    { name: 'Term', startsAt: '2026-08-24T00:00', endsAt: '2026-12-19T00:00', rules: [everythingFor(roles.Registrar)] },
  ])
    ok(await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, phase), 201);
});
afterAll(() => hub?.close());
beforeEach(() => at(PLANNING));

let n = 0;
async function newSection(roomId = s.room1.id) {
  at(PLANNING);
  return ok(
    await hub.admin.post('/api/v1/sections', {
      termId: s.term.id,
      courseId: s.calc.id,
      sectionNumber: `P${++n}`,
      component: 'LEC',
      capacity: 30,
      meetings: [{ days: 'MWF', startTime: '09:00', endTime: '09:50', roomId }],
    }),
    201,
  );
}
const withRoom = (section: any, roomId: string) => ({ version: section.version, meetings: [{ ...section.meetings[0], roomId }] });

describe('phases of a term', () => {
  it('lists the phases in order, with their instants in the institution time zone', async () => {
    const { items } = ok(await hub.admin.get(`/api/v1/terms/${s.term.id}/phases`));
    expect(items.map((p: any) => p.name)).toEqual(['Planning', 'Room Assignment', 'Term']);
    expect(items[0]).toMatchObject({ startsAt: '2026-02-01T00:00', startsAtInstant: '2026-02-01T06:00:00.000Z' });
    expect(items[1]).toMatchObject({ startsAtInstant: '2026-03-09T05:00:00.000Z', mergeSettings: { realTime: false } });
  });

  it('refuses an overlapping phase, naming the other one', async () => {
    const res = await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'Review', startsAt: '2026-03-15T00:00', endsAt: '2026-03-22T00:00' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain('"Room Assignment"');
    expect(res.body.conflictingPhase).toMatchObject({ name: 'Room Assignment', startsAt: '2026-03-09T00:00', endsAt: '2026-03-16T00:00' });
    // touching is fine: half-open windows
    const review = ok(await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'Review', startsAt: '2026-03-16T00:00', endsAt: '2026-03-23T00:00' }), 201);
    const moved = await hub.admin.patch(`/api/v1/terms/${s.term.id}/phases/${review.id}`, { version: 1, startsAt: '2026-03-01T00:00' });
    expect(moved.status).toBe(409);
    expect(moved.body.conflictingPhase.name).toBe('Planning');
    expect((await hub.admin.del(`/api/v1/terms/${s.term.id}/phases/${review.id}?version=1`)).status).toBe(204);
  });

  it('validates phases: end after start, known fields and roles', async () => {
    const bad = await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, {
      name: 'Bad',
      startsAt: '2027-01-10T00:00',
      endsAt: '2027-01-01T00:00',
      rules: [{ roleId: roles.Registrar, editableFields: ['colour'] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['rules.0.editableFields']);
    const backwards = await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'Bad', startsAt: '2027-01-10T00:00', endsAt: '2027-01-01T00:00' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([{ field: 'endsAt', message: 'A phase must end after it starts' }]);
    const ghost = await hub.admin.post(`/api/v1/terms/${s.term.id}/phases`, {
      name: 'Ghost',
      startsAt: '2027-01-01T00:00',
      endsAt: '2027-01-10T00:00',
      rules: [{ roleId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(ghost.status).toBe(422);
    expect(ghost.body.errors).toEqual([{ field: 'rules.0.roleId', message: 'No such role' }]);
  });

  it('needs phases.edit, and roles.edit too for role rules; every phase write is audited', async () => {
    expect((await scheduler.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'X', startsAt: '2027-01-01T00:00', endsAt: '2027-01-02T00:00' })).status).toBe(403);
    const withRules = await phaseEditor.post(`/api/v1/terms/${s.term.id}/phases`, {
      name: 'X',
      startsAt: '2027-01-01T00:00',
      endsAt: '2027-01-02T00:00',
      rules: [everythingFor(roles.Viewer)],
    });
    expect(withRules.status).toBe(403);
    expect(withRules.body.permission).toBe('roles.edit');
    const plain = ok(await phaseEditor.post(`/api/v1/terms/${s.term.id}/phases`, { name: 'X', startsAt: '2027-01-01T00:00', endsAt: '2027-01-02T00:00' }), 201);
    const renamed = ok(await phaseEditor.patch(`/api/v1/terms/${s.term.id}/phases/${plain.id}`, { version: 1, name: 'Archive', description: 'Read only' }));
    expect(renamed).toMatchObject({ name: 'Archive', version: 2 });
    expect((await phaseEditor.patch(`/api/v1/terms/${s.term.id}/phases/${plain.id}`, { version: 2, rules: [everythingFor(roles.Viewer)] })).status).toBe(403);
    expect((await phaseEditor.del(`/api/v1/terms/${s.term.id}/phases/${plain.id}?version=1`)).status).toBe(409);
    expect((await phaseEditor.del(`/api/v1/terms/${s.term.id}/phases/${plain.id}?version=2`)).status).toBe(204);
    const audit = ok(await hub.admin.get(`/api/v1/audit?entityType=phase&entityId=${plain.id}`));
    expect(audit.items.map((e: any) => e.action)).toEqual(['delete', 'update', 'create']);
    expect(audit.items[1].changes.name).toEqual({ before: 'X', after: 'Archive' });
  });
});

describe('who may change what, when', () => {
  it('a scheduler edits rooms during Planning but not during the room-assignment lock', async () => {
    const section = await newSection();
    at(PLANNING);
    const moved = ok(await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(section, s.room2.id)));
    expect(moved.meetings[0].roomId).toBe(s.room2.id);

    at(ROOM_LOCK);
    const refused = await scheduler.patch(`/api/v1/sections/${section.id}`, { ...withRoom(moved, s.room1.id), capacity: 45 });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ phase: 'Room Assignment', lockedFields: ['rooms'], action: 'edit' });
    expect(refused.body.detail).toContain('Room Assignment');
    const unchanged = ok(await hub.admin.get(`/api/v1/sections/${section.id}`));
    expect(unchanged).toMatchObject({ version: moved.version, capacity: 30, meetings: [{ roomId: s.room2.id }] });

    // what the phase leaves open still works
    expect(ok(await scheduler.patch(`/api/v1/sections/${section.id}`, { version: moved.version, capacity: 45 })).capacity).toBe(45);
    // and the registrar assigns rooms
    expect((await hub.admin.patch(`/api/v1/sections/${section.id}`, withRoom({ ...moved, version: moved.version + 1 }, s.room1.id))).status).toBe(200);
    // creating sections is closed to the scheduler in this phase
    const create = await scheduler.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'Z9', component: 'LEC' });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({ phase: 'Room Assignment', action: 'create', lockedFields: [] });
  });

  it('shows the phase badge and the edit rules for the caller', async () => {
    at(ROOM_LOCK);
    const term = ok(await scheduler.get(`/api/v1/terms/${s.term.id}`));
    // The instant, and the institution's zone a Scheduler (who may not read admin/institution) shows it in.
    expect(term.currentPhase).toMatchObject({ name: 'Room Assignment', endsAt: '2026-03-16T05:00:00.000Z', timeZone: 'America/Chicago' });
    const listed = ok(await scheduler.get('/api/v1/terms')).items.find((t: any) => t.id === s.term.id);
    expect(listed.currentPhase.name).toBe('Room Assignment');
    const rules = ok(await scheduler.get(`/api/v1/terms/${s.term.id}/edit-rules`));
    expect(rules).toMatchObject({
      phase: { name: 'Room Assignment' },
      source: 'phase',
      timeZone: 'America/Chicago',
      mayEdit: true,
      mayCreate: false,
      mayCancel: false,
      mayDelete: false,
      mayEditRelationships: false,
      bypass: false,
    });
    expect(rules.editableFields).not.toContain('rooms');
    expect(rules.editableFields).toContain('capacity');

    at(BETWEEN);
    expect(ok(await scheduler.get(`/api/v1/terms/${s.term.id}`)).currentPhase).toBeNull();
    expect(ok(await scheduler.get(`/api/v1/terms/${s.term.id}/edit-rules`))).toMatchObject({ phase: null, source: 'role', mayCreate: true, mayCancel: false });
  });

  it('after the term starts only the registrar can change anything', async () => {
    const section = await newSection();
    const other = await newSection();
    at(TERM_RUNS);
    for (const client of [scheduler, dean]) {
      const edit = await client.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 99 });
      expect(edit.status).toBe(403);
      expect(edit.body).toMatchObject({ phase: 'Term', lockedFields: ['capacity'] });
    }
    expect((await dean.post(`/api/v1/sections/${section.id}/cancel`, { version: section.version })).body).toMatchObject({ status: 403, phase: 'Term', action: 'cancel' });
    expect((await dean.del(`/api/v1/sections/${section.id}?version=${section.version}`)).body).toMatchObject({ status: 403, phase: 'Term', action: 'delete' });
    const members = [{ sectionId: section.id, primary: true }, { sectionId: other.id }];
    const rel = await dean.post('/api/v1/relationships', { termId: s.term.id, kind: 'combined', members });
    expect(rel.body).toMatchObject({ status: 403, phase: 'Term', action: 'editRelationships' });

    const byRegistrar = ok(await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 99 }));
    expect(byRegistrar.capacity).toBe(99);
    const created = ok(await hub.admin.post('/api/v1/relationships', { termId: s.term.id, kind: 'combined', members }), 201);
    expect((await dean.del(`/api/v1/relationships/${created.id}?version=1`)).status).toBe(403);
    expect((await hub.admin.del(`/api/v1/relationships/${created.id}?version=1`)).status).toBe(204);
    // the registrar was allowed by the phase, so nothing was bypassed
    const audit = ok(await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${section.id}`));
    expect(audit.items[0].context).toEqual({});
  });

  it('lets phases.bypass through and audits the bypass', async () => {
    const section = await newSection();
    at(ROOM_LOCK);
    expect(ok(await lead.get(`/api/v1/terms/${s.term.id}/edit-rules`))).toMatchObject({ bypass: true, editableFields: [] });
    const moved = ok(await lead.patch(`/api/v1/sections/${section.id}`, withRoom(section, s.room2.id)));
    expect(moved.meetings[0].roomId).toBe(s.room2.id);
    const [entry] = ok(await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${section.id}`)).items;
    expect(entry).toMatchObject({
      action: 'update',
      actor: { name: 'lead@example.edu' },
      context: { phaseBypass: { phase: 'Room Assignment', lockedFields: ['rooms'], action: 'edit' } },
    });
    // bypassing phases never lends a permission the role lacks
    expect((await lead.post(`/api/v1/sections/${section.id}/cancel`, { version: moved.version })).body).toMatchObject({ status: 403, permission: 'sections.cancel' });
  });

  it('switches phase exactly at the boundary in the institution time zone, across a DST change', async () => {
    const section = await newSection();
    // Room Assignment starts Monday 2026-03-09 00:00 in Chicago; DST began the day before: 05:00Z.
    at('2026-03-09T04:59:59.999Z');
    let current = ok(await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(section, s.room2.id)));
    expect(ok(await scheduler.get(`/api/v1/terms/${s.term.id}`)).currentPhase.name).toBe('Planning');
    at('2026-03-09T05:00:00.000Z');
    expect((await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(current, s.room1.id))).body).toMatchObject({ status: 403, phase: 'Room Assignment' });
    expect(ok(await scheduler.get(`/api/v1/terms/${s.term.id}`)).currentPhase.name).toBe('Room Assignment');
    // A naive fixed offset (CST all year) would still say Planning at 05:30Z; the hub does not.
    at('2026-03-09T05:30:00.000Z');
    expect((await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(current, s.room1.id))).status).toBe(403);

    // In New York the same wall-clock boundary is an hour earlier.
    const ny = ok(await hub.admin.put('/api/v1/admin/institution', { timeZone: 'America/New_York' }));
    expect(ny.timeZone).toBe('America/New_York');
    try {
      at('2026-03-09T03:59:59.999Z');
      current = ok(await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(current, s.room1.id)));
      at('2026-03-09T04:00:00.000Z');
      expect((await scheduler.patch(`/api/v1/sections/${section.id}`, withRoom(current, s.room2.id))).body).toMatchObject({ status: 403, phase: 'Room Assignment' });
    } finally {
      ok(await hub.admin.put('/api/v1/admin/institution', { timeZone: 'America/Chicago' }));
    }
  });

  it("applies the term's default rules outside every phase", async () => {
    const section = await newSection();
    const put = ok(await hub.admin.put(`/api/v1/terms/${s.term.id}/edit-defaults`, { rules: [{ roleId: roles['Scheduler+'], editableFields: ['capacity'] }] }));
    expect(put).toMatchObject({ version: 1, rules: [{ editableFields: ['capacity'], mayCreate: false }] });
    try {
      at(BETWEEN);
      const refused = await scheduler.patch(`/api/v1/sections/${section.id}`, { ...withRoom(section, s.room2.id), capacity: 31 });
      expect(refused.body).toMatchObject({ status: 403, phase: null, lockedFields: ['rooms'] });
      expect(refused.body.detail).toContain("default rules");
      expect((await scheduler.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: 31 })).status).toBe(200);
      expect((await phaseEditor.put(`/api/v1/terms/${s.term.id}/edit-defaults`, { rules: null })).status).toBe(403); // roles.edit too
    } finally {
      ok(await hub.admin.put(`/api/v1/terms/${s.term.id}/edit-defaults`, { rules: null }));
    }
    expect(ok(await hub.admin.get(`/api/v1/audit?entityType=termEditDefaults&entityId=${s.term.id}`)).items).toHaveLength(2);
  });
});

describe('bulk edit', () => {
  it('is all or nothing: one refused edit writes none, and names its index', async () => {
    const a = await newSection();
    const b = await newSection();
    at(ROOM_LOCK);
    const refused = await scheduler.post('/api/v1/sections/bulk-edit', {
      edits: [
        { id: a.id, version: a.version, capacity: 12 },
        { id: b.id, ...withRoom(b, s.room2.id) },
      ],
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ index: 1, id: b.id, phase: 'Room Assignment', lockedFields: ['rooms'] });
    expect(ok(await hub.admin.get(`/api/v1/sections/${a.id}`))).toMatchObject({ capacity: 30, version: a.version });

    const stale = await scheduler.post('/api/v1/sections/bulk-edit', {
      edits: [
        { id: a.id, version: a.version, capacity: 12 },
        { id: b.id, version: b.version + 5, capacity: 13 },
      ],
    });
    expect(stale.body).toMatchObject({ status: 409, index: 1, id: b.id, currentVersion: b.version });
    expect(ok(await hub.admin.get(`/api/v1/sections/${a.id}`)).capacity).toBe(30);

    const badRoom = await scheduler.post('/api/v1/sections/bulk-edit', {
      edits: [{ id: a.id, version: a.version, capacity: 12, meetings: [{ ...a.meetings[0] }], instructors: [{ instructorId: '00000000-0000-4000-8000-000000000000' }] }],
    });
    expect(badRoom.body).toMatchObject({ status: 422, index: 0, errors: [{ field: 'edits.0.instructors.0.instructorId' }] });

    const done = ok(
      await scheduler.post('/api/v1/sections/bulk-edit', {
        edits: [
          { id: a.id, version: a.version, capacity: 12 },
          { id: b.id, version: b.version, capacity: 13 },
        ],
      }),
    );
    expect(done.items.map((x: any) => [x.capacity, x.version])).toEqual([
      [12, a.version + 1],
      [13, b.version + 1],
    ]);
  });

  it('refuses more than 1000 edits and names invalid fields by index', async () => {
    const edits = Array.from({ length: 1001 }, () => ({ id: crypto.randomUUID(), version: 1, capacity: 1 }));
    expect((await hub.admin.post('/api/v1/sections/bulk-edit', { edits })).status).toBe(400);
    const invalid = await hub.admin.post('/api/v1/sections/bulk-edit', { edits: [{ id: crypto.randomUUID(), version: 1, capacity: -1 }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].field).toBe('edits.0.capacity');
  });
});

describe('templates', () => {
  it('applies one template to several terms, dated from each term start, all or nothing', async () => {
    const spring = ok(await hub.admin.post('/api/v1/terms', { code: '2027-sp', name: 'Spring 2027', startsOn: '2027-01-19', endsOn: '2027-05-14' }), 201);
    const summer = ok(await hub.admin.post('/api/v1/terms', { code: '2027-su', name: 'Summer 2027', startsOn: '2027-06-07', endsOn: '2027-08-06' }), 201);
    const template = ok(
      await hub.admin.post('/api/v1/admin/phases/templates', {
        name: 'Standard cycle',
        phases: [
          { name: 'Planning', startDay: -120, endDay: -60, rules: [everythingFor(roles.Registrar), { roleId: roles['Scheduler+'], editableFields: 'all' }] },
          { name: 'Room Assignment', startDay: -60, endDay: -53, rules: [everythingFor(roles.Registrar)], mergeSettings: { realTime: false } },
          { name: 'Term', startDay: 0, endDay: 120, endTime: '23:59', rules: [everythingFor(roles.Registrar)] },
        ],
      }),
      201,
    );
    expect(template.phases[0]).toMatchObject({ startTime: '00:00', description: '' });

    const applied = ok(await hub.admin.post(`/api/v1/admin/phases/templates/${template.id}/apply`, { termIds: [spring.id, summer.id] }));
    expect(applied.terms).toHaveLength(2);
    const springPhases = ok(await hub.admin.get(`/api/v1/terms/${spring.id}/phases`)).items;
    expect(springPhases.map((p: any) => [p.name, p.startsAt, p.endsAt])).toEqual([
      ['Planning', '2026-09-21T00:00', '2026-11-20T00:00'],
      ['Room Assignment', '2026-11-20T00:00', '2026-11-27T00:00'],
      ['Term', '2027-01-19T00:00', '2027-05-19T23:59'],
    ]);
    expect(ok(await hub.admin.get(`/api/v1/terms/${summer.id}/phases`)).items[2]).toMatchObject({ startsAt: '2027-06-07T00:00' });

    // Again: the phases now overlap; nothing is applied to either term.
    const fall28 = ok(await hub.admin.post('/api/v1/terms', { code: '2028-fa', name: 'Fall 2028', startsOn: '2028-08-21', endsOn: '2028-12-15' }), 201);
    const again = await hub.admin.post(`/api/v1/admin/phases/templates/${template.id}/apply`, { termIds: [fall28.id, spring.id] });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('2027-sp');
    expect(again.body.conflictingPhase.name).toBe('Planning');
    expect(ok(await hub.admin.get(`/api/v1/terms/${fall28.id}/phases`)).items).toEqual([]);
    // With replace the term's phases are replaced, each replaced one audited whole.
    ok(await hub.admin.post(`/api/v1/admin/phases/templates/${template.id}/apply`, { termIds: [spring.id], replace: true }));
    expect(ok(await hub.admin.get(`/api/v1/terms/${spring.id}/phases`)).items).toHaveLength(3);
    const replaced = ok(await hub.admin.get(`/api/v1/audit?entityType=phase&entityId=${springPhases[0].id}&action=delete`)).items;
    expect(replaced).toHaveLength(1);
    expect(replaced[0].changes).toMatchObject({
      name: { before: 'Planning', after: null },
      startsAt: { before: '2026-09-21T00:00', after: null },
      rules: { before: springPhases[0].rules, after: null },
    });

    // Template CRUD: admin only, versioned, audited.
    expect((await scheduler.get('/api/v1/admin/phases/templates')).status).toBe(403);
    const renamed = ok(await hub.admin.put(`/api/v1/admin/phases/templates/${template.id}`, { version: 1, name: 'Standard', phases: template.phases }));
    expect(renamed).toMatchObject({ name: 'Standard', version: 2 });
    expect(ok(await hub.admin.get('/api/v1/admin/phases/templates')).items.map((t: any) => t.name)).toContain('Standard');
    expect((await hub.admin.del(`/api/v1/admin/phases/templates/${template.id}?version=2`)).status).toBe(204);
    expect(ok(await hub.admin.get(`/api/v1/audit?entityType=phaseTemplate&entityId=${template.id}`)).items).toHaveLength(3);
  });
});

describe('institution settings', () => {
  it('reads and sets the time zone, refusing names that are not IANA zones', async () => {
    expect(ok(await hub.admin.get('/api/v1/admin/institution'))).toMatchObject({ timeZone: 'America/Chicago' });
    const bad = await hub.admin.put('/api/v1/admin/institution', { timeZone: 'Mars/Olympus_Mons' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('timeZone');
    expect((await hub.admin.put('/api/v1/admin/institution', { timeZone: '+05:00' })).status).toBe(400);
    expect((await scheduler.get('/api/v1/admin/institution')).status).toBe(403);
    expect((await dean.put('/api/v1/admin/institution', { timeZone: 'UTC' })).status).toBe(403); // no Admin product
    const audit = ok(await hub.admin.get('/api/v1/audit?entityType=institution&entityId=settings'));
    expect(audit.items[0].changes.timeZone).toEqual({ before: 'America/New_York', after: 'America/Chicago' });
  });

  it('documents the phase API in the OpenAPI document', async () => {
    const openapi = ok(await hub.admin.get('/api/openapi.json'));
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/terms/{id}/phases',
        '/api/v1/terms/{id}/phases/{phaseId}',
        '/api/v1/terms/{id}/edit-rules',
        '/api/v1/terms/{id}/edit-defaults',
        '/api/v1/admin/phases/templates',
        '/api/v1/admin/phases/templates/{id}/apply',
        '/api/v1/admin/institution',
        '/api/v1/sections/bulk-edit',
      ]),
    );
    expect(openapi.components.schemas.Phase).toBeDefined();
    expect(openapi.components.schemas.TermWithPhase.properties.currentPhase).toBeDefined();
  });
});
