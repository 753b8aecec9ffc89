// The generic flat-file layout: one row per meeting, like the UIUC files, with explicit
// columns for what those lack. Documented in ./README.md.
import { parseCsvRecords } from './csv-parse.ts';
import { courseCode, type Dataset, type DatasetSection } from './dataset.ts';

export const GENERIC_REQUIRED = ['term_code', 'term_start', 'term_end', 'section_key', 'subject', 'course_number', 'component'] as const;

const num = (value: string | undefined, fallback: number): number => (value && value.trim() !== '' ? Number(value) : fallback);
const optional = (value: string | undefined): string | null => (value && value.trim() !== '' ? value.trim() : null);

export function parseGenericCsv(text: string): Dataset {
  const rows = parseCsvRecords(text);
  const missing = GENERIC_REQUIRED.filter((c) => rows.length > 0 && !(c in rows[0]));
  if (missing.length > 0) throw new Error(`generic CSV lacks the columns ${missing.join(', ')}`);
  const d: Dataset = { terms: [], departments: [], buildings: [], rooms: [], instructors: [], courses: [], sections: [], relationships: [] };
  const sections = new Map<string, DatasetSection>();
  const relationships = new Map<string, Dataset['relationships'][number]>();
  const has = <T>(list: T[], same: (x: T) => boolean) => list.some(same);

  for (const [i, r] of rows.entries()) {
    const line = i + 2;
    const termCode = r.term_code.trim();
    if (!termCode || !r.section_key.trim()) throw new Error(`line ${line}: term_code and section_key are required`);
    let term = d.terms.find((t) => t.code === termCode);
    if (!term) {
      term = { code: termCode, name: optional(r.term_name) ?? termCode, startsOn: r.term_start.trim(), endsOn: r.term_end.trim(), parts: [] };
      d.terms.push(term);
    }
    const part = optional(r.part_of_term);
    if (part && !term.parts.some((p) => p.code === part)) {
      term.parts.push({ code: part, name: part, startsOn: optional(r.part_start) ?? term.startsOn, endsOn: optional(r.part_end) ?? term.endsOn });
    }
    const subject = r.subject.trim();
    const number = r.course_number.trim();
    const department = optional(r.department);
    if (department && !has(d.departments, (x) => x.code === department)) d.departments.push({ code: department, name: department });
    if (!has(d.courses, (c) => courseCode(c.subject, c.number) === courseCode(subject, number))) {
      d.courses.push({
        subject,
        number,
        title: optional(r.course_title) ?? courseCode(subject, number),
        credits: num(r.course_credits, 0),
        creditsMax: optional(r.course_credits_max) === null ? null : num(r.course_credits_max, 0),
        departmentCode: department,
        description: null,
      });
    }
    const building = optional(r.building);
    const roomNumber = optional(r.room);
    if (building && !has(d.buildings, (b) => b.code === building)) {
      d.buildings.push({ code: building, name: optional(r.building_name) ?? building, campus: optional(r.campus) });
    }
    if (building && roomNumber && !has(d.rooms, (x) => x.buildingCode === building && x.number === roomNumber)) {
      d.rooms.push({ buildingCode: building, number: roomNumber, capacity: num(r.room_capacity, 0), active: true });
    }
    const crn = r.section_key.trim();
    let section = sections.get(`${termCode}/${crn}`);
    if (!section) {
      section = {
        termCode,
        crn,
        subject,
        courseNumber: number,
        sectionNumber: (r.section_number ?? '').trim(),
        component: r.component.trim(),
        status: (r.status ?? '').trim().toLowerCase() === 'cancelled' ? 'cancelled' : 'active',
        capacity: num(r.capacity, 0),
        enrolled: optional(r.enrolled) === null ? null : num(r.enrolled, 0),
        instructionMode: optional(r.instruction_mode) ?? 'in_person',
        campus: optional(r.campus),
        partOfTerm: part,
        title: optional(r.section_title),
        credits: optional(r.section_credits) === null ? null : num(r.section_credits, 0),
        meetings: [],
        instructors: [],
      };
      sections.set(`${termCode}/${crn}`, section);
    }
    const termPart = term.parts.find((p) => p.code === part);
    section.meetings.push({
      days: (r.days ?? '').trim(),
      startTime: optional(r.start_time),
      endTime: optional(r.end_time),
      startDate: optional(r.start_date) ?? termPart?.startsOn ?? term.startsOn,
      endDate: optional(r.end_date) ?? termPart?.endsOn ?? term.endsOn,
      buildingCode: roomNumber ? building : null,
      roomNumber: building ? roomNumber : null,
    });
    for (const name of (r.instructors ?? '').split(';').map((n) => n.trim()).filter(Boolean)) {
      if (!section.instructors.includes(name)) section.instructors.push(name);
      if (!has(d.instructors, (x) => x.name === name)) d.instructors.push({ name, email: null, departmentCode: department });
    }
    const relKey = optional(r.relationship_key);
    if (relKey) {
      const rel = relationships.get(`${termCode}/${relKey}`) ?? {
        termCode,
        kind: (r.relationship_kind ?? '').trim() === 'combined' ? ('combined' as const) : ('crosslist' as const),
        crns: [],
        primaryCrn: crn,
        sharedCapacity: optional(r.relationship_capacity) === null ? null : num(r.relationship_capacity, 0),
      };
      if (!rel.crns.includes(crn)) rel.crns.push(crn);
      if ((r.relationship_primary ?? '').trim().toLowerCase() === 'y') rel.primaryCrn = crn;
      relationships.set(`${termCode}/${relKey}`, rel);
    }
  }
  d.sections = [...sections.values()];
  d.relationships = [...relationships.values()].filter((r) => r.crns.length >= 2);
  return d;
}
