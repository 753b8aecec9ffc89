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
});
