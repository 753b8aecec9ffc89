// Field-level differences between two states of a record: what the audit log stores and what the
// phase check inspects. Pure.
import type { MeetingInput, SectionField } from './schedule.ts';
import { sameValue } from './same-value.ts';

export type FieldChanges = Record<string, { before: unknown; after: unknown }>;


/** Fields whose value differs; a field absent from `after` is unchanged, not cleared. */
export function fieldChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  ignore: readonly string[] = ['version', 'updatedAt', 'createdAt'],
): FieldChanges {
  const changes: FieldChanges = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (ignore.includes(key)) continue;
    if (after !== null && before !== null && !(key in after)) continue;
    const b = before?.[key] ?? null;
    const a = after?.[key] ?? null;
    if (!sameValue(b, a)) changes[key] = { before: b, after: a };
  }
  return changes;
}

type MeetingLike = Pick<MeetingInput, 'days' | 'startTime' | 'endTime' | 'startDate' | 'endDate' | 'roomId' | 'weekInterval'>;
const pattern = (m: MeetingLike) => [m.days, m.startTime, m.endTime, m.startDate, m.endDate, m.weekInterval];

/**
 * The section fields a patch changes, with meetings split in two: their patterns (days, times,
 * dates, every how many weeks) and their rooms — phases lock them separately (room assignment vs. timetable).
 */
export function changedSectionFields(
  current: Record<string, unknown> & { meetings: readonly MeetingLike[] },
  patch: Record<string, unknown> & { meetings?: readonly MeetingLike[] },
): SectionField[] {
  const changed = new Set<SectionField>();
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'version' || value === undefined) continue;
    if (key === 'meetings') {
      const next = value as readonly MeetingLike[];
      if (!sameValue(current.meetings.map(pattern), next.map(pattern))) changed.add('meetingPatterns');
      if (!sameValue(current.meetings.map((m) => m.roomId), next.map((m) => m.roomId))) changed.add('rooms');
      continue;
    }
    if (key === 'instructors') {
      if (!sameValue(current.instructors, value)) changed.add('instructors');
      continue;
    }
    if (!sameValue(current[key], value)) changed.add(key as SectionField);
  }
  return [...changed];
}
