// A section's meetings and instructors in one order, by their content. A SIS lists them in its own
// order (Ethos instructional events and instructor assignments as created, PeopleSoft meeting
// patterns by CLASS_MTG_NBR), which a post does not change: each is written over the one it is, not
// over whichever holds its place (src/domain/meeting-match.ts). So their order means nothing to the
// SIS, and the merge's fields hold them in this order, the hub's and the SIS's alike: a registrar's
// reorder is no change to post, and leaves the SIS's later edits of them free to come in. Pure.
//
// Migration 0015 (src/db/migrations/0015_meeting_order.ts) put the stored SIS bases in this order
// with PostgreSQL's "C" collation: strings here compare by code point, which is that collation's
// order of their UTF-8 bytes, so what is stored and what the SIS sends now digest alike.
import type { SisMeetingPattern } from './meeting-match.ts';

/** A meeting as the merge's fields hold it (a missing interval is 1). */
export type OrderedMeeting = Omit<SisMeetingPattern, 'weekInterval'> & { weekInterval?: number };

export interface OrderedInstructor {
  instructorKey: string | null;
  role: string;
}

/** Strings by code point (JavaScript's < compares UTF-16 units, which differs above U+D7FF); null first. */
function byCodePoint(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? surrogatesLast(x) - surrogatesLast(y) : x - y;
  }
  return a.length - b.length;
}
/** A surrogate (half of a code point above U+FFFF) after U+E000–U+FFFF, as code points order them. */
const surrogatesLast = (unit: number) => (unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

/** Days in the week's order ("MWF" before "R", "F" after "MW"): each letter of MTWRFSU as its weekday's digit. */
const weekOrder = (days: string) => days.replace(/[MTWRFSU]/g, (day) => String('MTWRFSU'.indexOf(day) + 1));

/** By start date, days of the week, times, end date, room, interval: the earliest first. */
export function byMeeting(a: OrderedMeeting, b: OrderedMeeting): number {
  return (
    byCodePoint(a.startDate, b.startDate) ||
    byCodePoint(weekOrder(a.days), weekOrder(b.days)) ||
    byCodePoint(a.startTime, b.startTime) ||
    byCodePoint(a.endTime, b.endTime) ||
    byCodePoint(a.endDate, b.endDate) ||
    byCodePoint(a.roomKey, b.roomKey) ||
    (a.weekInterval ?? 1) - (b.weekInterval ?? 1)
  );
}

/** Primary instructors first, then by SIS key. */
export const byInstructor = (a: OrderedInstructor, b: OrderedInstructor): number => byCodePoint(a.role, b.role) || byCodePoint(a.instructorKey, b.instructorKey);

/** Who teaches a section, each instructor's key and role alone, in this order: equal when the same people teach it in the same roles. */
export const instructorsInOrder = <K extends string | null>(instructors: readonly { instructorKey: K; role: string }[]) =>
  instructors.map((i) => ({ instructorKey: i.instructorKey, role: i.role })).sort(byInstructor);
