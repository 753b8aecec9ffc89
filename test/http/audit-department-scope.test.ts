// The audit log and department scope over HTTP: a role limited to departments reads the history of
// the sections, relationships and courses of its departments only, page after full page, and is
// refused the institution's other history (people, roles, terms, reference data, settings, runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Client, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
let mathAuditor: Client; // audit.view, limited to MATH
let mathA: { id: string };
let mathB: { id: string };
let hist1: { id: string };
let histOnly: { id: string };
let shared: { id: string };

interface Entry {
  id: number;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
}

const ok = <T = any>(res: { status: number; body: T }, status = 200): T => {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
};
let number = 0;
const section = async (courseId: string): Promise<{ id: string }> => {
  const created = ok(await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId, sectionNumber: `A${++number}`, component: 'LEC', capacity: 20 }), 201);
  ok(await hub.admin.patch(`/api/v1/sections/${created.id}`, { version: 1, capacity: 99 }));
  return created;
};
const relate = async (...sections: { id: string }[]): Promise<{ id: string }> =>
  ok(await hub.admin.post('/api/v1/relationships', { termId: s.term.id, kind: 'combined', members: sections.map((x, i) => ({ sectionId: x.id, primary: i === 0 })) }), 201);

/** Every entry a client reads, page by page; each page but the last is full. */
async function everything(client: Client, query: string, limit = 2): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Entry[]; nextCursor: string | null } = ok(await client.get(`/api/v1/audit?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`));
    if (page.nextCursor) expect(page.items).toHaveLength(limit);
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
  const role = ok(await hub.admin.post('/api/v1/admin/roles', { name: 'Department auditor', permissions: ['sections.view', 'audit.view'], departmentScoped: true }), 201);
  mathAuditor = (await hub.user({ email: 'auditor@example.edu', role: role.name, departmentIds: [s.math.id] })).client;
  [mathA, mathB, hist1] = [await section(s.calc.id), await section(s.calc.id), await section(s.rome.id)];
  histOnly = await relate(await section(s.rome.id), await section(s.rome.id));
  shared = await relate(mathB, hist1);
  ok(await hub.admin.patch(`/api/v1/courses/${s.calc.id}`, { version: 1, title: 'Calculus One' }));
  ok(await hub.admin.patch(`/api/v1/courses/${s.rome.id}`, { version: 1, title: 'Rome and its Empire' }));
});
afterAll(() => hub?.close());

describe('the audit log of a department-scoped role', () => {
  it("reads the history of its department's records, not of another department's", async () => {
    const history = (query: string) => mathAuditor.get(`/api/v1/audit?${query}`).then((r) => ok(r).items as Entry[]);
    expect((await history(`entityType=section&entityId=${mathA.id}`)).map((e) => e.action)).toEqual(['update', 'create']);
    expect(await history(`entityType=section&entityId=${hist1.id}`)).toEqual([]);
    expect(await history(`entityId=${hist1.id}`)).toEqual([]);
    expect(await history(`entityType=course&entityId=${s.rome.id}`)).toEqual([]);
    expect(await history(`entityType=relationship&entityId=${histOnly.id}`)).toEqual([]);
    // A relationship with one section of theirs is theirs to see, as the relationship itself is.
    expect((await history(`entityType=relationship&entityId=${shared.id}`)).map((e) => e.action)).toEqual(['create']);
    expect((await history(`entityType=course&entityId=${s.calc.id}`))[0].changes.title).toEqual({ before: 'Calculus I', after: 'Calculus One' });
    // The registrar still reads it all.
    expect(ok(await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${hist1.id}`)).items).toHaveLength(2);
  });

  it('lists, in full pages, exactly the entries of the records of its departments', async () => {
    const theirs = new Set([s.calc.id, mathA.id, mathB.id, shared.id]);
    const expected = (await everything(hub.admin, '', 50)).filter((e) => theirs.has(e.entityId));
    const read = await everything(mathAuditor, '');
    expect(read.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(new Set(read.map((e) => e.entityId))).toEqual(theirs);
    expect((await everything(mathAuditor, '&entityType=section&action=update')).map((e) => e.entityId)).toEqual([mathB.id, mathA.id]);
  });

  it("is refused the history of the institution's other records, naming entityType", async () => {
    for (const type of ['user', 'role', 'api_token', 'term', 'phase', 'department', 'institution', 'merge_settings', 'merge_run', 'course_api_course']) {
      const res = await mathAuditor.get(`/api/v1/audit?entityType=${type}`);
      expect(res.status, type).toBe(403);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['querystring.entityType']);
    }
    expect(ok(await hub.admin.get(`/api/v1/audit?entityType=department&entityId=${s.hist.id}`)).items).toHaveLength(1);
  });
});
