// A synthetic institution whose shape follows the UIUC files (subjects, components, day
// patterns, times, room use, several instructors): N sections in each of three terms, from a
// seeded PRNG so the same N always gives the same SIS.
import type { Dataset, DatasetMeeting, DatasetSection } from '../src/sis/csv/dataset.ts';
import { prng } from './ids.ts';

type Weighted<T> = [T, number][];

const SUBJECTS = [
  'MATH', 'CS', 'PHYS', 'CHEM', 'ECON', 'ENGL', 'HIST', 'PSYC', 'BIOL', 'STAT', 'ACCY', 'FIN',
  'MUS', 'ART', 'SPAN', 'FR', 'GER', 'PHIL', 'SOC', 'ANTH', 'ECE', 'ME', 'CEE', 'AE', 'KIN',
  'CMN', 'LAW', 'NURS', 'EDUC', 'GEOG', 'ASTR', 'LING', 'PS', 'AFRO', 'GWS', 'RHET', 'THEA',
  'DANC', 'ABE', 'NRES',
];
const COMPONENTS: Weighted<string> = [['LEC', 30], ['DIS', 18], ['LAB', 12], ['ONL', 14], ['IND', 12], ['LCD', 6], ['SEM', 5], ['PR', 3]];
const DAYS: Weighted<[string, number]> = [
  [['MWF', 50], 22], [['TR', 75], 24], [['MW', 80], 14], [['MTWRF', 50], 10], [['T', 170], 6],
  [['W', 170], 6], [['M', 110], 6], [['R', 110], 6], [['F', 50], 6],
];
const STARTS = ['08:00', '09:00', '09:30', '10:00', '11:00', '12:00', '12:30', '13:00', '14:00', '15:00', '15:30', '16:00', '17:00', '18:00'];
const ARRANGED_COMPONENTS = new Set(['ONL', 'IND']);
const CREDITS: Weighted<[number, number | null]> = [[[3, null], 40], [[4, null], 25], [[1, 4], 15], [[2, null], 10], [[1, null], 6], [[3, 4], 4]];
const WORDS = ['Introduction to', 'Advanced', 'Topics in', 'Foundations of', 'Seminar in', 'Applied', 'Principles of', 'Modern', 'Studies in', 'Methods of'];
const TOPICS = ['Analysis', 'Systems', 'Theory', 'Design', 'Culture', 'Policy', 'Data', 'Structures', 'Practice', 'Research', 'Writing', 'Ethics', 'Networks', 'Markets'];
const FIRST = 'ABCDEFGHIJKLMNOPRSTW'.split('');
const LAST = ['Smith', 'Nguyen', 'Garcia', 'Chen', 'Patel', 'Kim', 'Johnson', 'Brown', 'Lee', 'Martin', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Moore', 'Clark', 'Lewis', 'Walker', 'Young', 'Hall', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell'];
const BUILDING_WORDS = ['Altgeld', 'Lincoln', 'Foellinger', 'Loomis', 'Noyes', 'Davenport', 'Gregory', 'Everitt', 'Talbot', 'Wohlers', 'Siebel', 'Krannert', 'Smith', 'Morrill', 'Burrill', 'Bevier', 'Mumford', 'Armory', 'Harker', 'Henry'];
const TERMS = [
  { code: '2025-fa', name: 'Fall 2025', startsOn: '2025-08-25', endsOn: '2025-12-12', half: '2025-10-17' },
  { code: '2026-sp', name: 'Spring 2026', startsOn: '2026-01-20', endsOn: '2026-05-08', half: '2026-03-13' },
  { code: '2026-su', name: 'Summer 2026', startsOn: '2026-05-18', endsOn: '2026-08-07', half: '2026-06-26' },
];

function pick<T>(random: () => number, items: Weighted<T>): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

const plusMinutes = (time: string, minutes: number): string => {
  const total = Number(time.slice(0, 2)) * 60 + Number(time.slice(3)) + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
};

export function syntheticDataset(sectionsPerTerm: number, seed = 1): Dataset {
  const random = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const one = <T>(items: T[]) => items[Math.floor(random() * items.length)];

  const departments = SUBJECTS.map((code) => ({ code, name: `Department of ${code}` }));
  const buildings = BUILDING_WORDS.map((w, i) => ({ code: `B${String(i + 1).padStart(3, '0')}`, name: `${w} Hall`, campus: 'MAIN' }));
  const roomCount = Math.max(20, Math.ceil(sectionsPerTerm / 12));
  const rooms = Array.from({ length: roomCount }, (_, i) => ({
    buildingCode: buildings[i % buildings.length].code,
    number: String(100 + Math.floor(i / buildings.length)),
    capacity: pick(random, [[int(15, 40), 60], [int(41, 120), 30], [int(121, 400), 10]]),
    // A few rooms are out of service, as in any facilities table; nothing is scheduled there.
    active: i % 50 !== 49,
  }));
  const activeRooms = rooms.filter((r) => r.active);
  const instructorCount = Math.max(10, Math.ceil(sectionsPerTerm / 4));
  const instructors = Array.from({ length: instructorCount }, (_, i) => {
    const last = LAST[i % LAST.length];
    const name = `${last}${i >= LAST.length ? ` ${Math.floor(i / LAST.length)}` : ''}, ${one(FIRST)}`;
    return { name, email: `${last.toLowerCase()}${i}@example.edu`, departmentCode: one(SUBJECTS) };
  });
  const courseCount = Math.max(5, Math.ceil(sectionsPerTerm / 4));
  const seen = new Set<string>();
  const courses: Dataset['courses'] = [];
  while (courses.length < courseCount) {
    const subject = one(SUBJECTS);
    const number = String(int(100, 599));
    if (seen.has(`${subject} ${number}`)) continue;
    seen.add(`${subject} ${number}`);
    const [credits, creditsMax] = pick(random, CREDITS);
    courses.push({ subject, number, title: `${one(WORDS)} ${one(TOPICS)}`, credits, creditsMax, departmentCode: subject, description: null });
  }

  const terms: Dataset['terms'] = [];
  const sections: DatasetSection[] = [];
  const relationships: Dataset['relationships'] = [];
  for (const t of TERMS) {
    const parts = [
      { code: '1', name: 'Full term', startsOn: t.startsOn, endsOn: t.endsOn },
      { code: 'A', name: 'First half', startsOn: t.startsOn, endsOn: t.half },
      { code: 'B', name: 'Second half', startsOn: t.half, endsOn: t.endsOn },
    ];
    terms.push({ code: t.code, name: t.name, startsOn: t.startsOn, endsOn: t.endsOn, parts });
    const perCourse = new Map<string, number>();
    const termSections: DatasetSection[] = [];
    for (let i = 0; i < sectionsPerTerm; i++) {
      const course = courses[Math.floor(Math.pow(random(), 1.5) * courses.length)];
      const code = `${course.subject} ${course.number}`;
      const n = (perCourse.get(code) ?? 0) + 1;
      perCourse.set(code, n);
      const component = pick(random, COMPONENTS);
      const part = pick(random, [[parts[0], 85], [parts[1], 8], [parts[2], 7]]);
      const arranged = ARRANGED_COMPONENTS.has(component);
      const meetingCount = arranged ? 1 : pick(random, [[1, 90], [2, 10]]);
      const meetings: DatasetMeeting[] = Array.from({ length: meetingCount }, () => {
        if (arranged) return { days: '', startTime: null, endTime: null, startDate: part.startsOn, endDate: part.endsOn, buildingCode: null, roomNumber: null };
        const [days, minutes] = pick(random, DAYS);
        const start = one(STARTS);
        const room = one(activeRooms);
        return { days, startTime: start, endTime: plusMinutes(start, minutes), startDate: part.startsOn, endDate: part.endsOn, buildingCode: room.buildingCode, roomNumber: room.number };
      });
      const capacity = arranged ? int(1, 30) : int(10, 200);
      const teachers = Array.from({ length: pick(random, [[1, 85], [2, 10], [3, 5]]) }, () => one(instructors).name);
      termSections.push({
        termCode: t.code,
        crn: String(10000 + i),
        subject: course.subject,
        courseNumber: course.number,
        sectionNumber: `${component[0]}${String(n).padStart(2, '0')}`,
        component,
        status: random() < 0.03 ? 'cancelled' : 'active',
        capacity,
        enrolled: int(0, capacity),
        instructionMode: component === 'ONL' ? 'online' : 'in_person',
        campus: 'MAIN',
        partOfTerm: part.code,
        title: random() < 0.1 ? `${one(TOPICS)} Lab`.slice(0, 30) : null,
        credits: random() < 0.3 ? course.credits : null,
        meetings,
        instructors: [...new Set(teachers)],
      });
    }
    sections.push(...termSections);
    // Pairs of neighbouring lectures become crosslists or combined sections (about 4 %).
    for (let i = 0; i + 1 < termSections.length; i += 25) {
      const [a, b] = [termSections[i], termSections[i + 1]];
      relationships.push({ termCode: t.code, kind: i % 50 === 0 ? 'crosslist' : 'combined', crns: [a.crn, b.crn], primaryCrn: a.crn, sharedCapacity: i % 50 === 0 ? null : a.capacity + b.capacity });
    }
  }
  return { terms, departments, buildings, rooms, instructors, courses, sections, relationships };
}
