// Courses and department scope over HTTP: a role limited to departments reads, edits and deletes
// only the courses of its departments (another department's course is not found, as its sections
// are not), and creates or moves a course only into one of its departments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Client, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
let mathLead: Client; // courses.edit and sections.create, limited to MATH

const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};
const fields = (res: { body: { errors?: { field: string }[] } }) => res.body.errors?.map((e) => e.field);

beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
  const role = ok(
    await hub.admin.post('/api/v1/admin/roles', { name: 'Course lead', permissions: ['sections.view', 'sections.create', 'courses.edit'], departmentScoped: true }),
    201,
  );
  mathLead = (await hub.user({ email: 'lead@example.edu', role: role.name, departmentIds: [s.math.id] })).client;
});
afterAll(() => hub?.close());

describe('courses of a department-scoped role', () => {
  it("neither reads nor lists another department's courses, and pages through its own in full", async () => {
    for (const number of ['301', '302'])
      ok(await hub.admin.post('/api/v1/courses', { subject: 'MATH', number, title: `Math ${number}`, credits: 3, departmentId: s.math.id }), 201);
    for (const number of ['201', '202'])
      ok(await hub.admin.post('/api/v1/courses', { subject: 'HIST', number, title: `History ${number}`, credits: 3, departmentId: s.hist.id }), 201);
    ok(await hub.admin.post('/api/v1/courses', { subject: 'GEN', number: '100', title: 'No department', credits: 1 }), 201);

    expect((await mathLead.get(`/api/v1/courses/${s.rome.id}`)).status).toBe(404);
    expect(ok(await mathLead.get(`/api/v1/courses/${s.calc.id}`)).code).toBe('MATH 221');
    expect(ok(await mathLead.get(`/api/v1/courses?departmentId=${s.hist.id}`)).items).toEqual([]);
    expect(ok(await mathLead.get('/api/v1/courses?q=Rome')).items).toEqual([]);

    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { code: string }[]; nextCursor: string | null } = ok(await mathLead.get(`/api/v1/courses?limit=1${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.items).toHaveLength(1);
      codes.push(...page.items.map((c) => c.code));
      cursor = page.nextCursor;
    } while (cursor);
    expect(codes).toEqual(['MATH 221', 'MATH 301', 'MATH 302']);
    expect(ok(await hub.admin.get('/api/v1/courses')).items).toHaveLength(7);
  });

  it("cannot edit, take over or delete another department's course: it is not found", async () => {
    const title = await mathLead.patch(`/api/v1/courses/${s.rome.id}`, { version: 1, title: 'Hijacked by MATH' });
    expect(title.status).toBe(404);
    expect(title.body).not.toHaveProperty('current');
    expect((await mathLead.patch(`/api/v1/courses/${s.rome.id}`, { version: 1, departmentId: s.math.id })).status).toBe(404);
    expect((await mathLead.del(`/api/v1/courses/${s.rome.id}?version=1`)).status).toBe(404);
    expect(ok(await hub.admin.get(`/api/v1/courses/${s.rome.id}`))).toMatchObject({ title: 'Ancient Rome', departmentId: s.hist.id, version: 1 });
  });

  it('edits its own course, but cannot move it to another department, and the problem names departmentId', async () => {
    const own = ok(await mathLead.post('/api/v1/courses', { subject: 'MATH', number: '401', title: 'Topology', credits: 3, departmentId: s.math.id }), 201);
    expect(ok(await mathLead.patch(`/api/v1/courses/${own.id}`, { version: 1, title: 'Point-set topology' }))).toMatchObject({ version: 2 });
    for (const departmentId of [s.hist.id, null]) {
      const moved = await mathLead.patch(`/api/v1/courses/${own.id}`, { version: 2, departmentId });
      expect(moved.status).toBe(403);
      expect(fields(moved)).toEqual(['departmentId']);
    }
    expect(ok(await hub.admin.get(`/api/v1/courses/${own.id}`))).toMatchObject({ title: 'Point-set topology', departmentId: s.math.id, version: 2 });
    expect((await mathLead.del(`/api/v1/courses/${own.id}?version=2`)).status).toBe(204);
  });

  it("creates courses only in its departments, and no section of another department's course", async () => {
    for (const departmentId of [s.hist.id, undefined]) {
      const created = await mathLead.post('/api/v1/courses', { subject: 'HIST', number: '999', title: 'Planted', credits: 3, departmentId });
      expect(created.status).toBe(403);
      expect(fields(created)).toEqual(['departmentId']);
    }
    expect(ok(await hub.admin.get('/api/v1/courses?subject=HIST')).items.map((c: { number: string }) => c.number)).not.toContain('999');
    // Another department's course is not found, as when read: the answer is the one for a course that does not exist.
    const section = await mathLead.post('/api/v1/sections', { termId: s.term.id, courseId: s.rome.id, sectionNumber: 'X1', component: 'LEC' });
    const missing = await mathLead.post('/api/v1/sections', { termId: s.term.id, courseId: '00000000-0000-4000-8000-000000000000', sectionNumber: 'X1', component: 'LEC' });
    expect(section.status).toBe(422);
    expect({ ...section.body, instance: null }).toEqual({ ...missing.body, instance: null });
  });
});
