// Rules a real SIS enforces on a section write, with messages in each SIS's own style (Banner
// database errors, PeopleSoft message-catalog text), so connectors meet realistic refusals.
import type { SectionDraft, SimSection, SimState } from './state.ts';

export type Dialect = 'ethos' | 'peoplesoft';

export interface Violation {
  /** The normalized field at fault (SisSectionInput names). */
  field: string;
  /** The dialect's own field name (PeopleSoft FIELDNAME). */
  sisField: string;
  message: string;
}

export class SimValidationError extends Error {
  readonly violations: Violation[];
  constructor(violations: Violation[]) {
    super(violations.map((v) => v.message).join('; '));
    this.violations = violations;
  }
}

export class SimNotFoundError extends Error {}

const TITLE_MAX = 30;

export function validateSection(
  state: SimState,
  draft: SectionDraft,
  existing: SimSection | null,
  dialect: Dialect,
  /** The sections of the draft's term (where a section number must be unique within its course). */
  sameTerm: readonly SimSection[],
): Violation[] {
  const banner = dialect === 'ethos';
  const out: Violation[] = [];
  const course = state.courses[draft.courseId];
  if (!course) throw new SimNotFoundError(`course ${draft.courseId} not found`);
  if (!state.terms[draft.termId]) throw new SimNotFoundError(`academic period ${draft.termId} not found`);

  if (draft.credits !== null) {
    const max = course.creditsMax ?? course.credits;
    if (draft.credits < course.credits || draft.credits > max) {
      const range = course.creditsMax === null ? `${course.credits}` : `${course.credits} to ${max}`;
      out.push({
        field: 'credits',
        sisField: 'UNITS',
        message: banner
          ? `ORA-20100: ::Section credit hours (${draft.credits}) must equal the course credit hours (${range}).::`
          : `Units ${draft.credits} are outside the course offering's units (${range}). (14640,112)`,
      });
    }
  }
  // A variable-credit section's maximum (PeopleSoft UNITS_MAXIMUM, Ethos credits maximum).
  if (draft.creditsMax != null) {
    const max = course.creditsMax ?? course.credits;
    if (draft.creditsMax < (draft.credits ?? course.credits) || draft.creditsMax > max) {
      out.push({
        field: 'credits',
        sisField: 'UNITS_MAXIMUM',
        message: banner
          ? `ORA-20100: ::Section maximum credit hours (${draft.creditsMax}) must lie within the course credit hours (${course.credits} to ${max}).::`
          : `Maximum units ${draft.creditsMax} are outside the course offering's units (${course.credits} to ${max}) or below the minimum. (14640,113)`,
      });
    }
  }
  if (draft.title !== null && draft.title.length > TITLE_MAX) {
    out.push({
      field: 'title',
      sisField: 'DESCR',
      message: banner
        ? `ORA-12899: value too large for column "SATURN"."SSBSECT"."SSBSECT_CRSE_TITLE" (actual: ${draft.title.length}, maximum: ${TITLE_MAX})`
        : `Class description is longer than ${TITLE_MAX} characters. (14640,41)`,
    });
  }
  for (const [i, m] of draft.meetings.entries()) {
    if ((m.startTime === null) !== (m.endTime === null) || (m.startTime !== null && m.endTime !== null && m.startTime >= m.endTime)) {
      out.push({
        field: `meetings.${i}.endTime`,
        sisField: 'MEETING_TIME_END',
        message: banner
          ? '*ERROR* End time must be greater than begin time.'
          : 'Meeting end time must be later than meeting start time. (14640,57)',
      });
    }
    if (m.roomId !== null) {
      const room = state.rooms[m.roomId];
      if (!room || !room.active) {
        const label = room ? `${state.buildings[room.buildingId]?.code ?? '?'} ${room.number}` : m.roomId;
        out.push({
          field: `meetings.${i}.roomKey`,
          sisField: 'FACILITY_ID',
          message: banner
            ? room
              ? `*ERROR* Room ${label} is inactive.`
              : `*ERROR* Invalid Building/Room ${label}.`
            : `Facility ID ${room ? room.facilityId : m.roomId} is not valid or is inactive. (14640,30)`,
        });
      }
    }
  }
  if (draft.number !== '') {
    const clash = sameTerm.find((s) => s.courseId === draft.courseId && s.number === draft.number && s.id !== existing?.id);
    if (clash) {
      out.push({
        field: 'sectionNumber',
        sisField: 'CLASS_SECTION',
        message: banner
          ? `*ERROR* Section ${draft.number} already exists for ${course.subject} ${course.number} in this term (CRN ${clash.crn}).`
          : `Class Section ${draft.number} already exists for this course offering and term. (14640,20)`,
      });
    }
  }
  if (!banner && existing && existing.status !== 'cancelled' && draft.status === 'cancelled' && existing.enrolled > 0) {
    out.push({
      field: 'status',
      sisField: 'CLASS_STAT',
      message: `Class ${existing.crn} cannot be cancelled: ${existing.enrolled} students are enrolled. (14640,160)`,
    });
  }
  return out;
}
