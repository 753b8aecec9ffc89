// The Course API as a record system uses it in practice: it resends what it holds on every
// sync (status included), retries a call whose answer it lost, and is not the only writer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let srs: Client; // the student record system
const C = '/api/v1/course-api/courses';
const R = '/api/v1/course-api/reference';

beforeAll(async () => {
  hub = await startHub({ clock: () => new Date('2025-11-03T10:00:00Z') });
  srs = await hub.token('Record system', 'record_system');
});
afterAll(() => hub?.close());

const csv = (...lines: string[]) => srs.request('POST', `${C}/bulk?mode=upsert`, lines.join('\r\n'), { 'content-type': 'text/csv' });

describe('Course API: a record system resending on every sync', () => {
  it('asking a deleted course to be active or archived is no change, with a warning, on every path', async () => {
    await srs.post(C, { courseCode: 'GONE1', courseName: 'Gone' });
    expect((await srs.patch(`${C}/GONE1`, { status: 'deleted', confirm: 'delete' })).body.course.status).toBe('deleted');
    const changesAfterDelete = (await hub.admin.get(`${C}/GONE1/history`)).body.changes.length;

    for (const status of ['active', 'archived']) {
      const res = await srs.patch(`${C}/GONE1`, { status });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'unchanged', course: { status: 'deleted' } });
      expect(res.body.warnings).toEqual([expect.stringMatching(/permanently deleted and stays deleted/)]);
    }
    const reference = await srs.request('PUT', `${R}/AmendCourse?hei=1&coursecode=GONE1&status=Active`);
    expect(reference.status).toBe(200);
    expect(reference.body).toMatchObject({ status: 'Success', 'status-code': 200 });
    expect(reference.body['status-message']).toMatch(/no change.*stays deleted/);
    const upload = await csv('CourseCode,CourseName,Status', 'GONE1,Gone,Active');
    expect(upload.body.rows[0]).toMatchObject({ outcome: 'unchanged', status: 200, warnings: [expect.stringMatching(/stays deleted/)] });

    // Its fields stay frozen: sending a different value alongside the status is still refused.
    const renamed = await srs.patch(`${C}/GONE1`, { status: 'active', courseName: 'Back again' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.errors).toEqual([{ field: 'courseName', message: 'The course is permanently deleted' }]);
    expect((await srs.get(`${C}/GONE1`)).body).toMatchObject({ status: 'deleted', courseName: 'Gone' });
    expect((await hub.admin.get(`${C}/GONE1/history`)).body.changes).toHaveLength(changesAfterDelete);
  });

  it('submitting the same course again (a retry after a lost answer) is no change; other fields are still a 409', async () => {
    const course = { courseCode: 'RETRY1', courseName: 'Retried', numberOfWeeks: 10, numberOfStudents: 30, department: 'History' };
    expect((await srs.post(C, course)).status).toBe(201);
    const again = await srs.post(C, course);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'unchanged', course: { ...course, status: 'active', version: 1 }, warnings: [] });
    const reference = await srs.request('POST', `${R}/SubmitCourse?hei=1&coursecode=RETRY1&coursename=Retried&numberofweeks=10&numberofstudents=30&department=History`);
    expect(reference.body).toMatchObject({ status: 'Success', 'status-code': 200 });
    expect(reference.body['status-message']).toMatch(/already exists with these fields: no change/);
    const bulk = await srs.post(`${C}/bulk?mode=submit`, { rows: [course] });
    expect(bulk.body).toMatchObject({ unchanged: 1, failed: 0, rows: [{ outcome: 'unchanged', status: 200 }] });
    expect((await hub.admin.get(`${C}/RETRY1/history`)).body.changes).toHaveLength(1); // only the create

    // Left out, numbers keep their defaults: a resubmit without them matches a course that has them.
    expect((await srs.post(C, { courseCode: 'RETRY2', courseName: 'Defaults' })).status).toBe(201);
    expect((await srs.post(C, { courseCode: 'RETRY2', courseName: 'Defaults', numberOfWeeks: 52, numberOfStudents: 0 })).body.outcome).toBe('unchanged');

    const different = await srs.post(C, { ...course, numberOfStudents: 31 });
    expect(different.status).toBe(409);
    expect(different.body.detail).toMatch(/already exists with a different numberOfStudents/);
    expect(different.body.errors).toEqual([{ field: 'courseCode', message: 'Already used by another course' }]);
    expect((await srs.get(`${C}/RETRY1`)).body.numberOfStudents).toBe(30);
    await srs.patch(`${C}/RETRY1`, { status: 'archived' });
    expect((await srs.post(C, course)).status).toBe(409); // a submit makes an active course: an archived one is not what it asked for
  });

  it('an amend that sends the version it read is refused with 409 and the current version when another writer changed the course', async () => {
    const lists = await hub.token('Record system', 'record_system'); // a reading-list vendor writing the same course
    expect((await srs.post(C, { courseCode: 'VER1', courseName: 'Versioned', numberOfStudents: 10 })).body.course.version).toBe(1);
    const first = await srs.patch(`${C}/VER1`, { numberOfStudents: 12, version: 1 });
    expect(first.status).toBe(200);
    expect(first.body.course).toMatchObject({ numberOfStudents: 12, version: 2 });

    const stale = await lists.patch(`${C}/VER1`, { numberOfStudents: 99, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ currentVersion: 2, current: { numberOfStudents: 12 }, errors: [{ field: 'version' }] });
    const row = await lists.post(`${C}/bulk`, { rows: [{ courseCode: 'VER1', numberOfStudents: 99, version: 1 }] });
    expect(row.body.rows[0]).toMatchObject({ outcome: 'error', status: 409 });
    expect(row.body.rows[0].errors[0].field).toBe('version');
    expect((await srs.get(`${C}/VER1`)).body).toMatchObject({ numberOfStudents: 12, version: 2 });

    expect((await lists.patch(`${C}/VER1`, { numberOfStudents: 13, version: 2 })).body.course).toMatchObject({ numberOfStudents: 13, version: 3 });
    expect((await lists.patch(`${C}/VER1`, { numberOfStudents: 14 })).body.course.version).toBe(4); // left out: unconditional, as before
    const bad = await lists.patch(`${C}/VER1`, { version: 'latest' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('version');
  });

  it('a new course may say it is active, as a record system sends every row; another status is refused naming the field', async () => {
    const upload = await csv('CourseCode,CourseName,NumberOfWeeks,Status', 'NEW1,New One,12,Active', 'NEW2,New Two,12,Archived', 'NEW3,New Three,12,');
    expect(upload.body.rows.map((r: { outcome: string; status: number }) => [r.outcome, r.status])).toEqual([
      ['created', 201],
      ['error', 422],
      ['created', 201],
    ]);
    expect(upload.body.rows[1].errors[0]).toEqual({ field: 'status', message: 'A new course is always active: send active or leave status out' });
    expect((await srs.get(`${C}/NEW1`)).body).toMatchObject({ courseName: 'New One', numberOfWeeks: 12, status: 'active' });
    expect((await srs.get(`${C}/NEW2`)).status).toBe(404);

    expect((await srs.post(C, { courseCode: 'NEW4', courseName: 'New Four', status: 'active' })).status).toBe(201);
    const archived = await srs.post(C, { courseCode: 'NEW5', courseName: 'New Five', status: 'archived' });
    expect(archived.status).toBe(400);
    expect(archived.body.errors[0].field).toBe('status');
    const reference = await srs.request('POST', `${R}/SubmitCourse?hei=1&coursecode=NEW6&coursename=New%20Six&status=Active`);
    expect(reference.body).toMatchObject({ status: 'Success', 'status-code': 200 });
    expect((await srs.get(`${C}/NEW6`)).body.status).toBe('active');
  });

  it('a read that takes no query parameters refuses any, naming each, rather than ignoring them', async () => {
    const clients = await hub.admin.get('/api/v1/course-api/clients?limit=999999&sort=zzz');
    expect(clients.status).toBe(400);
    expect(clients.body.errors).toEqual([
      { field: 'querystring.limit', message: 'Unknown field' },
      { field: 'querystring.sort', message: 'Unknown field' },
    ]);
    for (const path of [`${C}/NEW1`, `${C}/NEW1/history`, '/api/v1/course-api/rollover', '/api/v1/course-api/settings']) {
      const res = await hub.admin.get(`${path}?limit=5`);
      expect(res.status, path).toBe(400);
      expect(res.body.errors, path).toEqual([{ field: 'querystring.limit', message: 'Unknown field' }]);
    }
  });
});
