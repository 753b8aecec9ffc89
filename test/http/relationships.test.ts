// Relationships and department scope over HTTP: a department-scoped role changes only
// relationships whose every section is in its departments, and sees only those that include one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Client, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
let mathScheduler: Client; // relationships.edit, limited to MATH
let number = 0;

const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};
const section = async (courseId: string): Promise<{ id: string }> =>
  ok(await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId, sectionNumber: `R${++number}`, component: 'LEC' }), 201);
const math = () => section(s.calc.id);
const hist = () => section(s.rome.id);
const relate = async (client: Client, ...sections: { id: string }[]) =>
  client.post('/api/v1/relationships', {
    termId: s.term.id,
    kind: 'combined',
    members: sections.map((x, i) => ({ sectionId: x.id, primary: i === 0 })),
  });
const membersOf = (...sections: { id: string }[]) => sections.map((x, i) => ({ sectionId: x.id, primary: i === 0 }));

beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
  const role = ok(
    await hub.admin.post('/api/v1/admin/roles', { name: 'Crosslister', permissions: ['sections.view', 'relationships.edit'], departmentScoped: true }),
    201,
  );
  mathScheduler = (await hub.user({ email: 'crosslister@example.edu', role: role.name, departmentIds: [s.math.id] })).client;
});
afterAll(() => hub?.close());

describe('relationships of a department-scoped role', () => {
  it('creates, edits and dissolves relationships among the sections of its departments', async () => {
    const [a, b, c] = [await math(), await math(), await math()];
    const created = ok(await relate(mathScheduler, a, b), 201);
    const edited = ok(await mathScheduler.patch(`/api/v1/relationships/${created.id}`, { version: 1, sharedCapacity: 30, members: membersOf(a, b, c) }));
    expect(edited).toMatchObject({ sharedCapacity: 30, version: 2, members: membersOf(a, b, c) });
    expect((await mathScheduler.del(`/api/v1/relationships/${created.id}?version=2`)).status).toBe(204);
  });

  it('cannot create one that includes a section of another department, and the problem names that member', async () => {
    const [a, h] = [await math(), await hist()];
    const res = await relate(mathScheduler, a, h);
    expect(res.status).toBe(403);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['members.1.sectionId']);
    expect(ok(await hub.admin.get(`/api/v1/relationships?sectionId=${a.id}`)).items).toEqual([]);
  });

  it("cannot add a section of another department to its own department's relationship", async () => {
    const [a, b, h] = [await math(), await math(), await hist()];
    const own = ok(await relate(mathScheduler, a, b), 201);
    const res = await mathScheduler.patch(`/api/v1/relationships/${own.id}`, { version: 1, members: membersOf(a, b, h) });
    expect(res.status).toBe(403);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['members.2.sectionId']);
    expect(ok(await hub.admin.get(`/api/v1/relationships/${own.id}`)).members).toEqual(membersOf(a, b));
  });

  it('neither sees, edits nor dissolves a relationship whose sections are all in another department', async () => {
    const theirs = ok(await relate(hub.admin, await hist(), await hist()), 201);
    expect((await mathScheduler.get(`/api/v1/relationships/${theirs.id}`)).status).toBe(404);
    const listed = ok(await mathScheduler.get(`/api/v1/relationships?termId=${s.term.id}`)).items.map((r: { id: string }) => r.id);
    expect(listed).not.toContain(theirs.id);
    expect((await mathScheduler.patch(`/api/v1/relationships/${theirs.id}`, { version: 1, sharedCapacity: 1 })).status).toBe(404);
    expect((await mathScheduler.del(`/api/v1/relationships/${theirs.id}?version=1`)).status).toBe(404);
    expect(ok(await hub.admin.get(`/api/v1/relationships/${theirs.id}`))).toMatchObject({ version: 1, sharedCapacity: null });
  });

  it('sees a relationship shared with another department but cannot change or dissolve it', async () => {
    const [a, h] = [await math(), await hist()];
    const shared = ok(await relate(hub.admin, a, h), 201);
    expect(ok(await mathScheduler.get(`/api/v1/relationships/${shared.id}`)).members).toEqual(membersOf(a, h));
    expect((await mathScheduler.patch(`/api/v1/relationships/${shared.id}`, { version: 1, sharedCapacity: 1 })).status).toBe(403);
    // Dropping the other department's section is changing it too.
    expect((await mathScheduler.patch(`/api/v1/relationships/${shared.id}`, { version: 1, members: membersOf(a, await math()) })).status).toBe(403);
    expect((await mathScheduler.del(`/api/v1/relationships/${shared.id}?version=1`)).status).toBe(403);
    expect(ok(await hub.admin.get(`/api/v1/relationships/${shared.id}`))).toMatchObject({ version: 1, members: membersOf(a, h) });
  });
});
