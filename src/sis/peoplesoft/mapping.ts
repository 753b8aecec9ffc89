// PeopleSoft class records ↔ normalized sections. Keys: term = STRM, section = STRM:CLASS_NBR,
// course = CRSE_ID:CRSE_OFFER_NBR, room = FACILITY_ID, instructor = EMPLID.
import type { SisMeeting, SisSectionInput, SisSectionState } from '../model.ts';
import type { DayFlag, PsClass, PsInstr, PsMeetingPattern } from './wire.ts';

const DAY_FLAGS: [string, DayFlag][] = [
  ['M', 'MON'],
  ['T', 'TUES'],
  ['W', 'WED'],
  ['R', 'THURS'],
  ['F', 'FRI'],
  ['S', 'SAT'],
  ['U', 'SUN'],
];
const MODES: Record<string, string> = { P: 'in_person', OL: 'online', HY: 'hybrid' };
/** The regular session, used when a section has no part of term. */
export const REGULAR_SESSION = '1';

export const sectionKey = (strm: string, classNbr: number): string => `${strm}:${classNbr}`;
export const courseKey = (crseId: string, offerNbr: number): string => `${crseId}:${offerNbr}`;

export function splitKey(key: string): [string, string] {
  const i = key.indexOf(':');
  if (i <= 0) throw new Error(`not a PeopleSoft key: "${key}"`);
  return [key.slice(0, i), key.slice(i + 1)];
}

export function sectionFromClass(c: PsClass): SisSectionState {
  const instructors: SisSectionState['instructors'] = [];
  const rows: PsInstr[] = [...(c.CLASS_INSTR ?? []), ...c.CLASS_MTG_PAT.flatMap((p) => p.CLASS_INSTR ?? [])];
  for (const row of rows) {
    if (!instructors.some((i) => i.instructorKey === row.EMPLID)) {
      instructors.push({ instructorKey: row.EMPLID, role: row.INSTR_ROLE === 'PI' ? 'primary' : 'secondary' });
    }
  }
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
    meetings: c.CLASS_MTG_PAT.map(
      (p): SisMeeting => ({
        days: DAY_FLAGS.filter(([, flag]) => p[flag] === 'Y').map(([letter]) => letter).join(''),
        startTime: p.MEETING_TIME_START?.slice(0, 5) || null,
        endTime: p.MEETING_TIME_END?.slice(0, 5) || null,
        startDate: p.START_DT || null,
        endDate: p.END_DT || null,
        roomKey: p.FACILITY_ID || null,
      }),
    ),
    instructors,
    enrolled: c.ENRL_TOT ?? null,
  };
}

/** The whole class, as a Component Interface write carries it; `current` keeps SIS-only fields. */
export function classFromSection(input: SisSectionInput, current: PsClass | null): PsClass {
  const [crseId, offerNbr] = splitKey(input.courseKey);
  const instr: PsInstr[] = input.instructors.map((i, n) => ({
    INSTR_ASSIGN_SEQ: n + 1,
    EMPLID: i.instructorKey,
    INSTR_ROLE: i.role === 'primary' ? 'PI' : 'SI',
    GRADE_RSTR_ACCESS: 'A',
  }));
  const mode = Object.entries(MODES).find(([, name]) => name === input.instructionMode)?.[0] ?? input.instructionMode;
  return {
    ...(current ?? {}),
    STRM: input.termKey,
    SESSION_CODE: input.partOfTerm ?? REGULAR_SESSION,
    CRSE_ID: crseId,
    CRSE_OFFER_NBR: Number(offerNbr),
    CLASS_SECTION: input.sectionNumber,
    DESCR: input.title ?? '',
    SSR_COMPONENT: input.component,
    CLASS_STAT: input.status === 'cancelled' ? 'X' : 'A',
    ENRL_CAP: input.capacity,
    CAMPUS: input.campus ?? '',
    INSTRUCTION_MODE: mode,
    UNITS_MINIMUM: input.credits,
    UNITS_MAXIMUM: input.credits,
    CLASS_MTG_PAT: input.meetings.map(
      (m, n): PsMeetingPattern => ({
        CLASS_MTG_NBR: n + 1,
        FACILITY_ID: m.roomKey ?? '',
        MEETING_TIME_START: m.startTime,
        MEETING_TIME_END: m.endTime,
        START_DT: m.startDate,
        END_DT: m.endDate,
        ...(Object.fromEntries(DAY_FLAGS.map(([letter, flag]) => [flag, m.days.includes(letter) ? 'Y' : 'N'])) as Record<DayFlag, 'Y' | 'N'>),
        // PeopleSoft keeps instructors per meeting pattern; the model has them per section.
        CLASS_INSTR: instr,
      }),
    ),
    CLASS_INSTR: input.meetings.length === 0 ? instr : undefined,
  };
}
