// Done-when of issue #3: the simulator seeded with a real UIUC term serves it over Ethos, and
// the Ethos connector reads back exactly its sections, meetings, instructors and crosslists.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHtmlEntities, parseCsvRecords } from '../../src/sis/csv/csv-parse.ts';
import type { SisBuilding, SisCourse, SisInstructor, SisRelationship, SisRoom, SisSection } from '../../src/sis/model.ts';
import { collect, hasSharedData, SKIP_SHARED, startPair, uiucFile, type Pair } from './harness.ts';

/** Each CRN's meeting days, as the file lists them. */
const daysByCrn = (rows: Record<string, string>[]) => {
  const days = new Map<string, string[]>();
  for (const r of rows) days.set(r.CRN, [...(days.get(r.CRN) ?? []), r['Days of Week'].trim()].sort());
  return days;
};

const to24 = (t: string) => {
  const m = /^(\d\d):(\d\d) ([AP])M$/.exec(t);
  if (!m) return null;
  return `${String((Number(m[1]) % 12) + (m[3] === 'P' ? 12 : 0)).padStart(2, '0')}:${m[2]}`;
};

describe.skipIf(!hasSharedData)(hasSharedData ? 'UIUC 2025-su through the Ethos simulator' : SKIP_SHARED, () => {
  let pair: Pair;
  let rows: Record<string, string>[];
  let sections: SisSection[];
  let relationships: SisRelationship[];
  let courses: Map<string, SisCourse>;
  let rooms: Map<string, SisRoom>;
  let buildings: Map<string, SisBuilding>;
  let instructors: Map<string, SisInstructor>;
  const crnOf = (key: string) => pair.sim.store.state.sections[key].crn;

  beforeAll(async () => {
    rows = parseCsvRecords(readFileSync(uiucFile('2025-su'), 'utf8'));
    pair = await startPair('ethos', { seed: `csv:${uiucFile('2025-su')}` });
    const c = pair.connector;
    const terms = await c.listTerms();
    expect(terms.map((t) => t.code)).toEqual(['2025-su']);
    sections = (await collect(c.sections(terms[0].key))).items;
    relationships = (await collect(c.relationships(terms[0].key))).items;
    courses = new Map((await collect(c.courses(terms[0].key))).items.map((x) => [x.key, x]));
    rooms = new Map((await collect(c.rooms())).items.map((x) => [x.key, x]));
    buildings = new Map((await collect(c.buildings())).items.map((x) => [x.key, x]));
    instructors = new Map((await collect(c.instructors())).items.map((x) => [x.key, x]));
  });
  afterAll(async () => {
    await pair?.sim.close();
  });

  it('has one section per CRN, one meeting per row and every listed instructor', () => {
    const crns = new Set(rows.map((r) => r.CRN));
    expect(sections).toHaveLength(crns.size);
    expect(new Set(sections.map((s) => crnOf(s.key)))).toEqual(crns);
    expect(sections.reduce((n, s) => n + s.meetings.length, 0)).toBe(rows.length);
    const names = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = names.get(r.CRN) ?? new Set();
      for (const n of r.Instructors.split(';').map((x) => x.trim()).filter(Boolean)) set.add(n);
      names.set(r.CRN, set);
    }
    expect(sections.reduce((n, s) => n + s.instructors.length, 0)).toBe([...names.values()].reduce((n, s) => n + s.size, 0));
    expect(courses.size).toBe(new Set(rows.map((r) => `${r.Subject} ${r.Number}`)).size);
  });

  it('matches sample sections field by field', () => {
    const samples = [
      rows.find((r) => r.CRN === '40507')!, // crosslisted, online, arranged, part of term S2
      rows.find((r) => r.Instructors === 'Martins, M;Muga, M;Saadah, E')!, // two meetings, room, three instructors
      rows.find((r) => r['Section Title'].includes('&') && r['Section Credit Hours'] !== '')!, // title with '&', credits
    ];
    for (const sample of samples) {
      const section = sections.find((s) => crnOf(s.key) === sample.CRN)!;
      const course = courses.get(section.courseKey)!;
      expect({ subject: course.subject, number: course.number, title: course.title }).toEqual({
        subject: sample.Subject,
        number: sample.Number,
        title: decodeHtmlEntities(sample.Name),
      });
      expect(section.sectionNumber).toBe(sample.Section);
      expect(section.sisNumber).toBe(sample.CRN); // Banner's CRN, sent as an alternate id
      expect(section.component).toBe(sample['Type Code']);
      expect(section.partOfTerm).toBe(sample['Part of Term'] || null);
      expect(section.title).toBe(decodeHtmlEntities(sample['Section Title']) || null);
      expect(section.credits).toBe(sample['Section Credit Hours'] ? parseInt(sample['Section Credit Hours'], 10) : null);
      expect(section.instructionMode).toBe(sample.Type.startsWith('Online') ? 'online' : 'in_person');
      expect(section.instructors.map((i) => instructors.get(i.instructorKey)!.name)).toEqual(sample.Instructors.split(';').filter(Boolean));
      expect(section.instructors.map((i) => i.role)).toEqual(section.instructors.map((_, i) => (i === 0 ? 'primary' : 'secondary')));

      const meetingRows = rows.filter((r) => r.CRN === sample.CRN);
      expect(
        section.meetings.map((m) => {
          const room = m.roomKey ? rooms.get(m.roomKey)! : null;
          return { days: m.days, start: m.startTime, end: m.endTime, building: room ? buildings.get(room.buildingKey)!.name : '', room: room?.number ?? '' };
        }),
      ).toEqual(
        meetingRows.map((r) => ({
          days: r['Days of Week'].trim(),
          start: to24(r['Start Time']),
          end: to24(r['End Time']),
          building: r.Room === 'ARR' ? '' : decodeHtmlEntities(r.Building),
          room: r.Room === 'ARR' ? '' : r.Room,
        })),
      );
    }
  });

  it('reads the days of every meeting, those without times too (CRN 41660: MTWRF, ARRANGED)', () => {
    expect(rows.find((r) => r.CRN === '41660')).toMatchObject({ 'Days of Week': 'MTWRF', 'Start Time': 'ARRANGED' });
    const read = new Map(sections.map((s) => [crnOf(s.key), s.meetings.map((m) => m.days).sort()]));
    expect(read).toEqual(daysByCrn(rows));
  });

  it('reads the "Same as" crosslists with their primary section', () => {
    expect(relationships.length).toBeGreaterThan(50);
    const aas = relationships.find((r) => r.members.some((m) => crnOf(m.sectionKey) === '40507'))!;
    const codes = aas.members.map((m) => {
      const course = courses.get(sections.find((s) => s.key === m.sectionKey)!.courseKey)!;
      return `${course.subject} ${course.number}${m.primary ? ' (primary)' : ''}`;
    });
    expect(codes.sort()).toEqual(['AAS 201', 'AFRO 201', 'LLS 201', 'PS 201 (primary)']);
    for (const r of relationships) {
      expect(r.kind).toBe('crosslist');
      expect(r.members.filter((m) => m.primary)).toHaveLength(1);
    }
  });
});

describe.skipIf(!hasSharedData)(hasSharedData ? 'UIUC 2025-su through the PeopleSoft simulator' : SKIP_SHARED, () => {
  it('serves the same sections, meetings and instructors as classes', async () => {
    const rows = parseCsvRecords(readFileSync(uiucFile('2025-su'), 'utf8'));
    const pair = await startPair('peoplesoft', { seed: `csv:${uiucFile('2025-su')}` });
    try {
      const [term] = await pair.connector.listTerms();
      const { items } = await collect(pair.connector.sections(term.key));
      expect(items).toHaveLength(new Set(rows.map((r) => r.CRN)).size);
      expect(items.reduce((n, s) => n + s.meetings.length, 0)).toBe(rows.length);
      // Days with no times (CRN 41660: MTWRF, ARRANGED) are read like any others.
      expect(new Map(items.map((s) => [s.key.split(':')[1], s.meetings.map((m) => m.days).sort()]))).toEqual(daysByCrn(rows));
      const courses = (await collect(pair.connector.courses(term.key))).items;
      expect(courses).toHaveLength(new Set(rows.map((r) => `${r.Subject} ${r.Number}`)).size);
      const online = items.find((s) => s.key === `${term.key}:40507`)!;
      expect(online).toMatchObject({ sectionNumber: 'ONL', component: 'ONL', partOfTerm: 'S2', instructionMode: 'online', sisNumber: '40507' });
      expect(courses.find((c) => c.key === online.courseKey)).toMatchObject({ subject: 'AAS', number: '201', title: 'US Racial & Ethnic Politics' });
    } finally {
      await pair.sim.close();
    }
  });
});
