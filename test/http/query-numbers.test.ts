// Numbers in the query string (a delete's ?version, a list's ?limit, ?minCapacity, a report's
// ?after): a missing or malformed one is refused with a message a person can act on, naming the
// parameter, instead of zod's "expected number, received NaN".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;

beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
  s = await seedSchedule(hub.admin);
});
afterAll(() => hub?.close());

async function refused(method: 'get' | 'del', path: string) {
  const res = await hub.admin[method](path);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  return res.body.errors;
}

describe('a delete\'s ?version', () => {
  it('says it is required when missing, and what it must be when malformed, on every route that takes it', async () => {
    // The query string is checked before anything is looked up: any id shows the message.
    const id = '00000000-0000-4000-8000-000000000000';
    const deletes = [
      `/api/v1/sections/${id}`,
      `/api/v1/courses/${id}`,
      `/api/v1/terms/${id}`,
      `/api/v1/relationships/${id}`,
      `/api/v1/terms/${id}/phases/${id}`,
      `/api/v1/admin/phases/templates/${id}`,
    ];
    for (const path of deletes) {
      expect(await refused('del', path), path).toEqual([{ field: 'querystring.version', message: 'Send the version you read' }]);
      for (const bad of ['abc', '1.5', '-1', ''])
        expect(await refused('del', `${path}?version=${bad}`), `${path}?version=${bad}`).toEqual([
          { field: 'querystring.version', message: 'The version is the whole number you read' },
        ]);
      expect(await refused('del', `${path}?version=0`)).toEqual([{ field: 'querystring.version', message: 'The version is the whole number you read, 1 or more' }]);
    }
    // Digits are still a version: a stale one is a conflict, the right one deletes.
    const section = (await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'A', component: 'LEC' })).body;
    expect((await hub.admin.del(`/api/v1/sections/${section.id}?version=${section.version + 1}`)).status).toBe(409);
    expect((await hub.admin.del(`/api/v1/sections/${section.id}?version=${section.version}`)).status).toBe(204);
  });
});

describe('other numbers in the query string', () => {
  it('name the parameter and what it must be', async () => {
    expect(await refused('get', `/api/v1/sections?termId=${s.term.id}&limit=ten`)).toEqual([{ field: 'querystring.limit', message: 'limit must be a whole number' }]);
    expect(await refused('get', `/api/v1/sections?termId=${s.term.id}&limit=0`)).toEqual([{ field: 'querystring.limit', message: 'limit is at least 1' }]);
    expect(await refused('get', `/api/v1/audit?limit=501`)).toEqual([{ field: 'querystring.limit', message: 'limit cannot be more than 500' }]);
    expect(await refused('get', '/api/v1/rooms?minCapacity=big')).toEqual([{ field: 'querystring.minCapacity', message: 'minCapacity must be a whole number' }]);
    expect(await refused('get', '/api/v1/admin/merges?limit=201')).toEqual([{ field: 'querystring.limit', message: 'limit cannot be more than 200' }]);
    expect(await refused('get', '/api/v1/admin/merges/00000000-0000-4000-8000-000000000000/changes?after=x')).toEqual([
      { field: 'querystring.after', message: 'after must be a whole number' },
    ]);
  });

  it('are still read as numbers, with their defaults when not sent', async () => {
    for (const sectionNumber of ['B', 'C']) await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.rome.id, sectionNumber, component: 'LEC' });
    expect((await hub.admin.get(`/api/v1/sections?termId=${s.term.id}&limit=1`)).body.items).toHaveLength(1);
    expect((await hub.admin.get('/api/v1/rooms?minCapacity=100')).body.items.map((r: { capacity: number }) => r.capacity)).toEqual([120]);
    expect((await hub.admin.get('/api/v1/admin/merges')).status).toBe(200);
  });

  it('are documented as integers', async () => {
    const doc = (await hub.admin.get('/api/openapi.json')).body;
    const parameter = (path: string, method: string, name: string) => doc.paths[path][method].parameters.find((p: { name: string }) => p.name === name);
    expect(parameter('/api/v1/sections/{id}', 'delete', 'version')).toMatchObject({ in: 'query', required: true, schema: { type: 'integer', exclusiveMinimum: 0 } });
    expect(parameter('/api/v1/sections', 'get', 'limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } });
  });
});
