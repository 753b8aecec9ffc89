// The whole class a section write sends. PeopleSoft replaces the class on every write, so an
// update starts from the class as read before it (`current`) and changes only what the hub
// changed: what the hub's model cannot say survives the write.
import { matchMeetings } from '../../domain/meeting-match.ts';
import { sameValue } from '../../domain/same-value.ts';
import type { SisMeeting, SisSectionInput } from '../model.ts';
import { assignInstructors } from './instructor-rows.ts';
import { DAY_FLAGS, instructorRows, meetingFromRow, MODES, REGULAR_SESSION, sectionFromClass, splitKey } from './mapping.ts';
import type { DayFlag, PsClass, PsInstr, PsMeetingPattern } from './wire.ts';

/** `current`: the class as read before this write; null for a create. */
export function classFromSection(input: SisSectionInput, current: PsClass | null): PsClass {
  const before = current && sectionFromClass(current);
  /** The hub changed `field` from what the SIS holds (on a create, every field is new). */
  const changed = (field: keyof SisSectionInput) => !before || !sameValue(before[field], input[field]);
  const [crseId, offerNbr] = splitKey(input.courseKey);
  const mode = Object.entries(MODES).find(([, name]) => name === input.instructionMode)?.[0] ?? input.instructionMode;

  // Each meeting is written over the row it is (src/domain/meeting-match.ts), keeping that row's
  // CLASS_MTG_NBR, instructors and other fields; the rows no meeting is are left out, so deleted.
  // A new row is numbered after every row the class has, so it never takes the key of a row this
  // write deletes.
  const rows = current?.CLASS_MTG_PAT ?? [];
  const paired = matchMeetings(input.meetings, rows.map(meetingFromRow)).heldOf.map((i) => (i === null ? undefined : rows[i]));
  let nextNbr = Math.max(0, ...rows.map((r) => r.CLASS_MTG_NBR));
  const meetings = input.meetings.map((m, n) => meetingRow(m, paired[n], paired[n]?.CLASS_MTG_NBR ?? ++nextNbr));
  // A new meeting is taught by whoever teaches every meeting the SIS has (not a lab's TA).
  const everywhere = current ? teachersOfEvery(current) : [];
  const instructors = assignInstructors(
    input.instructors,
    current,
    input.meetings.length === 0 ? [current?.CLASS_INSTR ?? []] : paired.map((row) => (row ? (row.CLASS_INSTR ?? []) : everywhere)),
  );
  return {
    ...(current ?? {}),
    STRM: input.termKey,
    SESSION_CODE: input.partOfTerm ?? REGULAR_SESSION,
    CRSE_ID: crseId,
    CRSE_OFFER_NBR: Number(offerNbr),
    CLASS_SECTION: input.sectionNumber,
    DESCR: input.title ?? '',
    SSR_COMPONENT: input.component,
    // S (stop further enrollment) and T (tentative) read as active: the SIS's code stands until
    // the hub cancels (X) or reinstates (A) the class.
    CLASS_STAT: current && !changed('status') ? current.CLASS_STAT : input.status === 'cancelled' ? 'X' : 'A',
    ENRL_CAP: input.capacity,
    CAMPUS: input.campus ?? '',
    INSTRUCTION_MODE: mode,
    // The hub knows one credit value (UNITS_MINIMUM): a variable range stands until the hub
    // changes the credits, which then become fixed.
    ...(current && !changed('credits')
      ? { UNITS_MINIMUM: current.UNITS_MINIMUM, UNITS_MAXIMUM: current.UNITS_MAXIMUM }
      : { UNITS_MINIMUM: input.credits, UNITS_MAXIMUM: input.credits }),
    // PeopleSoft keeps instructors per meeting pattern, and per class only when it has none. The
    // rows keep the class's order, new ones after them: the hub's order of meetings means nothing
    // to the SIS (src/domain/content-order.ts), so a write does not move them.
    CLASS_MTG_PAT: meetings
      .map((row, n) => ({ row: { ...row, CLASS_INSTR: instructors[n] }, at: paired[n] ? rows.indexOf(paired[n]) : rows.length }))
      .sort((a, b) => a.at - b.at)
      .map(({ row }) => row),
    CLASS_INSTR: input.meetings.length === 0 ? instructors[0] : undefined,
  };
}

/** A meeting's row: the SIS's row with the hub's changes, so its other fields stay as they are. */
function meetingRow(m: SisMeeting, row: PsMeetingPattern | undefined, nbr: number): PsMeetingPattern {
  if (row && sameValue(meetingFromRow(row), m)) return row;
  return {
    ...row,
    // A standard pattern names its days: once the days change it is no longer theirs.
    ...(row?.STND_MTG_PAT && meetingFromRow(row).days !== m.days ? { STND_MTG_PAT: '' } : {}),
    CLASS_MTG_NBR: nbr,
    FACILITY_ID: m.roomKey ?? '',
    MEETING_TIME_START: m.startTime,
    MEETING_TIME_END: m.endTime,
    START_DT: m.startDate,
    END_DT: m.endDate,
    ...(Object.fromEntries(DAY_FLAGS.map(([letter, flag]) => [flag, m.days.includes(letter) ? 'Y' : 'N'])) as Record<DayFlag, 'Y' | 'N'>),
  };
}

/** The instructor rows of those on every meeting pattern of a class (all of them when it has none). */
function teachersOfEvery(c: PsClass): PsInstr[] {
  const rows = c.CLASS_MTG_PAT;
  const all = instructorRows(c);
  return all.filter((r, i) => all.findIndex((x) => x.EMPLID === r.EMPLID) === i && rows.every((p) => p.CLASS_INSTR?.some((x) => x.EMPLID === r.EMPLID)));
}
