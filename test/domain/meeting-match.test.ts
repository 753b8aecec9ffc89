import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchMeetings, type SisMeetingPattern } from '../../src/domain/meeting-match.ts';

const lecture: SisMeetingPattern = { days: 'MWF', startTime: '09:00', endTime: '09:50', startDate: '2025-08-25', endDate: '2025-12-12', roomKey: 'r1', weekInterval: 1 };
const lab: SisMeetingPattern = { days: 'R', startTime: '14:00', endTime: '15:50', startDate: '2025-08-25', endDate: '2025-12-12', roomKey: 'r2', weekInterval: 1 };
const seminar: SisMeetingPattern = { days: 'S', startTime: '10:00', endTime: '11:50', startDate: '2025-08-25', endDate: '2025-12-12', roomKey: 'r3', weekInterval: 2 };

// Few values per field, so that generated meetings are often equal or alike.
const pattern: fc.Arbitrary<SisMeetingPattern> = fc.record({
  days: fc.constantFrom('MWF', 'TR', ''),
  startTime: fc.constantFrom('09:00', '14:00', null),
  endTime: fc.constantFrom('09:50', '15:15', null),
  startDate: fc.constantFrom('2025-08-25', null),
  endDate: fc.constantFrom('2025-12-12', '2025-10-17'),
  roomKey: fc.constantFrom('r1', 'r2', null),
  weekInterval: fc.constantFrom(1, 2),
});
const meetings = fc.array(pattern, { maxLength: 6 });
const same = (a: SisMeetingPattern, b: SisMeetingPattern) => JSON.stringify(a) === JSON.stringify(b);

/** The SIS writes a match makes: a write of each changed pair, a create of each new meeting, a delete of each unmatched one. */
function writes(wanted: SisMeetingPattern[], held: SisMeetingPattern[]): number {
  const { heldOf, unmatched } = matchMeetings(wanted, held);
  return heldOf.filter((h, w) => h === null || !same(wanted[w], held[h])).length + unmatched.length;
}

/** How many wanted meetings can keep an equal held one: the size of the lists' multiset intersection. */
function equalPairs(wanted: SisMeetingPattern[], held: SisMeetingPattern[]): number {
  const left = held.map((m) => JSON.stringify(m));
  let n = 0;
  for (const m of wanted) {
    const i = left.indexOf(JSON.stringify(m));
    if (i >= 0) {
      left.splice(i, 1);
      n++;
    }
  }
  return n;
}

describe('matching the hub’s meetings to the SIS’s', () => {
  it('keeps the second meeting’s own when the first is deleted', () => {
    expect(matchMeetings([lab], [lecture, lab])).toEqual({ heldOf: [1], unmatched: [0] });
  });

  it('keeps each meeting’s own when they are reordered, and creates only the one inserted at the front', () => {
    expect(matchMeetings([lab, lecture], [lecture, lab])).toEqual({ heldOf: [1, 0], unmatched: [] });
    expect(matchMeetings([seminar, lecture, lab], [lecture, lab])).toEqual({ heldOf: [null, 0, 1], unmatched: [] });
  });

  it('takes a moved, retimed or rescheduled meeting for the one it was, whatever the order', () => {
    const moved = { ...lab, roomKey: 'r9' };
    expect(matchMeetings([moved], [lecture, lab])).toEqual({ heldOf: [1], unmatched: [0] });
    const retimed = { ...lab, startTime: '16:00', endTime: '17:50' };
    expect(matchMeetings([retimed, lecture], [lecture, lab])).toEqual({ heldOf: [1, 0], unmatched: [] });
    const otherDays = { ...lab, days: 'T' };
    expect(matchMeetings([otherDays], [lecture, lab])).toEqual({ heldOf: [1], unmatched: [0] });
    const everyOtherWeek = { ...lab, weekInterval: 2, endDate: '2025-11-30' };
    expect(matchMeetings([everyOtherWeek], [lecture, lab])).toEqual({ heldOf: [1], unmatched: [0] });
  });

  it('prefers, among alike meetings, the one sharing the most fields', () => {
    // Both held meetings have the wanted one's days and times; only the second ends on its date.
    const firstHalf = { ...lecture, endDate: '2025-10-17' };
    expect(matchMeetings([{ ...firstHalf, roomKey: 'r9' }], [lecture, { ...firstHalf, roomKey: 'r2' }])).toEqual({ heldOf: [1], unmatched: [0] });
  });

  it('writes a meeting changed in every way over a held one, in order, rather than deleting and creating', () => {
    expect(matchMeetings([seminar], [lecture, lab])).toEqual({ heldOf: [0], unmatched: [1] });
  });

  it('gives each wanted meeting one held meeting or none, never one held meeting twice, and leaves the rest unmatched', () => {
    fc.assert(
      fc.property(meetings, meetings, (wanted, held) => {
        const { heldOf, unmatched } = matchMeetings(wanted, held);
        expect(heldOf).toHaveLength(wanted.length);
        const used = heldOf.filter((h) => h !== null);
        expect(new Set(used).size).toBe(used.length);
        expect([...used, ...unmatched].sort((a, b) => a - b)).toEqual(held.map((_, i) => i));
        // As many reused as both lists allow: never a create beside a delete.
        expect(used).toHaveLength(Math.min(wanted.length, held.length));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps an unchanged meeting’s own: as many meetings keep an equal held one as there are to keep', () => {
    fc.assert(
      fc.property(meetings, meetings, (wanted, held) => {
        const { heldOf } = matchMeetings(wanted, held);
        const kept = heldOf.filter((h, w) => h !== null && same(wanted[w], held[h])).length;
        expect(kept).toBe(equalPairs(wanted, held));
        // So the writes are the fewest possible.
        expect(writes(wanted, held)).toBe(Math.max(wanted.length, held.length) - kept);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every meeting’s own when the hub deleted, reordered or added meetings and changed none', () => {
    const distinct = fc.uniqueArray(pattern, { maxLength: 6, selector: (m) => JSON.stringify(m) });
    const edited = fc.tuple(distinct, meetings).chain(([held, extra]) => {
      const added = extra.filter((m) => !held.some((h) => same(h, m)));
      return fc.tuple(
        fc.constant(held),
        fc.subarray(held).chain((kept) => fc.shuffledSubarray([...kept, ...added], { minLength: kept.length + added.length })),
      );
    });
    fc.assert(
      fc.property(edited, ([held, wanted]) => {
        const { heldOf } = matchMeetings(wanted, held);
        wanted.forEach((m, w) => {
          if (held.includes(m)) expect(heldOf[w]).toBe(held.indexOf(m));
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('makes as many writes whatever order either list is in', () => {
    const permuted = (list: SisMeetingPattern[]) => fc.shuffledSubarray(list, { minLength: list.length });
    const lists = fc.tuple(meetings, meetings).chain(([wanted, held]) => fc.tuple(fc.constant(wanted), fc.constant(held), permuted(wanted), permuted(held)));
    fc.assert(
      fc.property(lists, ([wanted, held, wantedElsewise, heldElsewise]) => {
        const n = writes(wanted, held);
        expect(writes(wantedElsewise, held)).toBe(n);
        expect(writes(wanted, heldElsewise)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes nothing for a list matched against itself', () => {
    fc.assert(
      fc.property(meetings, (list) => {
        expect(matchMeetings(list, list).unmatched).toEqual([]);
        expect(writes(list, list)).toBe(0);
      }),
    );
  });
});
