// PeopleSoft class records ↔ normalized sections. Keys: term = STRM, section = STRM:CLASS_NBR,
// course = CRSE_ID:CRSE_OFFER_NBR, room = FACILITY_ID, instructor = EMPLID.
import type { SisMeeting, SisSectionInstructor, SisSectionState } from '../model.ts';
import type { DayFlag, PsClass, PsInstr, PsMeetingPattern } from './wire.ts';

export const DAY_FLAGS: [string, DayFlag][] = [
  ['M', 'MON'],
  ['T', 'TUES'],
  ['W', 'WED'],
  ['R', 'THURS'],
  ['F', 'FRI'],
  ['S', 'SAT'],
  ['U', 'SUN'],
];
export const MODES: Record<string, string> = { P: 'in_person', OL: 'online', HY: 'hybrid' };
/** The regular session, used when a section has no part of term. */
export const REGULAR_SESSION = '1';

export const sectionKey = (strm: string, classNbr: number): string => `${strm}:${classNbr}`;
export const courseKey = (crseId: string, offerNbr: number): string => `${crseId}:${offerNbr}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  if (i <= 0) throw new Error(`not a PeopleSoft key: "${key}"`);
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Every instructor row of a class: its own, then each meeting pattern's. */
export const instructorRows = (c: PsClass): PsInstr[] => [...(c.CLASS_INSTR ?? []), ...c.CLASS_MTG_PAT.flatMap((p) => p.CLASS_INSTR ?? [])];

/** The hub's role for an instructor row: PI is the primary instructor; SI, TA and the rest are secondary. */
export const roleOf = (row: PsInstr): SisSectionInstructor['role'] => (row.INSTR_ROLE === 'PI' ? 'primary' : 'secondary');

export const meetingFromRow = (p: PsMeetingPattern): SisMeeting => ({
  days: DAY_FLAGS.filter(([, flag]) => p[flag] === 'Y').map(([letter]) => letter).join(''),
  startTime: p.MEETING_TIME_START?.slice(0, 5) || null,
  endTime: p.MEETING_TIME_END?.slice(0, 5) || null,
  startDate: p.START_DT || null,
  endDate: p.END_DT || null,
  roomKey: p.FACILITY_ID || null,
  // A meeting pattern has no interval: it is held every week of its dates.
  weekInterval: 1,
});

export function sectionFromClass(c: PsClass): SisSectionState {
  // Each instructor once, with their first row's role, in the order of their lowest assignment
  // number: a write keeps the order of those numbers (instructor-rows.ts), so they read back in it.
  const rows = instructorRows(c);
  const lowestSeq = (emplid: string) => Math.min(...rows.filter((r) => r.EMPLID === emplid).map((r) => r.INSTR_ASSIGN_SEQ ?? Infinity));
  const instructors = rows
    .filter((row, i) => rows.findIndex((r) => r.EMPLID === row.EMPLID) === i)
    .map((row) => ({ row, seq: lowestSeq(row.EMPLID) }))
    .sort((a, b) => a.seq - b.seq || 0)
    .map(({ row }) => ({ instructorKey: row.EMPLID, role: roleOf(row) }));
  return {
    termKey: c.STRM,
    courseKey: courseKey(c.CRSE_ID, c.CRSE_OFFER_NBR),
    sectionNumber: c.CLASS_SECTION,
    component: c.SSR_COMPONENT,
    status: c.CLASS_STAT === 'X' ? 'cancelled' : 'active',
    capacity: c.ENRL_CAP,
    instructionMode: MODES[c.INSTRUCTION_MODE] ?? c.INSTRUCTION_MODE,
    campus: c.CAMPUS || null,
    partOfTerm: c.SESSION_CODE,
    title: c.DESCR || null,
    credits: c.UNITS_MINIMUM ?? null,
    meetings: c.CLASS_MTG_PAT.map(meetingFromRow),
    instructors,
    enrolled: c.ENRL_TOT ?? null,
    // Not yet assigned right after a create (sis-apis §3.4).
    sisNumber: typeof c.CLASS_NBR === 'number' ? String(c.CLASS_NBR) : null,
  };
}
