// Each seeded role against each endpoint it must and must not reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
let callers: Record<string, Client>;
let mathSection: { id: string; version: number };
let histSection: { id: string; version: number };

beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
  const section = async (courseId: string) =>
    (await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId, sectionNumber: 'A', component: 'LEC' })).body;
  mathSection = await section(s.calc.id);
  histSection = await section(s.rome.id);
  callers = {
    anonymous: new Client(hub.url),
    registrarAdmin: hub.admin,
    registrarNoAdmin: (await hub.user({ email: 'reg2@example.edu', role: 'Registrar' })).client,
    scheduler: (await hub.user({ email: 'sched@example.edu', role: 'Scheduler', departmentIds: [s.math.id] })).client,
    viewer: (await hub.user({ email: 'view@example.edu', role: 'Viewer' })).client,
    recordSystem: await hub.token('Record system', 'record_system'),
  };
});
afterAll(() => hub?.close());

type Expect = Partial<Record<keyof typeof expected, number>>;
const expected = { anonymous: 0, registrarAdmin: 0, registrarNoAdmin: 0, scheduler: 0, viewer: 0, recordSystem: 0 };

const cases: { name: string; call: (c: Client) => Promise<{ status: number }>; expect: Expect }[] = [
  {
    name: 'GET /sections',
    call: (c) => c.get(`/api/v1/sections?termId=${s.term.id}`),
    expect: { anonymous: 401, registrarAdmin: 200, registrarNoAdmin: 200, scheduler: 200, viewer: 200, recordSystem: 403 },
  },
  {
    name: 'GET /sections/{id} of another department',
    call: (c) => c.get(`/api/v1/sections/${histSection.id}`),
    expect: { anonymous: 401, registrarAdmin: 200, scheduler: 404, viewer: 200, recordSystem: 403 },
  },
  {
    name: 'PATCH /sections/{id} of the scheduler\'s department',
    call: (c) => c.patch(`/api/v1/sections/${mathSection.id}`, { version: 1, capacity: 5 }),
    expect: { anonymous: 401, viewer: 403, recordSystem: 403, scheduler: 200 },
  },
  {
    name: 'POST /sections',
    call: (c) => c.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'Z', component: 'LEC' }),
    expect: { anonymous: 401, viewer: 403, scheduler: 403, recordSystem: 403, registrarNoAdmin: 201 },
  },
  {
    name: 'POST /terms',
    call: (c) => c.post('/api/v1/terms', { code: `t-${Math.random()}`.slice(0, 12), name: 'T', startsOn: '2027-01-01', endsOn: '2027-05-01' }),
    expect: { anonymous: 401, viewer: 403, scheduler: 403, recordSystem: 403, registrarAdmin: 201 },
  },
  {
    name: 'POST /courses',
    call: (c) => c.post('/api/v1/courses', { subject: 'ART', number: String(Math.floor(Math.random() * 1e6)), title: 'Art' }),
    expect: { anonymous: 401, viewer: 403, scheduler: 403, recordSystem: 403, registrarAdmin: 201 },
  },
  {
    name: 'POST /relationships',
    call: (c) =>
      c.post('/api/v1/relationships', {
        termId: s.term.id,
        kind: 'combined',
        members: [{ sectionId: mathSection.id, primary: true }, { sectionId: histSection.id }],
      }),
    expect: { anonymous: 401, viewer: 403, scheduler: 403, recordSystem: 403 },
  },
  {
    name: 'GET /admin/users',
    call: (c) => c.get('/api/v1/admin/users'),
    expect: { anonymous: 401, registrarAdmin: 200, registrarNoAdmin: 403, scheduler: 403, viewer: 403, recordSystem: 403 },
  },
  {
    name: 'GET /admin/roles',
    call: (c) => c.get('/api/v1/admin/roles'),
    expect: { anonymous: 401, registrarAdmin: 200, registrarNoAdmin: 403, scheduler: 403, viewer: 403 },
  },
  {
    name: 'GET /admin/api-tokens',
    call: (c) => c.get('/api/v1/admin/api-tokens'),
    expect: { anonymous: 401, registrarAdmin: 200, registrarNoAdmin: 403, viewer: 403, recordSystem: 403 },
  },
  {
    name: 'GET /audit',
    call: (c) => c.get('/api/v1/audit'),
    expect: { anonymous: 401, registrarAdmin: 200, registrarNoAdmin: 200, scheduler: 403, viewer: 403, recordSystem: 403 },
  },
  {
    name: 'GET /api/health (public)',
    call: (c) => c.get('/api/health'),
    expect: { anonymous: 200, viewer: 200 },
  },
];

describe('authorization matrix', () => {
  for (const testCase of cases)
    it(testCase.name, async () => {
      const seen: Record<string, number> = {};
      for (const who of Object.keys(testCase.expect)) seen[who] = (await testCase.call(callers[who])).status;
      expect(seen).toEqual(testCase.expect);
    });

  it('a scheduler sees only the sections of the assigned departments', async () => {
    const page = await callers.scheduler.get(`/api/v1/sections?termId=${s.term.id}`);
    expect(page.body.items.length).toBeGreaterThan(0);
    expect(new Set(page.body.items.map((x: { subject: string }) => x.subject))).toEqual(new Set(['MATH']));
  });

  it('a scheduler cannot edit a section of another department', async () => {
    const res = await callers.scheduler.patch(`/api/v1/sections/${histSection.id}`, { version: histSection.version, capacity: 1 });
    expect(res.status).toBe(404);
  });
});
