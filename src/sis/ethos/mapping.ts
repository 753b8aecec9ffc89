// EEDM ↔ normalized model. Meeting times are local wall-clock times in the connector's zone:
// Ethos date-times are read as the instants they name, whatever offset the SIS sent, and written
// with that zone's offset.
import type { SisMeeting, SisSectionInput, SisSectionState } from '../model.ts';
import { MAX_WEEK_INTERVAL } from '../../domain/schedule.ts';
import { SisError } from '../errors.ts';
import { localDateTime, utcOffset } from '../time.ts';
import { overlay } from './overlay.ts';
import type { InstructionalEvent, RepeatRule, Section, SectionInstructor } from './wire.ts';
import { NIL_GUID } from './wire.ts';

const WEEKDAYS: [string, string][] = [
  ['M', 'monday'],
  ['T', 'tuesday'],
  ['W', 'wednesday'],
  ['R', 'thursday'],
  ['F', 'friday'],
  ['S', 'saturday'],
  ['U', 'sunday'],
];

/** What the mappers need to turn GUID references into codes and back. */
export interface CodeTables {
  code(table: 'instructional-methods' | 'instructional-delivery-methods' | 'sites', id: string): string;
  id(table: 'instructional-methods' | 'instructional-delivery-methods' | 'sites', code: string): string;
  /** The term a (sub)term period belongs to, and the part-of-term code when it is a subterm. */
  period(id: string): { termKey: string; part: string | null; startOn: string; endOn: string };
  periodId(termKey: string, part: string | null): { id: string; startOn: string; endOn: string };
  titleTypeId: string;
}

/**
 * Every how many weeks an event's rule holds it. The hub's meetings are held on set days every 1
 * to 52 weeks: a rule of any other kind is refused by name, never read as weekly, so a merge
 * leaves the hub's copy alone and a post cannot write it back flattened. A daily rule is refused
 * too: EEDM gives it no days and a SIS may count them by its own calendar, so "all seven days
 * weekly" would be a guess, and writing it back would change the SIS's rule. So is a rule ending
 * after a number of repetitions with no date: the reference leaves open whether the time
 * period's end date is the last meeting's.
 */
function weekIntervalOf(event: InstructionalEvent, position: number): number {
  const rule = event.recurrence?.repeatRule;
  if (!rule) return 1;
  const problem = beyondTheHub(rule);
  if (problem === null) return rule.interval ?? 1;
  throw new SisError({
    code: 'validation',
    field: `meetings.${position}`,
    message:
      `meeting ${position + 1} (instructional event ${event.id}) ${problem} (the SIS's repeatRule: ${JSON.stringify(rule)}); ` +
      `the hub holds meetings on set days every 1 to ${MAX_WEEK_INTERVAL} weeks only, so this section is not merged and the hub keeps it as it was`,
  });
}

/** What in a rule the hub cannot hold, in words; null when it can. */
function beyondTheHub(rule: RepeatRule): string | null {
  const interval = rule.interval ?? 1;
  const every = (unit: string) => (interval === 1 ? `every ${unit}` : `every ${interval} ${unit}s`);
  switch (rule.type) {
    case 'weekly':
      if (!Number.isInteger(interval) || interval < 1 || interval > MAX_WEEK_INTERVAL) return `repeats ${every('week')}`;
      if (rule.ends?.repetitions !== undefined && rule.ends.date === undefined) return `ends after ${rule.ends.repetitions} repetitions, not on a date`;
      return null;
    case 'daily':
      return `repeats ${every('day')}`;
    case 'monthly':
      return `repeats ${every('month')}`;
    case 'yearly':
      return `repeats ${every('year')}`;
    default:
      return `repeats by a rule of type "${rule.type}"`;
  }
}

/** A meeting's days come from its rule alone: a meeting with days and no times has no time period. `position`: its place among the section's. */
export function meetingFromEvent(event: InstructionalEvent, section: Section, timeZone: string, position: number): SisMeeting {
  const room = event.locations?.find((l) => l.location.type === 'room')?.location.room?.id ?? null;
  const rule = event.recurrence?.repeatRule;
  const period = event.recurrence?.timePeriod;
  const weekInterval = weekIntervalOf(event, position);
  const daySet = new Set(rule?.daysOfWeek ?? []);
  const days = WEEKDAYS.filter(([, d]) => daySet.has(d)).map(([l]) => l).join('');
  if (!period?.startOn || !period.endOn) {
    return { days, startTime: null, endTime: null, startDate: section.startOn, endDate: rule?.ends?.date ?? section.endOn ?? null, roomKey: room, weekInterval };
  }
  const start = localDateTime(period.startOn, timeZone);
  const end = localDateTime(period.endOn, timeZone);
  return { days, startTime: start.time, endTime: end.time, startDate: start.date, endDate: rule?.ends?.date ?? end.date, roomKey: room, weekInterval };
}

export function sectionFromEthos(
  s: Section,
  events: InstructionalEvent[],
  instructors: SectionInstructor[],
  tables: CodeTables,
  timeZone: string,
): SisSectionState {
  const period = tables.period(s.academicPeriod?.id ?? '');
  return {
    termKey: period.termKey,
    courseKey: s.course.id,
    sectionNumber: s.number ?? '',
    component: tables.code('instructional-methods', s.instructionalMethods[0]?.id ?? ''),
    status: s.status?.category === 'cancelled' ? 'cancelled' : 'active',
    capacity: s.maxEnrollment ?? 0,
    instructionMode: s.instructionalDeliveryMethod ? tables.code('instructional-delivery-methods', s.instructionalDeliveryMethod.id) : 'in_person',
    campus: s.site ? tables.code('sites', s.site.id) : null,
    partOfTerm: period.part,
    title: s.titles[0]?.value ?? null,
    credits: creditsOf(s),
    meetings: events.map((e, i) => meetingFromEvent(e, s, timeZone, i)),
    instructors: instructors.map((i) => ({ instructorKey: i.instructor.id, role: i.instructorRole === 'primary' ? 'primary' : 'secondary' })),
    // Ethos sections v16 carry no enrollment count.
    enrolled: null,
    sisNumber: s.alternateIds?.find((a) => a.title?.toUpperCase() === 'CRN')?.value || null,
  };
}

/**
 * The section representation for POST (no `current`) or PUT (overlaying `current`, so fields we
 * do not own survive the full-representation PUT). Of the titles the hub holds the first; of the
 * status only whether it is cancelled, so an open or closed section's status and its detail go
 * back as read while the hub agrees.
 */
export function sectionToEthos(input: SisSectionInput, tables: CodeTables, current: Section | null): Section {
  const period = tables.periodId(input.termKey, input.partOfTerm);
  const cancelled = input.status === 'cancelled';
  const keptStatus = current?.status && (current.status.category === 'cancelled') === cancelled;
  return overlay(current, {
    id: current?.id ?? NIL_GUID,
    titles: input.title === null ? [] : [{ type: { id: current?.titles[0]?.type.id ?? tables.titleTypeId }, value: input.title }, ...(current?.titles.slice(1) ?? [])],
    startOn: period.startOn,
    endOn: period.endOn,
    number: input.sectionNumber,
    academicPeriod: { id: period.id },
    course: { id: input.courseKey },
    credits: creditsToEthos(input.credits, current),
    site: input.campus === null ? undefined : { id: tables.id('sites', input.campus) },
    instructionalMethods: [{ id: tables.id('instructional-methods', input.component) }],
    instructionalDeliveryMethod: { id: tables.id('instructional-delivery-methods', input.instructionMode) },
    status: keptStatus ? current.status : { category: cancelled ? 'cancelled' : 'open' },
    maxEnrollment: input.capacity,
  });
}

/** A section's credits in our model: the minimum of the SIS's (a variable range's lower end). */
const creditsOf = (s: Section): number | null => s.credits?.[0]?.minimum ?? null;

/**
 * The SIS's credits as read go back unchanged unless the hub changed them: a variable-credit
 * section keeps its maximum and increment, which our model does not hold.
 */
function creditsToEthos(credits: number | null, current: Section | null): Section['credits'] {
  if (current && creditsOf(current) === credits) return current.credits;
  return credits === null ? [] : [{ creditCategory: { creditType: 'institution' }, measure: 'credit', minimum: credits }];
}

/**
 * The instructional event of a meeting for POST (no `current`) or PUT (overlaying `current`). The
 * hub owns the event's method, time period, its rule's days, interval and end date, and its room:
 * the SIS's other locations (a site, online), its approvals, workload, title and description go
 * back as read (the approvals a change voids are dropped by the caller: src/domain/conflict-approvals.ts).
 */
export function eventToEthos(
  meeting: SisMeeting,
  sectionKey: string,
  component: string,
  tables: CodeTables,
  timeZone: string,
  current: InstructionalEvent | null,
): InstructionalEvent {
  const room = meeting.roomKey === null ? [] : [{ location: { type: 'room', room: { id: meeting.roomKey } } }];
  return overlay(current, {
    id: current?.id ?? NIL_GUID,
    section: { id: sectionKey },
    instructionalMethod: { id: tables.id('instructional-methods', component) },
    recurrence: recurrenceOf(meeting, timeZone, current?.recurrence),
    locations: [...room, ...(current?.locations ?? []).filter((l) => l.location.type !== 'room')],
  });
}

/** A weekly rule of the meeting's days every n weeks, with a time period when it has times: days without times keep their days. */
function recurrenceOf(meeting: SisMeeting, timeZone: string, current: InstructionalEvent['recurrence']): InstructionalEvent['recurrence'] {
  const daysOfWeek = WEEKDAYS.filter(([l]) => meeting.days.includes(l)).map(([, d]) => d);
  const { startTime, endTime, startDate, endDate } = meeting;
  const timed = startTime !== null && endTime !== null && startDate !== null && endDate !== null;
  if (!timed && daysOfWeek.length === 0) return undefined;
  return overlay(current, {
    timePeriod: timed
      ? {
          startOn: `${startDate}T${startTime}:00${utcOffset(startDate, startTime, timeZone)}`,
          endOn: `${endDate}T${endTime}:00${utcOffset(endDate, endTime, timeZone)}`,
        }
      : undefined,
    repeatRule: overlay(current?.repeatRule, { type: 'weekly', interval: meeting.weekInterval, ends: endDate === null ? undefined : { date: endDate }, daysOfWeek }),
  });
}

/** An instructor's assignment for POST (no `current`) or PUT: the hub owns who and whether primary; the SIS's events, share and workload go back as read. */
export function linkToEthos(instructorKey: string, role: string, sectionKey: string, current: SectionInstructor | null): SectionInstructor {
  return overlay(current, {
    id: current?.id ?? NIL_GUID,
    instructor: { id: instructorKey },
    section: { id: sectionKey },
    instructorRole: role === 'primary' ? 'primary' : undefined,
  });
}
