// A scheduler's approval on a SIS meeting (an Ethos event's `approvals`) tells the SIS "ignore the
// room or instructor conflicts here, I checked": it vouches for the room, days and times it was
// given for, and the section's size. Sent back unchanged after the hub moved the meeting, it would
// let the SIS skip its check of a booking nobody checked: a double booking nobody approved. So a
// post drops each approval whose subject the hub changed, and keeps the rest as the SIS has them.
// Pure.
import type { SisMeetingPattern } from './meeting-match.ts';

export interface ConflictApproval {
  approvalType: string;
}

/** Whether the meeting is held at other times: its days, times, dates or interval. */
const PATTERN: readonly (keyof SisMeetingPattern)[] = ['days', 'startTime', 'endTime', 'startDate', 'endDate', 'weekInterval'];

/** What changed in the section itself, beside its meetings. */
export interface SectionChanges {
  capacity: boolean;
  /** Who teaches it (an instructor added, removed or swapped), whatever order they are listed in. */
  instructors: boolean;
}

/**
 * The approvals of a meeting that still stand once it is written as `after` over `before`, in a
 * section with `changed`. A new room voids the room's availability and capacity; new times void
 * the room's and the instructor's availability; a new capacity voids the room's capacity; new
 * instructors void the instructor's availability and capacity (their load), vouched for others.
 */
export function standingApprovals<A extends ConflictApproval>(approvals: readonly A[], before: SisMeetingPattern, after: SisMeetingPattern, changed: SectionChanges): A[] {
  const voided = new Set<string>();
  if (before.roomKey !== after.roomKey) voided.add('roomAvailability').add('roomCapacity');
  if (PATTERN.some((f) => before[f] !== after[f])) voided.add('roomAvailability').add('instructorAvailability');
  if (changed.capacity) voided.add('roomCapacity');
  if (changed.instructors) voided.add('instructorAvailability').add('instructorCapacity');
  return approvals.filter((a) => !voided.has(a.approvalType));
}
