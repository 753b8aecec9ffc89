import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adminCountWarning, productsProblem } from '../../src/domain/permissions.ts';
import { meetingInput, relationshipCreate, sectionPatch } from '../../src/domain/schedule.ts';

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('meetings', () => {
  it('accepts any ordered subset of MTWRFSU and refuses any other order', () => {
    fc.assert(
      fc.property(fc.subarray([...'MTWRFSU']), (days) => {
        expect(meetingInput.safeParse({ days: days.join('') }).success).toBe(true);
        if (days.length > 1) expect(meetingInput.safeParse({ days: [...days].reverse().join('') }).success).toBe(false);
      }),
    );
  });

  it('needs an end after the start, both times or neither, and dates in order', () => {
    expect(issues(meetingInput.safeParse({ days: 'M', startTime: '10:00', endTime: '09:00' }))).toEqual(['endTime: End time must be after start time']);
    expect(issues(meetingInput.safeParse({ days: 'M', startTime: '10:00' }))).toEqual(['endTime: Give both start and end time, or neither (arranged)']);
    expect(issues(meetingInput.safeParse({ days: 'M', startDate: '2026-09-02', endDate: '2026-09-01' }))).toEqual([
      'endDate: End date must not be before start date',
    ]);
    expect(meetingInput.parse({ days: '' })).toMatchObject({ startTime: null, roomId: null }); // arranged
  });
});

describe('section edits', () => {
  it('need the version read, and refuse unknown fields', () => {
    expect(issues(sectionPatch.safeParse({ capacity: 3 }))[0]).toMatch(/^version/);
    expect(issues(sectionPatch.safeParse({ version: 1, enrolled: 3 }))[0]).toMatch(/Unrecognized key/);
  });
});

describe('relationships', () => {
  const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
  it('need two distinct sections and exactly one primary', () => {
    const base = { termId: id(0), kind: 'crosslist' };
    expect(relationshipCreate.safeParse({ ...base, members: [{ sectionId: id(1), primary: true }] }).success).toBe(false);
    expect(relationshipCreate.safeParse({ ...base, members: [{ sectionId: id(1) }, { sectionId: id(2) }] }).success).toBe(false);
    expect(relationshipCreate.safeParse({ ...base, members: [{ sectionId: id(1), primary: true }, { sectionId: id(1) }] }).success).toBe(false);
    expect(relationshipCreate.safeParse({ ...base, members: [{ sectionId: id(1), primary: true }, { sectionId: id(2) }] }).success).toBe(true);
  });
});

describe('products', () => {
  it('never lets Admin be the only product', () => {
    expect(productsProblem(['admin'])).toMatch(/only product/);
    expect(productsProblem(['scheduling', 'admin'])).toBeUndefined();
    expect(productsProblem([])).toMatch(/at least one/);
  });
  it('warns above two admins', () => {
    expect(adminCountWarning(2)).toBeUndefined();
    expect(adminCountWarning(3)).toMatch(/3 users/);
  });
});
