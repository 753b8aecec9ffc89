import { describe, expect, it } from 'vitest';
import { standingApprovals, type SectionChanges } from '../../src/domain/conflict-approvals.ts';
import type { SisMeetingPattern } from '../../src/domain/meeting-match.ts';

const MEETING: SisMeetingPattern = { days: 'MWF', startTime: '09:00', endTime: '09:50', startDate: '2025-08-25', endDate: '2025-12-12', roomKey: 'r1', weekInterval: 1 };
const ALL = ['roomAvailability', 'roomCapacity', 'instructorAvailability', 'instructorCapacity'].map((approvalType) => ({ approvalType, approvalEntity: 'user' }));
const UNCHANGED: SectionChanges = { capacity: false, instructors: false };
const standing = (after: Partial<SisMeetingPattern>, changed: Partial<SectionChanges> = {}) =>
  standingApprovals(ALL, MEETING, { ...MEETING, ...after }, { ...UNCHANGED, ...changed }).map((a) => a.approvalType);

describe('the approvals a change to a meeting leaves standing', () => {
  it('keeps them all when neither the meeting nor the section changed', () => {
    expect(standingApprovals(ALL, MEETING, { ...MEETING }, UNCHANGED)).toEqual(ALL);
  });

  it("drops the room's when the room changes, or is taken away", () => {
    expect(standing({ roomKey: 'r2' })).toEqual(['instructorAvailability', 'instructorCapacity']);
    expect(standing({ roomKey: null })).toEqual(['instructorAvailability', 'instructorCapacity']);
  });

  it.each<Partial<SisMeetingPattern>>([{ days: 'TR' }, { startTime: '10:00' }, { endTime: '10:15' }, { startDate: '2025-09-01' }, { endDate: '2025-11-26' }, { weekInterval: 2 }])(
    "drops the room's and the instructor's availability when the meeting is held at other times (%o)",
    (change) => expect(standing(change)).toEqual(['roomCapacity', 'instructorCapacity']),
  );

  it("drops the room's capacity alone when the section's capacity changes", () => {
    expect(standing({}, { capacity: true })).toEqual(['roomAvailability', 'instructorAvailability', 'instructorCapacity']);
  });

  it("drops the instructor's availability and capacity when others teach the section", () => {
    expect(standing({}, { instructors: true })).toEqual(['roomAvailability', 'roomCapacity']);
  });

  it('keeps only the instructor capacity when everything but the instructors changes, and none when they change too', () => {
    expect(standing({ roomKey: 'r2', days: 'TR' }, { capacity: true })).toEqual(['instructorCapacity']);
    expect(standing({ roomKey: 'r2', days: 'TR' }, { capacity: true, instructors: true })).toEqual([]);
  });
});
