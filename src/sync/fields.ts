// Every merged record in one shape: the SIS's normalized model (src/sis/model.ts) as plain
// fields keyed by SIS keys. The hub's records are translated into it for the three-way merge and
// for posting; `sis_base` stores it as last seen. These functions are the one place that knows
// how each type's SIS record maps onto comparable fields.
import type {
  SisBuilding,
  SisCourse,
  SisDepartment,
  SisInstructor,
  SisMeeting,
  SisRelationship,
  SisRoom,
  SisSection,
  SisSectionState,
  SisTerm,
} from '../sis/model.ts';
import { byMeeting, instructorsInOrder } from '../domain/content-order.ts';
import type { SisRecord } from '../domain/merge-plan.ts';
import type { Fields } from '../domain/three-way.ts';

const byCode = <T extends { code: string }>(list: readonly T[]) => [...list].sort((a, b) => a.code.localeCompare(b.code));

export const termFields = (t: SisTerm): Fields => ({
  code: t.code,
  name: t.name,
  startsOn: t.startsOn,
  endsOn: t.endsOn,
  parts: byCode(t.parts).map((p) => ({ code: p.code, name: p.name, startsOn: p.startsOn, endsOn: p.endsOn })),
});
export const departmentFields = (d: SisDepartment): Fields => ({ code: d.code, name: d.name });
export const buildingFields = (b: SisBuilding): Fields => ({ code: b.code, name: b.name, campus: b.campus });
export const roomFields = (r: SisRoom): Fields => ({ buildingKey: r.buildingKey, number: r.number, capacity: r.capacity, active: r.active });
export const instructorFields = (i: SisInstructor): Fields => ({ name: i.name, email: i.email, departmentKey: i.departmentKey });
export const courseFields = (c: SisCourse): Fields => ({
  subject: c.subject,
  number: c.number,
  title: c.title,
  credits: c.credits,
  creditsMax: c.creditsMax,
  departmentKey: c.departmentKey,
  description: c.description,
});

/** A meeting as the merge's fields hold it: `weekInterval` only when not weekly (below). */
export type MeetingFields = Omit<SisMeeting, 'weekInterval'> & { weekInterval?: number };

/**
 * A meeting's fields, the hub's and the SIS's alike. Its interval is left out when it is 1: the
 * SIS bases stored before the hub knew intervals (sections.sis_base, and what a post sent,
 * integration_status.sent) hold every meeting without one, and weekly is what they meant. So they
 * still compare, and digest, equal to what the SIS sends now: the upgrade costs a no-change
 * re-merge no writes and no audit entries, and nothing stored is rewritten. Missing means 1.
 */
function meetingFields(m: SisMeeting): MeetingFields {
  const fields: MeetingFields = { days: m.days, startTime: m.startTime, endTime: m.endTime, startDate: m.startDate, endDate: m.endDate, roomKey: m.roomKey };
  if (m.weekInterval !== 1) fields.weekInterval = m.weekInterval;
  return fields;
}

/** A section's meetings as the merge's fields hold them: in one order by content (src/domain/content-order.ts). */
export const meetingsFields = (meetings: readonly SisMeeting[]): MeetingFields[] => meetings.map(meetingFields).sort(byMeeting);

/** The meeting a connector writes, from the merge's fields. */
export const sisMeeting = ({ weekInterval = 1, ...m }: MeetingFields): SisMeeting => ({ ...m, weekInterval });

/**
 * A section's fields. `enrolled` is left out when the SIS does not tell: the hub's count is the
 * base's (src/db/migrations/0011_sis_values.ts), unknown until the SIS reports one.
 */
export function sectionFields(s: SisSectionState): Fields {
  const fields: Fields = {
    courseKey: s.courseKey,
    sectionNumber: s.sectionNumber,
    component: s.component,
    status: s.status,
    capacity: s.capacity,
    instructionMode: s.instructionMode,
    campus: s.campus,
    partOfTerm: s.partOfTerm,
    title: s.title,
    credits: s.credits,
    meetings: meetingsFields(s.meetings),
    instructors: instructorsInOrder(s.instructors),
    sisNumber: s.sisNumber,
  };
  if (s.enrolled !== null) fields.enrolled = s.enrolled;
  return fields;
}

export const relationshipFields = (r: Pick<SisRelationship, 'kind' | 'sharedCapacity' | 'members'>): Fields => ({
  kind: r.kind,
  sharedCapacity: r.sharedCapacity,
  members: [...r.members].sort((a, b) => a.sectionKey.localeCompare(b.sectionKey)).map((m) => ({ sectionKey: m.sectionKey, primary: m.primary })),
});

// Natural keys: how a hub record the SIS never acknowledged is recognised on first import.
export const natural = {
  term: (f: Fields) => `${f.code}`,
  department: (f: Fields) => `${f.code}`,
  building: (f: Fields) => `${f.code}`,
  room: (f: Fields) => `${f.buildingKey}|${f.number}`,
  instructor: (f: Fields) => (f.email ? String(f.email).toLowerCase() : null),
  course: (f: Fields) => `${f.subject} ${f.number}`,
  section: (f: Fields) => (f.sectionNumber ? `${f.courseKey}|${f.sectionNumber}` : null),
  relationship: (f: Fields) => `${f.kind}|${(f.members as { sectionKey: string }[]).map((m) => m.sectionKey).join(',')}`,
};

type Converter<T> = (record: T) => SisRecord;
const record = <T extends { key: string }>(fields: (r: T) => Fields, nk: (f: Fields) => string | null, label: (r: T) => string): Converter<T> => (r) => {
  const f = fields(r);
  return { sisKey: r.key, naturalKey: nk(f), label: label(r), fields: f };
};

export const fromSis = {
  terms: record<SisTerm>(termFields, natural.term, (t) => t.code),
  departments: record<SisDepartment>(departmentFields, natural.department, (d) => d.code),
  buildings: record<SisBuilding>(buildingFields, natural.building, (b) => b.code),
  rooms: record<SisRoom>(roomFields, natural.room, (r) => `room ${r.number} (${r.buildingKey})`),
  instructors: record<SisInstructor>(instructorFields, natural.instructor, (i) => i.name),
  courses: record<SisCourse>(courseFields, natural.course, (c) => `${c.subject} ${c.number}`),
  sections: record<SisSection>(sectionFields, natural.section, (s) => `section ${s.sectionNumber || '(no number)'} of ${s.courseKey}`),
  relationships: record<SisRelationship>(relationshipFields, natural.relationship, (r) => `${r.kind} of ${r.members.length} sections`),
};
