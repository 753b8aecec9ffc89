// Reads the UIUC Course Explorer layout (one row per meeting; see /work/shared/data/README.md)
// into a Dataset. The file carries no dates, capacities or enrollments: dates come from the
// usual shape of the university's calendar (below), capacities are 0 and enrollments unknown.
import { decodeHtmlEntities, parseCsvRecords } from './csv-parse.ts';
import { courseCode, type Dataset, type DatasetMeeting, type DatasetSection } from './dataset.ts';
import type { SisTermPart } from '../model.ts';

const SEASONS: Record<string, { name: string; start: string; end: string }> = {
  sp: { name: 'Spring', start: '01-20', end: '05-09' },
  su: { name: 'Summer', start: '05-19', end: '08-08' },
  fa: { name: 'Fall', start: '08-25', end: '12-12' },
  wi: { name: 'Winter', start: '12-15', end: '01-16' },
};

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function termBounds(yearTerm: string): { code: string; name: string; startsOn: string; endsOn: string } {
  const [year, season] = yearTerm.split('-');
  const s = SEASONS[season];
  if (!s || !/^\d{4}$/.test(year)) throw new Error(`unknown UIUC term "${yearTerm}"`);
  const endYear = season === 'wi' ? String(Number(year) + 1) : year;
  return { code: yearTerm, name: `${s.name} ${year}`, startsOn: `${year}-${s.start}`, endsOn: `${endYear}-${s.end}` };
}

/** Parts of term as fractions of the term; unknown codes span the whole term. */
const PART_SPANS: Record<string, [number, number]> = {
  S1: [0, 0.35],
  S2: [0.35, 1],
  S2A: [0.35, 0.67],
  S2B: [0.67, 1],
  A: [0, 0.5],
  B: [0.5, 1],
};

function termPart(code: string, startsOn: string, endsOn: string): SisTermPart {
  const span = PART_SPANS[code] ?? [0, 1];
  const days = Math.round((Date.parse(endsOn) - Date.parse(startsOn)) / 86_400_000);
  return {
    code,
    name: code === '1' ? 'Full term' : `Part of term ${code}`,
    startsOn: addDays(startsOn, Math.round(days * span[0])),
    endsOn: addDays(startsOn, Math.round(days * span[1])),
  };
}

function time12to24(value: string): string | null {
  const m = /^(\d{1,2}):(\d{2})\s*([AP])M$/i.exec(value.trim());
  if (!m) return null;
  let h = Number(m[1]) % 12;
  if (m[3].toUpperCase() === 'P') h += 12;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

function hours(value: string): number[] {
  return [...value.matchAll(/\d+(\.\d+)?/g)].map((m) => Number(m[0]));
}

const ONLINE_TYPE = /^online/i;
const NO_ROOM = new Set(['', 'ARR', 'ARRANGED']);

/** "Same as AFRO 201, LLS 201, and PS 201. See PS 201." → codes and the primary. */
export function parseSameAs(info: string): { codes: string[]; see: string | null } | null {
  const same = /Same as ([^.]*)\./.exec(info);
  if (!same) return null;
  const codes = same[1]
    .split(/,\s*(?:and\s+)?|\s+and\s+/)
    .map((c) => c.trim())
    .filter((c) => /^[A-Z]+ \d+[A-Z]?$/.test(c));
  const see = /See ([A-Z]+ \d+[A-Z]?)/.exec(info);
  return { codes, see: see ? see[1] : null };
}

export function parseUiucCsv(text: string): Dataset {
  const rows = parseCsvRecords(text);
  const terms = new Map<string, Dataset['terms'][number]>();
  const courses = new Map<string, Dataset['courses'][number]>();
  const sections = new Map<string, DatasetSection>();
  const sameAs = new Map<string, { codes: string[]; see: string | null }>();
  const buildings = new Map<string, Dataset['buildings'][number]>();
  const rooms = new Map<string, Dataset['rooms'][number]>();
  const instructors = new Map<string, Dataset['instructors'][number]>();
  const departments = new Map<string, Dataset['departments'][number]>();

  for (const row of rows) {
    const term = terms.get(row.YearTerm) ?? { ...termBounds(row.YearTerm), parts: [] };
    terms.set(term.code, term);
    const partCode = row['Part of Term'].trim() || null;
    let part = partCode ? term.parts.find((p) => p.code === partCode) : undefined;
    if (partCode && !part) {
      part = termPart(partCode, term.startsOn, term.endsOn);
      term.parts.push(part);
    }
    const subject = row.Subject.trim();
    const code = courseCode(subject, row.Number.trim());
    departments.set(subject, { code: subject, name: subject });
    if (!courses.has(code)) {
      // "3 hours.", "1 TO 5 hours." (any whole number from 1 to 5) or "3 OR 4 hours." (3 or 4,
      // not 3.5): an OR is read as the range it spans, since the hub keeps a minimum and a
      // maximum only — neither the increment nor which values between are allowed.
      const credits = hours(row['Credit Hours']);
      courses.set(code, {
        subject,
        number: row.Number.trim(),
        title: decodeHtmlEntities(row.Name.trim()),
        credits: credits[0] ?? 0,
        creditsMax: credits.length > 1 ? credits[credits.length - 1] : null,
        departmentCode: subject,
        description: decodeHtmlEntities(row.Description.trim()) || null,
      });
    }
    const key = `${term.code}/${row.CRN}`;
    let section = sections.get(key);
    if (!section) {
      const sectionCredits = hours(row['Section Credit Hours']);
      section = {
        termCode: term.code,
        crn: row.CRN.trim(),
        subject,
        courseNumber: row.Number.trim(),
        sectionNumber: row.Section.trim(),
        component: row['Type Code'].trim(),
        status: /^[CX]$/.test(row['Status Code'].trim()) ? 'cancelled' : 'active',
        capacity: 0,
        enrolled: null,
        instructionMode: ONLINE_TYPE.test(row.Type.trim()) ? 'online' : 'in_person',
        campus: null,
        partOfTerm: partCode,
        title: decodeHtmlEntities(row['Section Title'].trim()) || null,
        credits: sectionCredits[0] ?? null,
        meetings: [],
        instructors: [],
      };
      sections.set(key, section);
      const same = parseSameAs(decodeHtmlEntities(row['Section Info']));
      if (same && same.codes.length > 0) sameAs.set(key, same);
    }
    const building = decodeHtmlEntities(row.Building.trim());
    const roomNumber = row.Room.trim();
    const hasRoom = building !== '' && !NO_ROOM.has(roomNumber.toUpperCase());
    if (hasRoom) {
      buildings.set(building, { code: building, name: building, campus: null });
      rooms.set(`${building}/${roomNumber}`, { buildingCode: building, number: roomNumber, capacity: 0, active: true });
    }
    const meeting: DatasetMeeting = {
      days: row['Days of Week'].trim(),
      startTime: time12to24(row['Start Time']),
      endTime: time12to24(row['End Time']),
      startDate: part?.startsOn ?? term.startsOn,
      endDate: part?.endsOn ?? term.endsOn,
      buildingCode: hasRoom ? building : null,
      roomNumber: hasRoom ? roomNumber : null,
    };
    section.meetings.push(meeting);
    for (const name of row.Instructors.split(';').map((n) => n.trim()).filter(Boolean)) {
      if (!section.instructors.includes(name)) section.instructors.push(name);
      if (!instructors.has(name)) instructors.set(name, { name, email: null, departmentCode: null });
    }
  }

  return {
    terms: [...terms.values()],
    departments: [...departments.values()],
    buildings: [...buildings.values()],
    rooms: [...rooms.values()],
    instructors: [...instructors.values()],
    courses: [...courses.values()],
    sections: [...sections.values()],
    relationships: crosslists([...sections.values()], sameAs),
  };
}

/**
 * A "Same as" note names courses, not sections: a section is taught with the section of each
 * named course in the same term that shares its section number (how UIUC numbers crosslisted
 * sections). A section with no such partner at all is taught with each named course's only
 * section of the same part of term and instructors (CS 513 CHI with IS 537 AO; CS 519 DSO and
 * SVG with CSE 527 SG), or, of several, the only one not yet taught with a section of its own
 * course (CSE 451 without a number joins AE 420 and ME 471 ON1, as CSE 451 ONC is with their
 * ONC). Sections linked either way, from either side, make one crosslist.
 */
function crosslists(
  sections: DatasetSection[],
  sameAs: Map<string, { codes: string[]; see: string | null }>,
): Dataset['relationships'] {
  const codeOf = (s: DatasetSection) => courseCode(s.subject, s.courseNumber);
  const byCourse = Map.groupBy(sections, (s) => `${s.termCode}/${codeOf(s)}`);
  const offered = (s: DatasetSection, code: string) => (code === codeOf(s) ? [] : (byCourse.get(`${s.termCode}/${code}`) ?? []));
  const codesOf = (s: DatasetSection) => sameAs.get(`${s.termCode}/${s.crn}`)?.codes ?? [];
  const numbered = (s: DatasetSection, code: string) => (s.sectionNumber === '' ? undefined : offered(s, code).find((o) => o.sectionNumber === s.sectionNumber));

  // Each section points at the earliest section of its crosslist in file order (union-find).
  const order = new Map(sections.map((s, i) => [s, i]));
  const up = new Map<DatasetSection, DatasetSection>();
  const root = (s: DatasetSection): DatasetSection => {
    const parent = up.get(s);
    if (!parent) return s;
    const top = root(parent);
    up.set(s, top);
    return top;
  };
  const link = (s: DatasetSection, other: DatasetSection) => {
    const [a, b] = [root(s), root(other)].sort((x, y) => order.get(x)! - order.get(y)!);
    if (a !== b) up.set(b, a);
  };

  const unnumbered: DatasetSection[] = [];
  for (const s of sections) {
    const partners = codesOf(s).flatMap((code) => numbered(s, code) ?? []);
    for (const p of partners) link(s, p);
    if (partners.length === 0 && codesOf(s).length > 0) unnumbered.push(s);
  }
  const teachers = (s: DatasetSection) => [...s.instructors].sort().join(';');
  const withOwnCourse = (s: DatasetSection, other: DatasetSection) =>
    byCourse.get(`${s.termCode}/${codeOf(s)}`)!.some((x) => x !== s && root(x) === root(other));
  for (const s of unnumbered) {
    for (const code of codesOf(s)) {
      const alike = offered(s, code).filter((o) => o.partOfTerm === s.partOfTerm && teachers(o) !== '' && teachers(o) === teachers(s));
      const free = alike.length > 1 ? alike.filter((o) => !withOwnCourse(s, o)) : alike;
      if (free.length === 1) link(s, free[0]);
    }
  }

  return [...Map.groupBy(sections, root).values()]
    .filter((group) => group.length > 1)
    .map((group) => {
      const members = group.toSorted((x, y) => codeOf(x).localeCompare(codeOf(y)));
      // The primary is the section of the first "See" course a member's note names.
      const see = group.map((m) => sameAs.get(`${m.termCode}/${m.crn}`)?.see).find((code) => code);
      const primary = members.find((m) => codeOf(m) === see) ?? members[0];
      return { termCode: group[0].termCode, kind: 'crosslist' as const, crns: members.map((m) => m.crn), primaryCrn: primary.crn, sharedCapacity: null };
    });
}
