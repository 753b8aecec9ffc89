import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleByName } from '../../src/auth/roles.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { Client, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let now = new Date('2025-11-03T10:00:00Z');
let hub: Hub;
let srs: Client; // the student record system
let lists: Client; // a reading-list vendor, a second client of the same API
let srsSecret: string;
const C = '/api/v1/course-api/courses';

async function recordSystem(name: string): Promise<{ client: Client; secret: string }> {
  const role = await roleByName(hub.db, 'Record system');
  const { secret } = await createToken(hub.db, SYSTEM_ACTOR, { name, roleId: role.id, kind: 'record_system' });
  return { client: new Client(hub.url, { bearer: secret }), secret };
}

beforeAll(async () => {
  hub = await startHub({ clock: () => now });
  ({ client: srs, secret: srsSecret } = await recordSystem('SITS'));
  ({ client: lists } = await recordSystem('Reading lists'));
});
afterAll(() => hub?.close());

const submit = (client: Client, body: Record<string, unknown>) => client.post(C, body);

describe('Course API: the dangerous cases', () => {
  it('a partial amend keeps student numbers and weeks (never resets them to 0 or 52)', async () => {
    const created = await submit(srs, { courseCode: 'HIS101', courseName: 'Ancient Rome', numberOfWeeks: 12, numberOfStudents: 85 });
    expect(created.status).toBe(201);
    expect(created.body.course).toMatchObject({ courseCode: 'HIS101', status: 'active', numberOfStudents: 85, numberOfWeeks: 12 });
    const amended = await srs.patch(`${C}/HIS101`, { courseName: 'Ancient Rome and its Empire' });
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ outcome: 'amended', course: { courseName: 'Ancient Rome and its Empire', numberOfStudents: 85, numberOfWeeks: 12, status: 'active' } });
    expect((await srs.get(`${C}/HIS101`)).body).toMatchObject({ numberOfStudents: 85, numberOfWeeks: 12 });
  });

  it('Deleted needs confirm "delete" to enter, and its fields are frozen', async () => {
    await submit(srs, { courseCode: 'DEL1', courseName: 'To delete' });
    const unconfirmed = await srs.patch(`${C}/DEL1`, { status: 'deleted' });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.body.errors[0].field).toBe('confirm');
    expect((await srs.get(`${C}/DEL1`)).body.status).toBe('active');
    const deleted = await srs.patch(`${C}/DEL1`, { status: 'deleted', confirm: 'delete' });
    expect(deleted.body.course.status).toBe('deleted');
    const frozen = await srs.patch(`${C}/DEL1`, { numberOfStudents: 4 });
    expect(frozen.status).toBe(409);
    expect(frozen.headers.get('content-type')).toContain('application/problem+json');
    expect(frozen.body.detail).toMatch(/permanent/);
    expect(frozen.body.errors[0].field).toBe('numberOfStudents');
    const again = await submit(srs, { courseCode: 'DEL1', courseName: 'Reborn' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/permanently deleted/);
    expect((await srs.get(`${C}/DEL1`)).body.status).toBe('deleted');
  });

  it('a mismatched code gives 404 naming similar codes, and changes nothing', async () => {
    await submit(srs, { courseCode: 'MATH 101', courseName: 'Calculus', numberOfStudents: 10 });
    const res = await srs.patch(`${C}/${encodeURIComponent('math101')}`, { numberOfStudents: 200 });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/matches exactly/);
    expect(res.body.similar).toEqual([{ courseCode: 'MATH 101', courseName: 'Calculus', status: 'active' }]);
    expect((await srs.get(`${C}/${encodeURIComponent('MATH 101')}`)).body.numberOfStudents).toBe(10);
    expect((await srs.get(`${C}/NOPE`)).status).toBe(404);
  });

  it('two clients amending one course are both audited, and an admin sees which clients touched it', async () => {
    await submit(srs, { courseCode: 'ENG200', courseName: 'Shakespeare', numberOfStudents: 30 });
    expect((await lists.patch(`${C}/ENG200`, { numberOfWeeks: 10 })).status).toBe(200);
    expect((await srs.patch(`${C}/ENG200`, { numberOfStudents: 31 })).status).toBe(200);
    const history = await hub.admin.get(`${C}/ENG200/history`);
    expect(history.status).toBe(200);
    expect(history.body.clients.map((c: { name: string; changes: number }) => [c.name, c.changes])).toEqual([
      ['token:SITS', 2],
      ['token:Reading lists', 1],
    ]);
    expect(history.body.changes.map((c: { action: string; actor: { name: string } }) => [c.action, c.actor.name])).toEqual([
      ['update', 'token:SITS'],
      ['update', 'token:Reading lists'],
      ['create', 'token:SITS'],
    ]);
    expect(history.body.changes[0].changes).toEqual({ numberOfStudents: { before: 30, after: 31 } });
    expect(history.body.changes[1].changes).toEqual({ numberOfWeeks: { before: 52, after: 10 } });
    const audit = await hub.admin.get(`/api/v1/audit?entityType=course_api_course&entityId=${history.body.course.id}`);
    expect(audit.body.items).toHaveLength(3);
    const clients = await hub.admin.get('/api/v1/course-api/clients');
    expect(clients.body.find((c: { name: string }) => c.name === 'Reading lists')).toMatchObject({ coursesTouched: 1 });
    const touched = await hub.admin.get(`${C}?clientId=${clients.body.find((c: { name: string }) => c.name === 'Reading lists').id}`);
    expect(touched.body.items.map((c: { courseCode: string }) => c.courseCode)).toEqual(['ENG200']);
  });

  it('a bulk request with mixed valid and invalid rows reports each row and applies only the valid ones', async () => {
    await submit(srs, { courseCode: 'BIO100', courseName: 'Cells', numberOfStudents: 50, numberOfWeeks: 20 });
    const res = await srs.post(`${C}/bulk?mode=upsert`, {
      rows: [
        { courseCode: 'BIO100', numberOfStudents: 55 },
        { courseCode: 'BIO200', courseName: 'Genetics', numberOfStudents: 40 },
        { courseCode: 'BIO300', courseName: 'Ecology', numberOfWeeks: 60 },
        { courseCode: 'bio-100', courseName: 'Cells again' },
        { courseCode: 'BIO400', courseName: 'Botany', leadLecturer: 'Dr Green' },
        { courseName: 'No code' },
        { courseCode: 'BIO100', status: 'deleted' },
        { courseCode: 'BIO100', numberOfStudents: 55 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'upsert', total: 8, created: 1, amended: 1, unchanged: 1, failed: 5 });
    const rows = res.body.rows;
    expect(rows.map((r: { row: number; outcome: string; status: number }) => [r.row, r.outcome, r.status])).toEqual([
      [1, 'amended', 200],
      [2, 'created', 201],
      [3, 'error', 400],
      [4, 'error', 409],
      [5, 'error', 422],
      [6, 'error', 400],
      [7, 'error', 422],
      [8, 'unchanged', 200],
    ]);
    expect(rows[2].errors[0].field).toBe('numberOfWeeks');
    expect(rows[4].errors[0].field).toBe('leadLecturerEmail');
    expect(rows[5].errors[0].field).toBe('courseCode');
    expect(rows[6].errors[0].field).toBe('confirm');
    expect((await srs.get(`${C}/BIO100`)).body).toMatchObject({ numberOfStudents: 55, numberOfWeeks: 20, status: 'active' });
    expect((await srs.get(`${C}/BIO300`)).status).toBe(404);
    expect((await srs.get(`${C}/BIO400`)).status).toBe(404);
  });

  it('rollover: an injected clock decides the year, the guard warns of drops to 0, and empty courses are archived on request', async () => {
    expect((await hub.admin.patch('/api/v1/course-api/settings', { timeZone: 'UTC' })).body.effectiveTimeZone).toBe('UTC');
    now = new Date('2026-04-20T09:00:00Z'); // within 3 months of 15 June 2026
    await submit(srs, { courseCode: 'PHY100', courseName: 'Mechanics', numberOfStudents: 120 });
    await submit(srs, { courseCode: 'PHY999', courseName: 'Never taught' });
    const drop = await srs.patch(`${C}/PHY100`, { numberOfStudents: 0 });
    expect(drop.body.warnings[0]).toMatch(/dropped from 120 to 0/);
    const guard = await hub.admin.get('/api/v1/course-api/rollover');
    expect(guard.body).toMatchObject({ academicYear: '2025-26', nextRolloverOn: '2026-06-15', zeroStudentWindowStartsOn: '2026-03-15', inZeroStudentWindow: true, timeZone: 'UTC' });
    expect(guard.body.droppedToZero.items.map((c: { courseCode: string }) => c.courseCode)).toEqual(['PHY100']);
    expect(guard.body.zeroStudentCourses.items.map((c: { courseCode: string }) => c.courseCode)).toEqual(expect.arrayContaining(['PHY100', 'PHY999']));
    expect(guard.body.warnings).toHaveLength(2);

    expect((await srs.post('/api/v1/course-api/rollover/archive-empty', { confirm: 'archive' })).status).toBe(403);
    expect((await hub.admin.post('/api/v1/course-api/rollover/archive-empty', {})).status).toBe(422);
    const dry = await hub.admin.post('/api/v1/course-api/rollover/archive-empty', { dryRun: true });
    expect(dry.body.archived.length).toBeGreaterThanOrEqual(2);
    expect((await srs.get(`${C}/PHY999`)).body.status).toBe('active');
    const archived = await hub.admin.post('/api/v1/course-api/rollover/archive-empty', { confirm: 'archive' });
    expect(archived.body.archived.map((c: { courseCode: string }) => c.courseCode)).toEqual(expect.arrayContaining(['PHY100', 'PHY999']));
    expect((await srs.get(`${C}/PHY999`)).body.status).toBe('archived');
    const history = await hub.admin.get(`${C}/PHY999/history`);
    expect(history.body.changes[0]).toMatchObject({ action: 'archive_empty_at_rollover', actor: { name: 'registrar@example.edu' } });
    expect((await hub.admin.get('/api/v1/course-api/rollover')).body.zeroStudentCourses.count).toBe(0);

    // The year rolls on 15 June: numbers written after it are kept apart from the previous year's.
    await submit(srs, { courseCode: 'CHEM1', courseName: 'Chemistry', numberOfStudents: 70 });
    now = new Date('2026-06-15T00:30:00Z');
    expect((await hub.admin.get('/api/v1/course-api/rollover')).body).toMatchObject({ academicYear: '2026-27', inZeroStudentWindow: false, warnings: [] });
    await srs.patch(`${C}/CHEM1`, { numberOfStudents: 64 });
    const years = (await hub.admin.get(`${C}/CHEM1/history`)).body.studentNumbers;
    expect(years.map((y: { academicYear: string; numberOfStudents: number }) => [y.academicYear, y.numberOfStudents])).toEqual([
      ['2026-27', 64],
      ['2025-26', 70],
    ]);
  });

  it('the rollover date and time zone are configurable', async () => {
    now = new Date('2026-06-14T23:30:00Z');
    expect((await hub.admin.get('/api/v1/course-api/rollover')).body.academicYear).toBe('2025-26');
    const set = await hub.admin.patch('/api/v1/course-api/settings', { timeZone: 'Europe/London' });
    expect(set.body).toMatchObject({ effectiveTimeZone: 'Europe/London', rolloverMonth: 6, rolloverDay: 15 });
    expect((await hub.admin.get('/api/v1/course-api/rollover')).body.academicYear).toBe('2026-27');
    expect((await hub.admin.patch('/api/v1/course-api/settings', { rolloverMonth: 2, rolloverDay: 30 })).status).toBe(422);
    expect((await hub.admin.patch('/api/v1/course-api/settings', { timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await hub.admin.patch('/api/v1/course-api/settings', { timeZone: null })).body.timeZone).toBeNull(); // the institution's zone again
    await hub.admin.patch('/api/v1/course-api/settings', { timeZone: 'UTC' });
    now = new Date('2025-11-03T10:00:00Z');
  });
});

describe('Course API: submit and amend rules', () => {
  it('validates fields and names each offending one', async () => {
    const res = await submit(srs, { courseCode: 'V1', courseName: '', numberOfWeeks: 0, numberOfStudents: -2, leadLecturerEmail: 'x@' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['courseName', 'numberOfWeeks', 'numberOfStudents', 'leadLecturerEmail']));
    const lecturer = await submit(srs, { courseCode: 'V1', courseName: 'V', leadLecturerEmail: 'a@example.ac.uk' });
    expect(lecturer.status).toBe(422);
    expect(lecturer.body.errors).toEqual([{ field: 'leadLecturer', message: 'Required when leadLecturerEmail is given' }]);
    const defaults = await submit(srs, { courseCode: 'V1', courseName: 'V', leadLecturer: 'A', leadLecturerEmail: 'a@example.ac.uk' });
    expect(defaults.body.course).toMatchObject({ numberOfWeeks: 52, numberOfStudents: 0, status: 'active', studentNumbersSource: 'client' });
  });

  it('refuses an existing code with 409 pointing to amend, and similar codes or names unless allowSimilar', async () => {
    await submit(srs, { courseCode: 'ART 10', courseName: 'Drawing' });
    const dup = await submit(srs, { courseCode: 'ART 10', courseName: 'Other' });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ amend: '/api/v1/course-api/courses/ART%2010', existing: { courseCode: 'ART 10' } });
    expect(dup.body.detail).toMatch(/Amend it/);
    const similarCode = await submit(srs, { courseCode: 'art-10', courseName: 'Painting' });
    expect(similarCode.status).toBe(409);
    expect(similarCode.body.similar).toEqual([{ courseCode: 'ART 10', courseName: 'Drawing', status: 'active', matchedOn: 'code' }]);
    const similarName = await submit(srs, { courseCode: 'ART 11', courseName: '  drawing ' });
    expect(similarName.status).toBe(409);
    expect(similarName.body.errors[0].field).toBe('courseName');
    expect((await submit(srs, { courseCode: 'art-10', courseName: 'Painting', allowSimilar: true })).status).toBe(201);
  });

  it('renames with newCourseCode, still unique; archives and restores; leaving status out keeps it', async () => {
    await submit(srs, { courseCode: 'OLD1', courseName: 'Rename me', numberOfStudents: 9 });
    await submit(srs, { courseCode: 'TAKEN1', courseName: 'Taken' });
    const taken = await srs.patch(`${C}/OLD1`, { newCourseCode: 'TAKEN1' });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].field).toBe('newCourseCode');
    const renamed = await srs.patch(`${C}/OLD1`, { newCourseCode: 'NEW1' });
    expect(renamed.body.course).toMatchObject({ courseCode: 'NEW1', numberOfStudents: 9 });
    expect((await srs.get(`${C}/OLD1`)).status).toBe(404);
    expect((await srs.patch(`${C}/NEW1`, { status: 'archived' })).body.course.status).toBe('archived');
    expect((await srs.patch(`${C}/NEW1`, { numberOfWeeks: 30 })).body.course).toMatchObject({ status: 'archived', numberOfWeeks: 30 });
    expect((await srs.patch(`${C}/NEW1`, { status: 'active' })).body.course.status).toBe('active');
    expect((await srs.patch(`${C}/NEW1`, { numberOfWeeks: 30 })).body.outcome).toBe('unchanged');
  });

  it('applies permissions: writes need courseApi.write, reads courseApi.write or sections.view', async () => {
    expect((await hub.admin.post(C, { courseCode: 'P1', courseName: 'P' })).status).toBe(403);
    const viewer = await hub.token('Viewer');
    expect((await viewer.get(`${C}/HIS101`)).status).toBe(200);
    expect((await viewer.patch(`${C}/HIS101`, { numberOfStudents: 1 })).status).toBe(403);
    expect((await new Client(hub.url).get(`${C}/HIS101`)).status).toBe(401);
    expect((await srs.get('/api/v1/course-api/clients')).status).toBe(403);
  });

  it('lists with filters and cursor pagination', async () => {
    const page1 = await srs.get(`${C}?limit=2&status=active`);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await srs.get(`${C}?limit=2&status=active&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items[0].courseCode > page1.body.items[1].courseCode).toBe(true);
    const q = await srs.get(`${C}?q=shakespeare`);
    expect(q.body.items.map((c: { courseCode: string }) => c.courseCode)).toEqual(['ENG200']);
    const deleted = await srs.get(`${C}?status=deleted`);
    expect(deleted.body.items.map((c: { courseCode: string }) => c.courseCode)).toEqual(['DEL1']);
  });
});

describe('Course API: CSV, schedule-derived numbers, the reference API', () => {
  it('accepts a CSV upload with the reference column names and reports per row', async () => {
    const csv = [
      'Course Code,Course Name,Number Of Weeks,Number Of Students,Lead Lecturer,Lead Lecturer Email,Status',
      'CSV1,"Poetry, modern",10,25,Ann Poet,ann@example.ac.uk,',
      'CSV2,Prose,abc,,,,',
      'HIS101,,,,,,Archived',
    ].join('\r\n');
    const res = await srs.request('POST', `${C}/bulk?mode=upsert`, csv, { 'content-type': 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { outcome: string }) => r.outcome)).toEqual(['created', 'error', 'amended']);
    expect(res.body.rows[1].errors[0].field).toBe('numberOfWeeks');
    expect((await srs.get(`${C}/CSV1`)).body).toMatchObject({ courseName: 'Poetry, modern', numberOfStudents: 25, leadLecturer: 'Ann Poet' });
    expect((await srs.get(`${C}/HIS101`)).body).toMatchObject({ status: 'archived', numberOfStudents: 85 });
    const unknown = await srs.request('POST', `${C}/bulk`, 'CourseCode,Colour\nX,red\n', { 'content-type': 'text/csv' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'Colour', message: 'Unknown column' }]);
  });

  it('a dry run reports without writing; amend mode (the default) never creates', async () => {
    const dry = await srs.post(`${C}/bulk?mode=submit&dryRun=true`, { rows: [{ courseCode: 'DRY1', courseName: 'Dry' }] });
    expect(dry.body).toMatchObject({ dryRun: true, created: 1 });
    expect((await srs.get(`${C}/DRY1`)).status).toBe(404);
    const amendOnly = await srs.post(`${C}/bulk`, { rows: [{ courseCode: 'DRY1', courseName: 'Dry' }] });
    expect(amendOnly.body.rows[0]).toMatchObject({ outcome: 'error', status: 404 });
  });

  it('refuses more than 10,000 rows', async () => {
    const rows = Array.from({ length: 10_001 }, (_, i) => ({ courseCode: `R${i}` }));
    const res = await srs.post(`${C}/bulk`, { rows });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('rows');
  });

  it('derives student numbers from the schedule\'s enrolments when the client is set to', async () => {
    const s = await seedSchedule(hub.admin);
    // The counts as a SIS reported them: the hub's enrolled is its base's (migration 0011).
    for (const [n, enrolled] of [['A1', 30], ['A2', 12]] as const) {
      const section = await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: n, component: 'LEC', capacity: 40 });
      await hub.db.updateTable('sections').set({ sis_base: JSON.stringify({ enrolled }) }).where('id', '=', section.body.id).execute();
    }
    const { client: sis } = await recordSystem('SIS-linked');
    const clients = await hub.admin.get('/api/v1/course-api/clients');
    const id = clients.body.find((c: { name: string }) => c.name === 'SIS-linked').id;
    expect((await hub.admin.patch(`/api/v1/course-api/clients/${id}`, { deriveStudentNumbers: true })).body.deriveStudentNumbers).toBe(true);
    now = new Date('2026-09-01T10:00:00Z'); // academic year 2026-27 holds the Fall 2026 term
    const created = await submit(sis, { courseCode: 'MATH-221', courseName: 'Calculus I' });
    expect(created.body.course).toMatchObject({ numberOfStudents: 42, studentNumbersSource: 'schedule' });
    const explicit = await sis.patch(`${C}/MATH-221`, { numberOfStudents: 5 });
    expect(explicit.body.course).toMatchObject({ numberOfStudents: 5, studentNumbersSource: 'client' });
    const rederived = await sis.patch(`${C}/MATH-221`, { numberOfWeeks: 14 });
    expect(rederived.body.course).toMatchObject({ numberOfStudents: 42, studentNumbersSource: 'schedule', numberOfWeeks: 14 });
    const unmatched = await submit(sis, { courseCode: 'ZZZ 1', courseName: 'Unscheduled' });
    expect(unmatched.body.course.numberOfStudents).toBe(0);
    expect(unmatched.body.warnings[0]).toMatch(/not derived/);
    // A section whose enrollment the SIS does not report (Ethos): a sum without it would be too low.
    await hub.admin.post('/api/v1/sections', { termId: s.term.id, courseId: s.calc.id, sectionNumber: 'A3', component: 'LEC', capacity: 40 });
    const partly = await sis.patch(`${C}/MATH-221`, { numberOfWeeks: 15 });
    expect(partly.body.course).toMatchObject({ numberOfStudents: 42, numberOfWeeks: 15 });
    expect(partly.body.warnings).toEqual([expect.stringMatching(/not derived: the SIS does not report the enrollment of 1 of the 3 sections of MATH-221/)]);
    now = new Date('2025-11-03T10:00:00Z');
  });

  it('answers the reference API\'s SubmitCourse and AmendCourse with its envelope', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`sits:${srsSecret}`).toString('base64')}` };
    const R = '/api/v1/course-api/reference';
    const anon = new Client(hub.url);
    const sub = await anon.request('POST', `${R}/SubmitCourse?hei=42&CourseCode=REF1&CourseName=Reference%20course&NumberOfStudents=12`, undefined, basic);
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({ status: 'Success', 'status-code': 200, 'request-id': expect.any(Number) });
    const amend = await anon.request('PUT', `${R}/AmendCourse?hei=42&coursecode=REF1&coursename=Renamed&numberofweeks=`, undefined, { 'ocp-apim-subscription-key': srsSecret });
    expect(amend.body['status-code']).toBe(200);
    expect((await srs.get(`${C}/REF1`)).body).toMatchObject({ courseName: 'Renamed', numberOfStudents: 12, numberOfWeeks: 52 });
    const missing = await anon.request('PUT', `${R}/AmendCourse?hei=42&coursecode=ref1&numberofstudents=3`, undefined, basic);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'Error', 'status-code': 404 });
    expect(missing.body['status-message']).toMatch(/No course with code ref1/);
    await anon.request('PUT', `${R}/AmendCourse?hei=42&coursecode=REF1&status=Deleted&confirm=delete`, undefined, basic);
    const frozen = await anon.request('PUT', `${R}/AmendCourse?hei=42&coursecode=REF1&numberofstudents=3`, undefined, basic);
    expect(frozen.body).toMatchObject({ 'status-code': 409 });
    expect(frozen.body['status-message']).toMatch(/permanent/);
    const bad = await anon.request('POST', `${R}/SubmitCourse?hei=42&coursecode=REF2&coursename=X&numberofweeks=99`, undefined, basic);
    expect(bad.body['status-code']).toBe(422);
    expect(bad.body['status-message']).toMatch(/numberOfWeeks/);
    expect((await anon.request('POST', `${R}/SubmitCourse?coursecode=REF3&coursename=X`, undefined, basic)).body['status-code']).toBe(422);
    await hub.admin.patch('/api/v1/course-api/settings', { hei: 7 });
    expect((await anon.request('POST', `${R}/SubmitCourse?hei=42&coursecode=REF3&coursename=X`, undefined, basic)).body['status-code']).toBe(403);
    const history = await hub.admin.get(`${C}/REF1/history`);
    expect(history.body.changes.at(-1).context).toMatchObject({ via: 'reference-api', requestId: sub.body['request-id'] });
  });

  it('documents the Course API in the OpenAPI document', async () => {
    const doc = (await hub.admin.get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/course-api/courses', '/api/v1/course-api/courses/{courseCode}', '/api/v1/course-api/rollover', '/api/v1/course-api/reference/AmendCourse']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['CourseApiCourse', 'CourseApiSubmitInput', 'CourseApiBulkReport']));
  });
});
