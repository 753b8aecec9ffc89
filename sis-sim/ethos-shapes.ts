// Sim records rendered as Ethos (EEDM) representations, and Ethos bodies read back into drafts.
// Versions follow the Colleague controllers listed in sis-apis.md §1.2.
import { instantToLocal, zonedToInstant } from '../src/domain/zoned-time.ts';
import { utcOffset } from '../src/sis/time.ts';
import { guidFor } from './ids.ts';
import type {
  SectionDraft,
  SimAssignmentDetails,
  SimEventDetails,
  SimMeeting,
  SimRelationship,
  SimRepeat,
  SimSection,
  SimSectionInstructor,
  SimState,
  SimTerm,
} from './state.ts';

export const SECTION_TITLE_TYPE = guidFor('section-title-type:short');

/** Code tables a section refers to by GUID; the sim derives them from codes it has seen. */
const codeIds = new Map<string, string>();
export const codeTable = (table: string, code: string): string => {
  const key = `${table}:${code}`;
  let id = codeIds.get(key);
  if (id === undefined) {
    id = guidFor(key);
    codeIds.set(key, id);
  }
  return id;
};

export function termOfPeriod(state: SimState, periodId: string): { term: SimTerm; part: string | null } | null {
  for (const term of Object.values(state.terms)) {
    if (term.id === periodId) return { term, part: null };
    const part = term.parts.find((p) => p.id === periodId);
    if (part) return { term, part: part.code };
  }
  return null;
}

export function sectionDates(term: SimTerm, part: string | null): { startOn: string; endOn: string } {
  const p = part === null ? undefined : term.parts.find((x) => x.code === part);
  return { startOn: p?.startsOn ?? term.startsOn, endOn: p?.endsOn ?? term.endsOn };
}

export function renderSection(state: SimState, s: SimSection, crosslisted: boolean): Record<string, unknown> {
  const term = state.terms[s.termId];
  const course = state.courses[s.courseId];
  const part = term.parts.find((p) => p.code === s.partOfTerm);
  return {
    id: s.id,
    titles: s.title === null ? [] : [{ type: { id: SECTION_TITLE_TYPE }, value: s.title }],
    ...sectionDates(term, s.partOfTerm),
    code: `${course.subject}-${course.number}-${s.number}`,
    number: s.number,
    academicPeriod: { id: part?.id ?? term.id },
    course: { id: s.courseId },
    credits:
      s.credits === null
        ? []
        : [
            {
              creditCategory: { creditType: 'institution' },
              measure: 'credit',
              minimum: s.credits,
              ...(s.creditsMax == null ? {} : { maximum: s.creditsMax }),
              ...(s.creditsIncrement == null ? {} : { increment: s.creditsIncrement }),
            },
          ],
    ...(s.campus === null ? {} : { site: { id: codeTable('site', s.campus) } }),
    instructionalMethods: [{ id: codeTable('instructional-method', s.component) }],
    instructionalDeliveryMethod: { id: codeTable('instructional-delivery-method', s.instructionMode) },
    status: { category: s.status === 'cancelled' ? 'cancelled' : s.capacity > 0 && s.enrolled >= s.capacity ? 'closed' : 'open' },
    maxEnrollment: s.capacity,
    crossListed: crosslisted ? 'crossListed' : 'notCrossListed',
    owningInstitutionUnits: course.departmentId ? [{ institutionUnit: { id: course.departmentId }, ownershipPercentage: 100 }] : [],
    alternateIds: [{ title: 'CRN', value: s.crn }],
    catalogDisplay: 'visible',
  };
}

const WEEKDAYS: [string, string][] = [
  ['M', 'monday'],
  ['T', 'tuesday'],
  ['W', 'wednesday'],
  ['R', 'thursday'],
  ['F', 'friday'],
  ['S', 'saturday'],
  ['U', 'sunday'],
];

/**
 * How the sim writes event date-times: on its zone's clock with that zone's offset, or as the
 * same instants in UTC ('…T19:00:00Z'), as a SIS that stores UTC sends them.
 */
export type EventTimes = 'offset' | 'utc';

/** The sim's meeting times are wall-clock times in its zone; this is how they go on the wire. */
function eventDateTime(date: string, time: string, timeZone: string, form: EventTimes): string {
  if (form === 'utc') return zonedToInstant(`${date}T${time}`, timeZone).toISOString().replace('.000Z', 'Z');
  return `${date}T${time}:00${utcOffset(date, time, timeZone)}`;
}

/**
 * A meeting's recurrence: its days in its `repeatRule` (weekly, every week, unless an Ethos client
 * wrote another kind or interval, which the sim keeps), and its times and dates in a
 * `timePeriod` when it has times. A meeting with days and no times (Banner's 'MTWRF' ARRANGED)
 * keeps its days in a rule without a time period; one with neither (arranged, online) has no
 * recurrence: it has a section, not a schedule. Colleague's own v11 leaves the recurrence out
 * whenever the times are missing (ConvertSectionMeetingToInstructionalEvent4Async), so there the
 * days cannot be read, and a PUT without a recurrence clears them.
 */
export function renderEvent(s: SimSection, m: SimMeeting, timeZone: string, form: EventTimes): Record<string, unknown> {
  const timed = m.startTime !== null && m.endTime !== null && m.startDate !== null && m.endDate !== null;
  const daysOfWeek = WEEKDAYS.filter(([letter]) => m.days.includes(letter)).map(([, day]) => day);
  const recurrence =
    !timed && daysOfWeek.length === 0
      ? undefined
      : {
          ...(timed
            ? {
                timePeriod: {
                  startOn: eventDateTime(m.startDate!, m.startTime!, timeZone, form),
                  endOn: eventDateTime(m.endDate!, m.endTime!, timeZone, form),
                },
              }
            : {}),
          repeatRule: repeatRule(m, daysOfWeek),
        };
  const { otherLocations = [], ...own } = m.event ?? {};
  return {
    id: m.id,
    ...own,
    section: { id: s.id },
    instructionalMethod: { id: codeTable('instructional-method', s.component) },
    ...(recurrence ? { recurrence } : {}),
    locations: [...(m.roomId === null ? [] : [{ location: { type: 'room', room: { id: m.roomId } } }]), ...otherLocations],
  };
}

/** The rule as the SIS holds it: its kind and interval, the days of a weekly one, the `repeatBy` of a monthly one. */
function repeatRule(m: SimMeeting, daysOfWeek: string[]): Record<string, unknown> {
  const { type, interval, repeatBy } = m.repeat ?? { type: 'weekly', interval: 1 };
  return {
    type,
    interval,
    ...(m.endDate === null ? {} : { ends: { date: m.endDate } }),
    ...(type === 'weekly' ? { daysOfWeek } : {}),
    ...(type === 'monthly' && repeatBy !== undefined ? { repeatBy } : {}),
  };
}

export class ShapeError extends Error {}

interface EventBody {
  title?: unknown;
  description?: unknown;
  workLoad?: unknown;
  approvals?: unknown;
  section?: { id?: string };
  recurrence?: {
    timePeriod?: { startOn?: string; endOn?: string };
    repeatRule?: { type?: string; interval?: unknown; daysOfWeek?: string[]; ends?: { date?: string }; repeatBy?: unknown };
  };
  locations?: { location?: { type?: string; room?: { id?: string } } }[];
}

const APPROVAL_TYPES: readonly unknown[] = ['instructorAvailability', 'instructorCapacity', 'roomAvailability', 'roomCapacity'];
const APPROVAL_ENTITIES: readonly unknown[] = ['user', 'system'];
const LOCATION_TYPES: readonly unknown[] = ['room', 'site', 'online', 'other'];

/** A written string field, or nothing. */
function text(value: unknown, field: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new ShapeError(`${field} must be a string.`);
  return value;
}

/** A written number in [0, max], or nothing. */
function amount(value: unknown, field: string, max = Infinity): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= max)) throw new ShapeError(`${field} must be a number from 0${max === Infinity ? ' up' : ` to ${max}`}.`);
  return value;
}

/** Keeps the fields that were given, so a record written without them stores none. */
const given = <T extends object>(fields: T): T | null => {
  const kept = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(kept).length ? kept : null;
};

/** What an event carries beyond its meeting: checked as the SIS checks it, kept as written; null when nothing. */
function readEventDetails(body: EventBody): SimEventDetails | null {
  const approvals = body.approvals;
  if (approvals !== undefined && !(Array.isArray(approvals) && approvals.every((a) => APPROVAL_TYPES.includes(a?.approvalType) && APPROVAL_ENTITIES.includes(a?.approvalEntity)))) {
    throw new ShapeError('approvals must each have an approvalType (instructorAvailability, instructorCapacity, roomAvailability, roomCapacity) and an approvalEntity (user, system).');
  }
  if (body.locations !== undefined && !Array.isArray(body.locations)) throw new ShapeError('locations must be an array.');
  const others = (body.locations ?? []).filter((l) => l.location?.type !== 'room');
  if (!others.every((l) => LOCATION_TYPES.includes(l.location?.type))) throw new ShapeError('locations.location.type must be room, site, online or other.');
  return given<SimEventDetails>({
    title: text(body.title, 'title'),
    description: text(body.description, 'description'),
    workLoad: amount(body.workLoad, 'workLoad'),
    approvals: (approvals as SimEventDetails['approvals'])?.map(({ approvalType, approvalEntity }) => ({ approvalType, approvalEntity })),
    otherLocations: others.length ? (others as SimEventDetails['otherLocations']) : undefined,
  });
}

/** A written date-time on the sim's clock, 'YYYY-MM-DDTHH:MM': an offset or Z names an instant. */
function localOf(value: string, field: string, timeZone: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) throw new ShapeError(`${field} is not a date-time.`);
  if (!/(Z|[+-]\d{2}:\d{2})$/i.test(value)) return value.slice(0, 16);
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new ShapeError(`${field} is not a date-time.`);
  return instantToLocal(instant, timeZone);
}

export function readEvent(body: EventBody, section: SimSection, state: SimState, timeZone: string): Omit<SimMeeting, 'id'> {
  const term = state.terms[section.termId];
  const dates = sectionDates(term, section.partOfTerm);
  const period = body.recurrence?.timePeriod;
  const start = period?.startOn ? localOf(period.startOn, 'recurrence.timePeriod.startOn', timeZone) : null;
  const end = period?.endOn ? localOf(period.endOn, 'recurrence.timePeriod.endOn', timeZone) : null;
  const rule = body.recurrence?.repeatRule;
  const repeat = rule ? readRepeat(rule) : null;
  const days = new Set(rule?.daysOfWeek ?? []);
  const event = readEventDetails(body);
  const room = body.locations?.find((l) => l.location?.type === 'room')?.location?.room?.id ?? null;
  return {
    days: WEEKDAYS.filter(([, day]) => days.has(day)).map(([letter]) => letter).join(''),
    startTime: start ? start.slice(11, 16) : null,
    endTime: end ? end.slice(11, 16) : null,
    startDate: start ? start.slice(0, 10) : dates.startOn,
    endDate: end ? end.slice(0, 10) : (rule?.ends?.date ?? dates.endOn),
    roomId: room,
    ...(repeat ? { repeat } : {}),
    ...(event ? { event } : {}),
  };
}

const REPEAT_TYPES: readonly string[] = ['daily', 'weekly', 'monthly', 'yearly'];

/** A written rule's kind and interval, kept as given; weekly every week is the plain meeting (null). */
function readRepeat(rule: NonNullable<NonNullable<EventBody['recurrence']>['repeatRule']>): SimRepeat | null {
  const type = rule.type ?? 'weekly';
  if (!REPEAT_TYPES.includes(type)) throw new ShapeError(`repeatRule type "${type}" is not one of daily, weekly, monthly, yearly.`);
  const interval = rule.interval ?? 1;
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) throw new ShapeError('repeatRule.interval must be a whole number of 1 or more.');
  if (type === 'weekly' && interval === 1) return null;
  return { type: type as SimRepeat['type'], interval, ...(type === 'monthly' && rule.repeatBy !== undefined ? { repeatBy: rule.repeatBy } : {}) };
}

interface SectionBody {
  titles?: { value?: string }[];
  number?: string;
  academicPeriod?: { id?: string };
  course?: { id?: string };
  credits?: { minimum?: number; maximum?: number; increment?: number }[];
  site?: { id?: string };
  instructionalMethods?: { id?: string }[];
  instructionalDeliveryMethod?: { id?: string };
  status?: { category?: string };
  maxEnrollment?: number;
}

/** Reverse lookup of a code-table GUID among the codes the sim knows. */
export function codeOf(table: string, id: string | undefined, codes: Iterable<string>): string | null {
  if (id === undefined) return null;
  for (const code of codes) if (codeTable(table, code) === id) return code;
  throw new ShapeError(`${table} ${id} not found.`);
}

export function readSection(
  body: SectionBody,
  state: SimState,
  codes: { methods: string[]; deliveryMethods: string[]; sites: string[] },
  existing: SimSection | null,
): SectionDraft {
  const period = body.academicPeriod?.id ? termOfPeriod(state, body.academicPeriod.id) : null;
  if (!period) throw new ShapeError('academicPeriod is required and must be an existing academic period.');
  if (!body.course?.id) throw new ShapeError('course is required.');
  const component = codeOf('instructional-method', body.instructionalMethods?.[0]?.id, codes.methods);
  if (component === null) throw new ShapeError('instructionalMethods is required.');
  const category = body.status?.category ?? 'open';
  return {
    termId: period.term.id,
    courseId: body.course.id,
    number: body.number ?? '',
    component,
    status: category === 'cancelled' ? 'cancelled' : 'active',
    capacity: body.maxEnrollment ?? 0,
    instructionMode: codeOf('instructional-delivery-method', body.instructionalDeliveryMethod?.id, codes.deliveryMethods) ?? 'in_person',
    campus: codeOf('site', body.site?.id, codes.sites),
    partOfTerm: period.part,
    title: body.titles?.[0]?.value ?? null,
    credits: body.credits?.[0]?.minimum ?? null,
    // A PUT replaces the section: a range left out is gone.
    creditsMax: body.credits?.[0]?.maximum ?? null,
    creditsIncrement: body.credits?.[0]?.increment ?? null,
    // PUT replaces the section; its meetings and instructors are separate Ethos resources.
    meetings: existing?.meetings ?? [],
    instructors: existing?.instructors ?? [],
  };
}

/** A section-instructors v10 record: a primary's share is 100 unless a client wrote another. */
export function renderLink(s: SimSection, l: SimSectionInstructor): Record<string, unknown> {
  const events = l.meetingIds?.filter((id) => s.meetings.some((m) => m.id === id));
  return {
    id: l.id,
    instructor: { id: l.instructorId },
    section: { id: s.id },
    ...(events ? { instructionalEvents: events.map((id) => ({ id })) } : {}),
    ...(l.role === 'primary' ? { instructorRole: 'primary', responsibilityPercentage: 100 } : {}),
    ...l.assignment,
  };
}

export interface LinkBody {
  id?: string;
  instructor?: { id?: string };
  section?: { id?: string };
  instructorRole?: string;
  instructionalEvents?: { id?: string }[];
  responsibilityPercentage?: unknown;
  workLoad?: unknown;
  workStartOn?: unknown;
  workEndOn?: unknown;
}

/** A written date, 'YYYY-MM-DD', or nothing. */
function date(value: unknown, field: string): string | undefined {
  if (value !== undefined && !(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))) throw new ShapeError(`${field} must be a date (YYYY-MM-DD).`);
  return value;
}

/** A written assignment of an instructor to the section `s` (a PUT replaces it: what it leaves out is gone). */
export function readLink(body: LinkBody, s: SimSection): Omit<SimSectionInstructor, 'id'> {
  if (!body.instructor?.id) throw new ShapeError('instructor.id is required.');
  const events = body.instructionalEvents;
  if (events !== undefined && !(Array.isArray(events) && events.every((e) => s.meetings.some((m) => m.id === e?.id)))) {
    throw new ShapeError(`instructionalEvents must be events of section ${s.id}.`);
  }
  const assignment = given<SimAssignmentDetails>({
    responsibilityPercentage: amount(body.responsibilityPercentage, 'responsibilityPercentage', 100),
    workLoad: amount(body.workLoad, 'workLoad'),
    workStartOn: date(body.workStartOn, 'workStartOn'),
    workEndOn: date(body.workEndOn, 'workEndOn'),
  });
  return {
    instructorId: body.instructor.id,
    role: body.instructorRole === 'primary' ? 'primary' : 'secondary',
    meetingIds: events ? events.map((e) => e.id!) : null,
    ...(assignment ? { assignment } : {}),
  };
}

export function renderCrosslist(r: SimRelationship): Record<string, unknown> {
  return {
    id: r.id,
    code: r.code,
    sections: r.members.map((m) => ({ section: { id: m.sectionId }, type: m.primary ? 'primary' : 'secondary' })),
    ...(r.sharedCapacity === null ? {} : { maxEnrollment: r.sharedCapacity }),
    waitlist: r.waitlist ?? 'separate',
    ...(r.maxWaitlist == null ? {} : { maxWaitlist: r.maxWaitlist }),
  };
}
