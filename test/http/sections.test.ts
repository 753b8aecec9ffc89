import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let s: Awaited<ReturnType<typeof seedSchedule>>;
beforeAll(async () => {
  hub = await startHub();
  s = await seedSchedule(hub.admin);
});
afterAll(() => hub?.close());

const lecture = () => ({
  termId: s.term.id,
  courseId: s.calc.id,
  sectionNumber: 'A1',
  component: 'LEC',
  capacity: 35,
  meetings: [{ days: 'MWF', startTime: '09:00', endTime: '09:50', roomId: s.room1.id }],
  instructors: [{ instructorId: s.ada.id }],
});

describe('sections over HTTP', () => {
  it('creates, reads, edits, cancels and deletes a section, auditing each write', async () => {
    const created = await hub.admin.post('/api/v1/sections', lecture());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      subject: 'MATH',
      courseNumber: '221',
      sectionNumber: 'A1',
      status: 'active',
      version: 1,
      sisKey: null,
      meetings: [{ days: 'MWF', startTime: '09:00', endTime: '09:50', roomId: s.room1.id, startDate: null }],
      instructors: [{ instructorId: s.ada.id, role: 'primary' }],
    });
    const id = created.body.id;

    expect((await hub.admin.get(`/api/v1/sections/${id}`)).body.capacity).toBe(35);

    const edited = await hub.admin.patch(`/api/v1/sections/${id}`, {
      version: 1,
      capacity: 50,
      meetings: [{ days: 'TR', startTime: '10:00', endTime: '11:15', roomId: s.room2.id }],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ capacity: 50, version: 2, meetings: [{ days: 'TR', roomId: s.room2.id }] });
    expect(edited.body.instructors).toHaveLength(1); // omitted lists stay as they were

    const cancelled = await hub.admin.post(`/api/v1/sections/${id}/cancel`, { version: 2 });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', version: 3 });

    expect((await hub.admin.del(`/api/v1/sections/${id}?version=3`)).status).toBe(204);
    expect((await hub.admin.get(`/api/v1/sections/${id}`)).status).toBe(404);

    const audit = await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['delete', 'cancel', 'update', 'create']);
    const update = audit.body.items[2];
    expect(update.actor).toMatchObject({ type: 'user', name: 'registrar@example.edu' });
    expect(update.changes.capacity).toEqual({ before: 35, after: 50 });
  });

  it('answers an edit with the section exactly as a read of it shows afterwards', async () => {
    const { body } = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'E1' });
    const scalars = await hub.admin.patch(`/api/v1/sections/${body.id}`, { version: 1, capacity: 41, title: 'Calculus, evenings', credits: 3.5, campus: 'NORTH' });
    expect(scalars.status).toBe(200);
    expect(scalars.body).toMatchObject({ capacity: 41, title: 'Calculus, evenings', credits: 3.5, campus: 'NORTH', version: 2 });
    expect(scalars.body.updatedAt).not.toBe(body.updatedAt);
    expect(scalars.body).toEqual((await hub.admin.get(`/api/v1/sections/${body.id}`)).body);

    const lists = await hub.admin.patch(`/api/v1/sections/${body.id}`, {
      version: 2,
      instructors: [],
      meetings: [{ days: 'TR', startTime: '18:00', endTime: '19:15', roomId: null }],
    });
    expect(lists.body).toMatchObject({ version: 3 });
    expect(lists.body.meetings).toEqual([{ days: 'TR', startTime: '18:00', endTime: '19:15', startDate: null, endDate: null, roomId: null, weekInterval: 1 }]);
    expect(lists.body).toEqual((await hub.admin.get(`/api/v1/sections/${body.id}`)).body);
  });

  it('holds a meeting every n weeks: weekly when a client does not say, every other week when it says 2', async () => {
    const weekly = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'W1' });
    expect(weekly.status).toBe(201);
    expect(weekly.body.meetings).toEqual([expect.objectContaining({ days: 'MWF', weekInterval: 1 })]);
    const lab = { days: 'R', startTime: '14:00', endTime: '16:50', roomId: s.room1.id, weekInterval: 2 };
    const biweekly = await hub.admin.patch(`/api/v1/sections/${weekly.body.id}`, { version: 1, meetings: [lecture().meetings[0], lab] });
    expect(biweekly.status, JSON.stringify(biweekly.body)).toBe(200);
    expect(biweekly.body.meetings.map((m: { weekInterval: number }) => m.weekInterval)).toEqual([1, 2]);
    expect((await hub.admin.get(`/api/v1/sections/${weekly.body.id}`)).body.meetings[1]).toMatchObject(lab);
    // A change of interval alone is a change of the timetable, audited as one.
    const weeklyAgain = await hub.admin.patch(`/api/v1/sections/${weekly.body.id}`, { version: 2, meetings: [lecture().meetings[0], { ...lab, weekInterval: 1 }] });
    expect(weeklyAgain.body.version).toBe(3);
    const audit = await hub.admin.get(`/api/v1/audit?entityType=section&entityId=${weekly.body.id}`);
    expect(audit.body.items[0].changes.meetings.before[1].weekInterval).toBe(2);

    const range = 'Give every how many weeks the meeting is held: a whole number from 1 (weekly) to 52';
    for (const weekInterval of [0, 53, 1.5, '2', null]) {
      const refused = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'W2', meetings: [{ ...lab, weekInterval }] });
      expect(refused.status, String(weekInterval)).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'meetings.0.weekInterval', message: range }]);
    }
  });

  it('answers 409 with the current version when the edit is based on a stale one', async () => {
    const { body } = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'B1' });
    await hub.admin.patch(`/api/v1/sections/${body.id}`, { version: 1, capacity: 10 });
    const stale = await hub.admin.patch(`/api/v1/sections/${body.id}`, { version: 1, capacity: 99 });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body).toMatchObject({ status: 409, currentVersion: 2, current: { capacity: 10 } });
    expect((await hub.admin.get(`/api/v1/sections/${body.id}`)).body.capacity).toBe(10);
  });

  it('names every invalid field in a problem+json answer and refuses unknown fields', async () => {
    const res = await hub.admin.post('/api/v1/sections', {
      ...lecture(),
      sectionNumber: '',
      capacity: -1,
      meetings: [{ days: 'FM', startTime: '10:00', endTime: '09:00' }],
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['sectionNumber', 'capacity', 'meetings.0.days', 'colour']));
  });

  it("refuses to set the SIS number, the SIS's own, naming it in every write that could send it", async () => {
    const refusal = [{ field: 'sisNumber', message: 'The SIS number comes from the SIS and cannot be set in the hub' }];
    const created = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'SN1', sisNumber: '40507' });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual(refusal);
    const section = (await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'SN1' })).body;
    expect(section.sisNumber).toBeNull(); // until the SIS tells
    const patched = await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, sisNumber: '40507' });
    expect(patched.status).toBe(400);
    expect(patched.headers.get('content-type')).toContain('application/problem+json');
    expect(patched.body.errors).toEqual(refusal);
    const bulk = await hub.admin.post('/api/v1/sections/bulk-edit', { edits: [{ id: section.id, version: section.version, sisNumber: null }] });
    expect(bulk.status).toBe(400);
    expect(bulk.body.errors).toEqual([{ ...refusal[0], field: 'edits.0.sisNumber' }]);
    expect((await hub.admin.get(`/api/v1/sections/${section.id}`)).body).toMatchObject({ version: section.version, sisNumber: null });
  });

  it('reports references to missing rooms or instructors as field errors, not 500', async () => {
    const res = await hub.admin.post('/api/v1/sections', {
      ...lecture(),
      sectionNumber: 'C1',
      meetings: [{ days: 'M', startTime: '08:00', endTime: '09:00', roomId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'meetings.0.roomId', message: 'No such room' }]);
  });

  it('refuses a second section with the same number for the course and term', async () => {
    await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'D1' });
    const dup = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'D1' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].field).toBe('sectionNumber');
  });

  it('refuses the NUL character, which PostgreSQL cannot store, naming the field wherever it comes', async () => {
    const created = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'N1' });
    const edit = await hub.admin.patch(`/api/v1/sections/${created.body.id}`, { version: created.body.version, title: 'a\u0000b' });
    expect(edit.status).toBe(400);
    expect(edit.headers.get('content-type')).toContain('application/problem+json');
    expect(edit.body.errors).toEqual([{ field: 'title', message: expect.stringMatching(/^Must not contain the NUL character/) }]);
    const nested = await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'N2', meetings: [{ days: 'M', startTime: '08:00', endTime: '09:00', roomId: 'x\u0000' }] });
    expect(nested.body.errors.map((e: { field: string }) => e.field)).toEqual(['meetings.0.roomId']);
    const search = await hub.admin.get('/api/v1/sections?q=a%00b');
    expect(search.status).toBe(400);
    expect(search.body.errors[0].field).toBe('querystring.q');
    const course = await hub.admin.post('/api/v1/course-api/courses', { courseCode: 'MATH\u0000' });
    expect(course.status).toBe(400);
    expect((await hub.admin.get(`/api/v1/sections/${created.body.id}`)).body.version).toBe(created.body.version);
  });

  it('answers malformed JSON and unknown routes with problem+json', async () => {
    const bad = await hub.admin.request('POST', '/api/v1/sections', '{"termId":', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const missing = await hub.admin.get('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.title).toBe('Not found');
  });

  it('words each field error for the person who reads it beside the field, not in zod terms', async () => {
    const created = await hub.admin.post('/api/v1/sections', {
      ...lecture(),
      sectionNumber: 'M1',
      capacity: -5,
      credits: 120,
      instructionMode: 'telepathy',
      meetings: [{ days: 'MW', startTime: '9am', endTime: '10:00', startDate: '2026-02-30', roomId: 'room 314' }],
    });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'capacity', message: 'Capacity cannot be negative' },
        { field: 'credits', message: 'Credits must be between 0 and 99' },
        { field: 'instructionMode', message: 'Instruction mode must be in_person, online, hybrid or arranged' },
        { field: 'meetings.0.startTime', message: 'Use 24-hour HH:MM' },
        { field: 'meetings.0.startDate', message: 'Use a date YYYY-MM-DD' },
        { field: 'meetings.0.roomId', message: 'Room must be an id (a UUID)' },
      ]),
    );
    const { termId, courseId, ...rest } = lecture();
    const incomplete = await hub.admin.post('/api/v1/sections', { ...rest, termId, sectionNumber: 'M2', capacity: 2.5, title: 'x'.repeat(101) });
    expect(incomplete.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'courseId', message: 'Course is required' },
        { field: 'capacity', message: 'Capacity must be a whole number' },
        { field: 'title', message: 'Title is at most 100 characters' },
      ]),
    );
    const section = (await hub.admin.post('/api/v1/sections', { ...lecture(), sectionNumber: 'M3' })).body;
    const edit = await hub.admin.patch(`/api/v1/sections/${section.id}`, { capacity: 100_001 });
    expect(edit.body.errors).toEqual([
      { field: 'capacity', message: 'Capacity cannot be more than 100,000' },
      { field: 'version', message: 'Send the version you read' },
    ]);
    // No message anywhere still speaks zod's language.
    for (const e of [...created.body.errors, ...incomplete.body.errors, ...edit.body.errors]) expect(e.message).not.toMatch(/Too (small|big)|Invalid input|expected/);
  });
});

describe('cursors', () => {
  it('refuses a cursor it did not issue, or one naming a row no longer in the list, naming the field, rather than ending the list early', async () => {
    const forged = await hub.admin.get('/api/v1/courses?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([{ field: 'querystring.cursor', message: 'Invalid cursor' }]);

    const extra = [];
    for (const number of ['901', '902', '903']) extra.push((await hub.admin.post('/api/v1/courses', { subject: 'ZZZ', number, title: `Last ${number}`, credits: 1 })).body);
    const first = await hub.admin.get('/api/v1/courses?subject=ZZZ&limit=1');
    expect(first.body.items.map((c: { number: string }) => c.number)).toEqual(['901']);
    expect((await hub.admin.get(`/api/v1/courses?subject=ZZZ&limit=1&cursor=${first.body.nextCursor}`)).body.items[0].number).toBe('902');
    // The row the cursor names is deleted before the client asks for the next page.
    expect((await hub.admin.del(`/api/v1/courses/${extra[0].id}?version=${extra[0].version}`)).status).toBe(204);
    const after = await hub.admin.get(`/api/v1/courses?subject=ZZZ&limit=1&cursor=${first.body.nextCursor}`);
    expect(after.status).toBe(400);
    expect(after.body.detail).toMatch(/start again from the first page/);

    // A course's cursor handed to the sections list.
    const crossed = await hub.admin.get(`/api/v1/sections?cursor=${(await hub.admin.get('/api/v1/courses?limit=1')).body.nextCursor}`);
    expect(crossed.status).toBe(400);
    expect(crossed.body.errors[0].field).toBe('querystring.cursor');
    const courseApi = await hub.admin.get(`/api/v1/course-api/courses?cursor=${first.body.nextCursor}`);
    expect(courseApi.status).toBe(400);
  });
});
