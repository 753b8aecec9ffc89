// The whole class a section write sends. PeopleSoft replaces the class on every write, so an
// update starts from the class as read before it (`current`) and changes only what the hub
// changed: what the hub's model cannot say survives the write.
import { sameValue } from '../../domain/same-value.ts';
import type { SisSectionInput } from '../model.ts';
import { DAY_FLAGS, MODES, REGULAR_SESSION, sectionFromClass, splitKey } from './mapping.ts';
import type { DayFlag, PsClass, PsInstr, PsMeetingPattern } from './wire.ts';

/** `current`: the class as read before this write; null for a create. */
export function classFromSection(input: SisSectionInput, current: PsClass | null): PsClass {
  const before = current && sectionFromClass(current);
  /** The hub changed `field` from what the SIS holds (on a create, every field is new). */
  const changed = (field: keyof SisSectionInput) => !before || !sameValue(before[field], input[field]);
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
