// Terms, courses, relationships and reference data over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
});
afterAll(() => hub?.close());

describe('terms', () => {
  it('lists, edits with a version, refuses a duplicate code and inverted dates, deletes an empty term', async () => {
    expect((await hub.admin.get('/api/v1/terms')).body.items.map((t: { code: string }) => t.code)).toContain('2026-fa');
    const spring = await hub.admin.post('/api/v1/terms', { code: '2027-sp', name: 'Spring 2027', startsOn: '2027-01-11', endsOn: '2027-05-07' });
    expect(spring.status).toBe(201);
    const renamed = await hub.admin.patch(`/api/v1/terms/${spring.body.id}`, { version: 1, name: 'Spring semester 2027' });
    expect(renamed.body).toMatchObject({ name: 'Spring semester 2027', version: 2 });
    expect((await hub.admin.post('/api/v1/terms', { code: '2027-sp', name: 'x', startsOn: '2027-01-01', endsOn: '2027-02-01' })).status).toBe(409);
    const inverted = await hub.admin.post('/api/v1/terms', { code: 'bad', name: 'x', startsOn: '2027-05-01', endsOn: '2027-01-01' });
    expect(inverted.status).toBe(400);
    expect(inverted.body.errors[0].field).toBe('endsOn');
    expect((await hub.admin.del(`/api/v1/terms/${spring.body.id}?version=2`)).status).toBe(204);
  });

  it('refuses a term whose parts repeat a code, naming the repeated one', async () => {
    const part = { code: '1', name: 'Full term', startsOn: '2027-08-23', endsOn: '2027-12-17' };
    const res = await hub.admin.post('/api/v1/terms', { code: '2027-fa', name: 'Fall 2027', startsOn: '2027-08-23', endsOn: '2027-12-17', parts: [part, { ...part, name: 'Again' }] });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['parts.1.code']);
  });

  it('keeps parts of term', async () => {
    const term = (await hub.admin.get(`/api/v1/terms/${s.term.id}`)).body;
    expect(term.parts).toEqual([{ code: '1', name: 'Full term', startsOn: '2026-08-24', endsOn: '2026-12-18' }]);
  });

  it('refuses deleting a term that has sections', async () => {
    await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'T1', component: 'LEC' });
    const term = (await hub.admin.get(`/api/v1/terms/${s.term.id}`)).body;
    expect((await hub.admin.del(`/api/v1/terms/${s.term.id}?version=${term.version}`)).status).toBe(409);
  });
});

describe('courses', () => {
  it('normalises the subject, pages by code, filters by text, edits and refuses a duplicate code', async () => {
    const created = await hub.admin.post('/api/v1/courses', { subject: ' stat ', number: '100', title: 'Statistics', credits: 3 });
    expect(created.body).toMatchObject({ subject: 'STAT', code: 'STAT 100' });
    const found = await hub.admin.get('/api/v1/courses?q=statis');
    expect(found.body.items.map((c: { code: string }) => c.code)).toEqual(['STAT 100']);
    const first = await hub.admin.get('/api/v1/courses?limit=1');
    const second = await hub.admin.get(`/api/v1/courses?limit=1&cursor=${first.body.nextCursor}`);
    expect(first.body.items[0].code).toBe('HIST 101');
    expect(second.body.items[0].code).toBe('MATH 221');
    const edited = await hub.admin.patch(`/api/v1/courses/${created.body.id}`, { version: 1, credits: 4 });
    expect(edited.body.credits).toBe(4);
    expect((await hub.admin.post('/api/v1/courses', { subject: 'STAT', number: '100', title: 'Again' })).status).toBe(409);
    expect((await hub.admin.del(`/api/v1/courses/${created.body.id}?version=2`)).status).toBe(204);
  });

  it('keeps a variable-credit range, and refuses one that ends below its start, naming the field to correct', async () => {
    const created = await hub.admin.post('/api/v1/courses', { subject: 'ABE', number: '199', title: 'Undergraduate Open Seminar', credits: 1, creditsMax: 5 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ credits: 1, creditsMax: 5 });
    expect((await hub.admin.get(`/api/v1/courses/${created.body.id}`)).body).toMatchObject({ credits: 1, creditsMax: 5 });
    const fixed = await hub.admin.post('/api/v1/courses', { subject: 'ABE', number: '100', title: 'Introduction', credits: 3 });
    expect(fixed.body.creditsMax).toBeNull();

    const inverted = await hub.admin.post('/api/v1/courses', { subject: 'ABE', number: '198', title: 'Inverted', credits: 4, creditsMax: 2 });
    expect(inverted.status).toBe(400);
    expect(inverted.headers.get('content-type')).toContain('application/problem+json');
    expect(inverted.body.errors).toEqual([{ field: 'creditsMax', message: 'Maximum credits (2) must not be less than credits (4)' }]);
    // One end changed alone: the range it would leave is checked against the other, as stored.
    const below = await hub.admin.patch(`/api/v1/courses/${created.body.id}`, { version: 1, creditsMax: 0.5 });
    expect(below.status).toBe(422);
    expect(below.body.errors).toEqual([{ field: 'creditsMax', message: 'Maximum credits (0.5) must not be less than credits (1)' }]);
    const above = await hub.admin.patch(`/api/v1/courses/${created.body.id}`, { version: 1, credits: 6 });
    expect(above.status).toBe(422);
    expect(above.body.errors[0].field).toBe('credits');
    const narrowed = await hub.admin.patch(`/api/v1/courses/${created.body.id}`, { version: 1, credits: 2, creditsMax: 4 });
    expect(narrowed.body).toMatchObject({ credits: 2, creditsMax: 4, version: 2 });
    const madeFixed = await hub.admin.patch(`/api/v1/courses/${created.body.id}`, { version: 2, creditsMax: null });
    expect(madeFixed.body).toMatchObject({ credits: 2, creditsMax: null });
  });

  it('refuses a garbled cursor with a problem naming it', async () => {
    const res = await hub.admin.get('/api/v1/courses?cursor=not-a-cursor');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('querystring.cursor');
  });

  it("refuses a cursor naming a row of the wrong kind (forged, or another list's) as the client's mistake", async () => {
    const cursor = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url');
    for (const path of [`/api/v1/courses?cursor=${cursor('12345')}`, `/api/v1/sections?cursor=${cursor('abc')}`, `/api/v1/audit?cursor=${cursor(s.term.id)}`]) {
      const res = await hub.admin.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.errors[0].field).toBe('querystring.cursor');
    }
  });
});

describe('query strings', () => {
  it('refuses parameters a route does not take, instead of answering as if it had honoured them', async () => {
    for (const path of ['/api/v1/departments?limit=5', '/api/v1/instructors?sort=name', '/api/v1/admin/users?cursor=x', `/api/v1/terms/${s.term.id}?expand=all`]) {
      const res = await hub.admin.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ field: `querystring.${path.split('?')[1].split('=')[0]}`, message: 'Unknown field' });
    }
    expect((await hub.admin.get('/api/v1/departments')).status).toBe(200);
  });
});

describe('relationships', () => {
  it('crosslists sections of one term with one primary, refuses a section in two relationships, and dissolves', async () => {
    const a = (await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'X1', component: 'LEC' })).body;
    const b = (await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.rome.id, sectionNumber: 'X1', component: 'LEC' })).body;
    const created = await hub.admin.post('/api/v1/relationships', {
      termId: s.term.id,
      kind: 'crosslist',
      sharedCapacity: 60,
      members: [{ sectionId: a.id, primary: true }, { sectionId: b.id }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'crosslist', sharedCapacity: 60, members: [{ sectionId: a.id, primary: true }, { sectionId: b.id, primary: false }] });

    const again = await hub.admin.post('/api/v1/relationships', {
      termId: s.term.id,
      kind: 'combined',
      members: [{ sectionId: a.id, primary: true }, { sectionId: b.id }],
    });
    expect(again.status).toBe(422);
    expect(again.body.errors.map((e: { field: string }) => e.field)).toEqual(['members.0.sectionId', 'members.1.sectionId']);

    const twoPrimaries = await hub.admin.post('/api/v1/relationships', {
      termId: s.term.id,
      kind: 'combined',
      members: [{ sectionId: a.id, primary: true }, { sectionId: b.id, primary: true }],
    });
    expect(twoPrimaries.status).toBe(400);
    expect(twoPrimaries.body.errors[0].field).toBe('members');

    const bySection = await hub.admin.get(`/api/v1/relationships?sectionId=${b.id}`);
    expect(bySection.body.items.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    const inUse = await hub.admin.del(`/api/v1/sections/${a.id}?version=${a.version}`);
    expect(inUse.status).toBe(409);
    const edited = await hub.admin.patch(`/api/v1/relationships/${created.body.id}`, { version: 1, sharedCapacity: 80 });
    expect(edited.body).toMatchObject({ sharedCapacity: 80, version: 2 });
    expect((await hub.admin.del(`/api/v1/relationships/${created.body.id}?version=2`)).status).toBe(204);
    expect((await hub.admin.del(`/api/v1/sections/${a.id}?version=${a.version}`)).status).toBe(204);
  });
});

describe('reference data', () => {
  it('lists departments, buildings, rooms (filtered by capacity) and instructors', async () => {
    expect((await hub.admin.get('/api/v1/departments')).body.items.map((d: { code: string }) => d.code)).toEqual(
      expect.arrayContaining(['HIST', 'MATH']),
    );
    expect((await hub.admin.get('/api/v1/buildings')).body.items[0]).toMatchObject({ code: 'ALT', name: 'Altgeld Hall' });
    const big = await hub.admin.get('/api/v1/rooms?minCapacity=100');
    expect(big.body.items).toEqual([expect.objectContaining({ buildingCode: 'ALT', number: '141', capacity: 120 })]);
    expect((await hub.admin.get('/api/v1/instructors')).body.items[0]).toMatchObject({ name: 'Lovelace, Ada' });
    expect((await hub.admin.post('/api/v1/rooms', { buildingId: s.building.id, number: '314' })).status).toBe(409);
  });
});

describe('health and API documents', () => {
  it('reports the database kind and migration state, and serves OpenAPI 3.1 with docs', async () => {
    const health = await hub.admin.get('/api/health');
    expect(health.body).toMatchObject({ status: 'ok', database: hub.database.kind, migrations: { pending: [] } });
    const openapi = await hub.admin.get('/api/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/v1/sections', '/api/v1/sections/{id}', '/api/v1/admin/users']));
    expect(openapi.body.components.schemas.Section).toBeDefined();
    const docs = await hub.admin.get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});
