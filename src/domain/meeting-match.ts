// Which of the SIS's meetings each of the hub's meetings is, before a post writes them. A SIS keeps
// data of its own on each meeting (an Ethos event's approvals, workload and title, the instructors
// assigned to it), so a post writes each meeting over the one it came from, not over whichever
// holds its position: by position, deleting the first of two meetings wrote the second's days and
// times over the first's event and deleted the second's, with what the SIS kept on it. Pure.

/** A meeting as a SIS holds it (its room by SIS key). */
export interface SisMeetingPattern {
  days: string;
  startTime: string | null;
  endTime: string | null;
  startDate: string | null;
  endDate: string | null;
  roomKey: string | null;
  weekInterval: number;
}

export interface MeetingMatch {
  /** For each wanted meeting, the held meeting it is written over; null: a new one. */
  heldOf: (number | null)[];
  /** The held meetings no wanted meeting is, in their order: to delete. */
  unmatched: number[];
}

type Field = keyof SisMeetingPattern;
const FIELDS: readonly Field[] = ['days', 'startTime', 'endTime', 'startDate', 'endDate', 'roomKey', 'weekInterval'];

/**
 * How two meetings may be the same one, surest first: equal (left alone); one moved to another room
 * or dates or interval (same days and times); retimed (same days and room); moved to other days
 * (same times and room); then any, so that a meeting changed in every way still reuses a held one
 * rather than deleting it and creating another.
 */
const TIERS: readonly (readonly Field[])[] = [FIELDS, ['days', 'startTime', 'endTime'], ['days', 'roomKey'], ['startTime', 'endTime', 'roomKey'], []];

/**
 * Pairs each wanted meeting with a held one, each held one used at most once. Every meeting equal
 * to a held one keeps it (as many as there are equal held ones), so an unchanged meeting is not
 * written; the rest go to the surest tier, then the one sharing the most fields, then in order.
 * As many are paired as both lists allow, so the writes (changed pairs, new and unmatched
 * meetings) are the fewest there can be.
 */
export function matchMeetings(wanted: readonly SisMeetingPattern[], held: readonly SisMeetingPattern[]): MeetingMatch {
  const candidates: { w: number; h: number; tier: number; shared: number }[] = [];
  wanted.forEach((a, w) =>
    held.forEach((b, h) => {
      const tier = TIERS.findIndex((fields) => fields.every((f) => a[f] === b[f]));
      candidates.push({ w, h, tier, shared: FIELDS.filter((f) => a[f] === b[f]).length });
    }),
  );
  candidates.sort((x, y) => x.tier - y.tier || y.shared - x.shared || x.w - y.w || x.h - y.h);
  const heldOf: (number | null)[] = wanted.map(() => null);
  const taken = new Set<number>();
  for (const { w, h } of candidates) {
    if (heldOf[w] !== null || taken.has(h)) continue;
    heldOf[w] = h;
    taken.add(h);
  }
  return { heldOf, unmatched: held.map((_, h) => h).filter((h) => !taken.has(h)) };
}
