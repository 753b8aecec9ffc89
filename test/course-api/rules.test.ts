import { describe, expect, it } from 'vitest';
import {
  academicYear,
  codeKey,
  courseSubmit,
  fromFlatFields,
  leadLecturerErrors,
  nameKey,
  planAmend,
  statusTransition,
  zeroDropWarning,
  type CourseState,
} from '../../src/course-api/rules.ts';

const course: CourseState = {
  courseCode: 'HIS101',
  courseName: 'Ancient Rome',
  numberOfWeeks: 12,
  numberOfStudents: 85,
  department: 'History',
  subject: null,
  leadLecturer: 'Mary Beard',
  leadLecturerEmail: 'mb@example.ac.uk',
  status: 'active',
};

describe('amend rules', () => {
  it('keeps every omitted field: a name-only amend never resets students to 0 or weeks to 52', () => {
    const plan = planAmend(course, { courseName: 'Rome' });
    expect(plan).toMatchObject({ ok: true, changed: ['courseName'] });
    if (plan.ok) expect(plan.next).toEqual({ ...course, courseName: 'Rome' });
  });
  it('Deleted is final: asking to leave it is no change (with a warning), amending its fields is refused', () => {
    const deleted = { ...course, status: 'deleted' as const };
    for (const status of ['active', 'archived'] as const)
      expect(planAmend(deleted, { status })).toMatchObject({ ok: true, changed: [], next: { status: 'deleted' }, warnings: [expect.stringMatching(/stays deleted/)] });
    expect(planAmend(deleted, { status: 'active', numberOfStudents: 3 })).toMatchObject({ ok: false, kind: 'permanent', errors: [{ field: 'numberOfStudents' }] });
    expect(planAmend(deleted, { numberOfStudents: 3 })).toMatchObject({ ok: false, kind: 'permanent' });
    expect(planAmend(deleted, {})).toMatchObject({ ok: true, changed: [] });
  });
  it('deleting needs confirm "delete"; archiving and restoring do not', () => {
    expect(statusTransition('active', 'deleted', undefined)).toMatchObject({ ok: false, kind: 'confirm', field: 'confirm' });
    expect(statusTransition('archived', 'deleted', 'delete')).toEqual({ ok: true, to: 'deleted' });
    expect(statusTransition('active', 'archived', undefined)).toEqual({ ok: true, to: 'archived' });
    expect(statusTransition('archived', 'active', undefined)).toEqual({ ok: true, to: 'active' });
    expect(statusTransition('archived', undefined, undefined)).toEqual({ ok: true, to: 'archived' });
  });
  it('needs the lead lecturer and their email together, on the resulting state', () => {
    expect(leadLecturerErrors({ leadLecturer: 'A', leadLecturerEmail: null })).toEqual([{ field: 'leadLecturerEmail', message: expect.any(String) }]);
    expect(leadLecturerErrors({ leadLecturer: null, leadLecturerEmail: 'a@b.c' })[0].field).toBe('leadLecturer');
    expect(planAmend(course, { leadLecturer: null })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(planAmend(course, { leadLecturer: null, leadLecturerEmail: null })).toMatchObject({ ok: true });
    expect(planAmend(course, { leadLecturerEmail: 'new@example.ac.uk' })).toMatchObject({ ok: true });
  });
});

describe('submit validation', () => {
  it('defaults to 52 weeks and checks ranges, whole numbers and email format', () => {
    expect(courseSubmit.parse({ courseCode: 'X1', courseName: 'X' })).toMatchObject({ numberOfWeeks: 52, allowSimilar: false });
    const bad = courseSubmit.safeParse({ courseCode: 'X1', courseName: 'X', numberOfWeeks: 53, numberOfStudents: 1.5, leadLecturer: 'A', leadLecturerEmail: 'not-mail' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0]).sort()).toEqual(['leadLecturerEmail', 'numberOfStudents', 'numberOfWeeks']);
    expect(courseSubmit.safeParse({ courseCode: 'X1', courseName: 'X', numberOfWeeks: 0 }).success).toBe(false);
    expect(courseSubmit.safeParse({ courseCode: 'X1', courseName: 'X', numberOfStudents: -1 }).success).toBe(false);
  });
});

describe('normalization', () => {
  it('codes differing only in case, spacing or punctuation share a key; names compare loosely', () => {
    expect(codeKey('MATH 101')).toBe(codeKey('math-101'));
    expect(codeKey('Math.101')).toBe('MATH101');
    expect(codeKey('MATH 102')).not.toBe(codeKey('MATH 101'));
    expect(nameKey('  Ancient   Rome!')).toBe(nameKey('ancient rome'));
  });
  it('reads flat fields (query strings, CSV) with blank meaning left out', () => {
    expect(fromFlatFields({ CourseCode: 'A1', 'Number Of Students': '', NumberOfWeeks: '10', Status: 'Archived', hei: '5', Colour: 'x' }, ['hei'])).toEqual({
      value: { courseCode: 'A1', numberOfWeeks: 10, status: 'archived' },
      unknown: ['Colour'],
    });
  });
});

describe('academic year and rollover', () => {
  it('rolls on 15 June in the institution time zone', () => {
    // 14 June 23:30 UTC is already 15 June in London (BST) but not in New York.
    const instant = new Date('2026-06-14T23:30:00Z');
    expect(academicYear(instant, 'Europe/London').label).toBe('2026-27');
    expect(academicYear(instant, 'America/New_York').label).toBe('2025-26');
    const y = academicYear(new Date('2026-03-20T12:00:00Z'), 'Europe/London');
    expect(y).toMatchObject({ label: '2025-26', startsOn: '2025-06-15', nextRolloverOn: '2026-06-15', zeroStudentWindowStartsOn: '2026-03-15', inZeroStudentWindow: true, daysUntilRollover: 87 });
    expect(academicYear(new Date('2026-03-14T12:00:00Z'), 'Europe/London').inZeroStudentWindow).toBe(false);
  });
  it('honours a configured date', () => {
    expect(academicYear(new Date('2026-08-02T12:00:00Z'), 'UTC', { month: 8, day: 1 })).toMatchObject({ label: '2026-27', nextRolloverOn: '2027-08-01' });
  });
  it('warns about a drop to 0 only shortly before rollover', () => {
    const inWindow = academicYear(new Date('2026-05-01T12:00:00Z'), 'UTC');
    const early = academicYear(new Date('2025-11-01T12:00:00Z'), 'UTC');
    expect(zeroDropWarning(40, 0, inWindow)).toMatch(/dropped from 40 to 0/);
    expect(zeroDropWarning(40, 0, early)).toBeUndefined();
    expect(zeroDropWarning(0, 0, inWindow)).toBeUndefined();
    expect(zeroDropWarning(40, 12, inWindow)).toBeUndefined();
  });
});
