import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changedSectionFields, fieldChanges } from '../../src/domain/changes.ts';

const meeting = (days: string, roomId: string | null, startTime: string | null = '09:00', weekInterval = 1) => ({
  days,
  startTime,
  endTime: startTime ? '10:00' : null,
  startDate: null,
  endDate: null,
  roomId,
  weekInterval,
});

describe('fieldChanges', () => {
  it('lists exactly the fields whose values differ', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue()), fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.jsonValue()), (a, b) => {
        const before = { ...a };
        const after = { ...a, ...b };
        const changes = fieldChanges(before, after, []);
        for (const key of Object.keys(after)) {
          const differs = JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null);
          expect(key in changes).toBe(differs);
        }
      }),
    );
  });

  it('records creation and deletion as every field against null', () => {
    expect(fieldChanges(null, { a: 1 })).toEqual({ a: { before: null, after: 1 } });
    expect(fieldChanges({ a: 1 }, null)).toEqual({ a: { before: 1, after: null } });
  });

  it('ignores bookkeeping fields', () => {
    expect(fieldChanges({ version: 1, updatedAt: 'x', a: 1 }, { version: 2, updatedAt: 'y', a: 1 })).toEqual({});
  });
});

describe('changedSectionFields', () => {
  const current = { capacity: 30, title: null, meetings: [meeting('MWF', 'r1')], instructors: [{ instructorId: 'i1', role: 'primary' }] };

  it('tells a room change from a timetable change', () => {
    expect(changedSectionFields(current, { meetings: [meeting('MWF', 'r2')] })).toEqual(['rooms']);
    expect(changedSectionFields(current, { meetings: [meeting('TR', 'r1')] })).toEqual(['meetingPatterns']);
    expect(changedSectionFields(current, { meetings: [meeting('TR', 'r2')] }).sort()).toEqual(['meetingPatterns', 'rooms']);
    // Every other week instead of weekly is a change of timetable.
    expect(changedSectionFields(current, { meetings: [meeting('MWF', 'r1', '09:00', 2)] })).toEqual(['meetingPatterns']);
  });

  it('ignores values equal to the current ones and the version', () => {
    expect(changedSectionFields(current, { version: 3, capacity: 30, meetings: [meeting('MWF', 'r1')] })).toEqual([]);
    expect(changedSectionFields(current, { capacity: 31 })).toEqual(['capacity']);
  });

  it('sees a removed meeting as both a pattern and a room change', () => {
    expect(changedSectionFields(current, { meetings: [] }).sort()).toEqual(['meetingPatterns', 'rooms']);
  });
});
