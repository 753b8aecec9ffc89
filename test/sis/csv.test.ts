// Flat files: the CSV reader, the UIUC layout's quirks, the generic layout, and the read-only
// CSV connector.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeHtmlEntities, parseCsv, parseCsvRecords } from '../../src/sis/csv/csv-parse.ts';
import { parseGenericCsv } from '../../src/sis/csv/generic.ts';
import { parseSameAs, parseUiucCsv } from '../../src/sis/csv/uiuc.ts';
import { SisError } from '../../src/sis/errors.ts';
import { createConnector } from '../../src/sis/registry.ts';
import { collect, hasSharedData, SKIP_SHARED, uiucFile } from './harness.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'csv-connector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UIUC_HEADER =
  'Year,Term,YearTerm,Subject,Number,Name,Description,Credit Hours,Section Info,Degree Attributes,Schedule Information,CRN,Section,Status Code,Part of Term,Section Title,Section Credit Hours,Section Status,Enrollment Status,Type,Type Code,Start Time,End Time,Days of Week,Room,Building,Instructors';
const uiucRow = (cells: Partial<Record<string, string>>) => {
  const cols = UIUC_HEADER.split(',');
  const base: Record<string, string> = { Year: '2025', Term: 'Fall', YearTerm: '2025-fa', 'Credit Hours': '3 hours.', 'Status Code': 'A', 'Part of Term': '1', Type: 'Lecture', 'Type Code': 'LEC', 'Start Time': 'ARRANGED' };
  return cols.map((c) => `"${(cells[c] ?? base[c] ?? '').replace(/"/g, '""')}"`).join(',');
};

describe('CSV reading', () => {
  it('handles quotes, commas and newlines inside fields', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,"two\nlines",3\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', 'two\nlines', '3'],
    ]);
  });

  it('decodes HTML entities', () => {
    expect(decodeHtmlEntities('US Racial &amp; Ethnic &#8211; &#x41;&quot;')).toBe('US Racial & Ethnic – A"');
  });

  it('reads "Same as" notes', () => {
    expect(parseSameAs('Same as AFRO 201, LLS 201, and PS 201. See PS 201.')).toEqual({ codes: ['AFRO 201', 'LLS 201', 'PS 201'], see: 'PS 201' });
    expect(parseSameAs('Same as CSE 451 and ME 471. See ME 471.')?.codes).toEqual(['CSE 451', 'ME 471']);
    expect(parseSameAs('May be repeated.')).toBeNull();
  });
});

describe('UIUC layout', () => {
  const text = [
    UIUC_HEADER,
    uiucRow({ Subject: 'AAS', Number: '201', Name: 'US Racial &amp; Ethnic Politics', 'Section Info': 'Same as PS 201. See PS 201.', CRN: '1', Section: 'ONL', Type: 'Online', 'Type Code': 'ONL', 'Part of Term': 'S2', Instructors: 'Henson, A' }),
    uiucRow({ Subject: 'PS', Number: '201', Name: 'US Racial &amp; Ethnic Politics', 'Section Info': 'Same as AAS 201. See PS 201.', CRN: '2', Section: 'ONL', Type: 'Online', 'Type Code': 'ONL', 'Part of Term': 'S2', Instructors: 'Henson, A' }),
    uiucRow({ Subject: 'SLAV', Number: '199', Name: 'Intensive Russian', CRN: '3', Section: 'C1', 'Credit Hours': '1 TO 4 hours.', 'Start Time': '09:00 AM', 'End Time': '11:50 AM', 'Days of Week': 'MTWRF', Room: 'G52', Building: 'Literatures, Cultures, &amp; Ling', Instructors: 'Martins, M;Muga, M' }),
    uiucRow({ Subject: 'SLAV', Number: '199', Name: 'Intensive Russian', CRN: '3', Section: 'C1', 'Credit Hours': '1 TO 4 hours.', 'Start Time': '12:00 PM', 'End Time': '01:50 PM', 'Days of Week': 'MTWRF', Room: 'G52', Building: 'Literatures, Cultures, &amp; Ling', Instructors: 'Martins, M;Saadah, E' }),
    uiucRow({ Subject: 'CMN', Number: '101', Name: 'Public Speaking', CRN: '4', Section: '', Room: 'ARR', Building: 'Carle Foundation Hospital' }),
  ].join('\n');
  const d = parseUiucCsv(text);

  it('groups rows by CRN into sections with one meeting per row', () => {
    expect(d.sections.map((s) => [s.crn, s.meetings.length])).toEqual([['1', 1], ['2', 1], ['3', 2], ['4', 1]]);
    const russian = d.sections[2];
    expect(russian.meetings.map((m) => [m.days, m.startTime, m.endTime, m.buildingCode, m.roomNumber])).toEqual([
      ['MTWRF', '09:00', '11:50', 'Literatures, Cultures, & Ling', 'G52'],
      ['MTWRF', '12:00', '13:50', 'Literatures, Cultures, & Ling', 'G52'],
    ]);
    expect(russian.instructors).toEqual(['Martins, M', 'Muga, M', 'Saadah, E']);
    expect(d.courses.find((c) => c.subject === 'SLAV')).toMatchObject({ credits: 1, creditsMax: 4 });
  });

  it('leaves enrollment, which the export does not carry, unknown', () => {
    expect(d.sections.map((s) => s.enrolled)).toEqual([null, null, null, null]);
  });

  it('reads credit alternatives ("2 OR 4 hours.") as the range they span, and fixed credits as no range', () => {
    const alternatives = parseUiucCsv([UIUC_HEADER, uiucRow({ Subject: 'MUS', Number: '199', CRN: '9', 'Credit Hours': '2 OR 4 hours.' }), uiucRow({ Subject: 'MUS', Number: '100', CRN: '8', 'Credit Hours': '3 hours.' })].join('\n'));
    expect(alternatives.courses.map((c) => [c.number, c.credits, c.creditsMax])).toEqual([['199', 2, 4], ['100', 3, null]]);
  });

  it('reads ARRANGED as no times and online or ARR rooms as no room, keeps empty section numbers', () => {
    const online = d.sections[0];
    expect(online.meetings[0]).toMatchObject({ days: '', startTime: null, endTime: null, buildingCode: null, roomNumber: null });
    expect(online.instructionMode).toBe('online');
    expect(d.sections[3].meetings[0].roomNumber).toBeNull();
    expect(d.sections[3].sectionNumber).toBe('');
    expect(d.courses[0].title).toBe('US Racial & Ethnic Politics');
  });

  it('gives parts of term their own dates inside the term', () => {
    const term = d.terms[0];
    expect(term).toMatchObject({ code: '2025-fa', name: 'Fall 2025' });
    const s2 = term.parts.find((p) => p.code === 'S2')!;
    expect(s2.startsOn > term.startsOn && s2.endsOn === term.endsOn).toBe(true);
    expect(d.sections[0].meetings[0]).toMatchObject({ startDate: s2.startsOn, endDate: s2.endsOn });
  });

  it('builds crosslists from "Same as" with the "See" course as primary', () => {
    expect(d.relationships).toEqual([{ termCode: '2025-fa', kind: 'crosslist', crns: ['1', '2'], primaryCrn: '2', sharedCapacity: null }]);
  });

  it.skipIf(!hasSharedData)('crosslists the real 2025-su sections whose partners are numbered otherwise by part of term and instructor', () => {
    const text = readFileSync(uiucFile('2025-su'), 'utf8');
    const real = parseUiucCsv(text);
    const name = new Map(real.sections.map((s) => [s.crn, `${s.subject} ${s.courseNumber} ${s.sectionNumber}`.trim()]));
    const crosslistOf = (crn: string) => {
      const found = real.relationships.filter((r) => r.crns.includes(crn));
      expect(found.length, crn).toBeLessThanOrEqual(1);
      return found[0] ? found[0].crns.map((c) => name.get(c)).sort() : null;
    };
    expect(crosslistOf('42250')).toEqual(['CS 513 AO', 'CS 513 CHI', 'IS 537 AO']);
    expect(crosslistOf('41700')).toEqual(['CS 519 DSO', 'CS 519 SVG', 'CSE 527 SG']);
    expect(real.relationships.find((r) => r.crns.includes('41700'))!.primaryCrn).toBe('41654');
    // CSE 451 without a section number could be with AE 420 and ME 471 ON1 or ONC: CSE 451 ONC
    // is with their ONC already.
    expect(crosslistOf('42402')).toEqual(['AE 420 ON1', 'CSE 451', 'ME 471 ON1']);
    expect(crosslistOf('39995')).toEqual(['AE 420 ONC', 'CSE 451 ONC', 'ME 471 ONC']);
    // Left out: PSYC 598 PSI has another instructor than NEUR 598 IN2; ERAM 550's partners are not offered.
    expect(crosslistOf('41920')).toBeNull();
    expect(crosslistOf('42345')).toBeNull();
    const noted = new Set(parseCsvRecords(text).filter((r) => parseSameAs(decodeHtmlEntities(r['Section Info']))?.codes.length).map((r) => r.CRN));
    const linked = new Set(real.relationships.flatMap((r) => r.crns));
    expect([...noted].filter((crn) => linked.has(crn))).toHaveLength(noted.size - 3);
  });
});

describe('generic layout', () => {
  const text = [
    'term_code,term_name,term_start,term_end,part_of_term,section_key,subject,course_number,course_title,course_credits,section_number,component,capacity,enrolled,days,start_time,end_time,building,room,room_capacity,instructors,relationship_key,relationship_kind,relationship_primary,relationship_capacity',
    '2026-fa,Fall 2026,2026-08-24,2026-12-11,1,101,MATH,221,Calculus I,4,01,LEC,150,120,MWF,09:00,09:50,ALT,314,160,"Smith, J;Lee, K",X1,combined,Y,200',
    '2026-fa,Fall 2026,2026-08-24,2026-12-11,1,101,MATH,221,Calculus I,4,01,LEC,150,120,R,13:00,13:50,ALT,145,40,"Smith, J",,,,',
    '2026-fa,Fall 2026,2026-08-24,2026-12-11,1,102,MATH,221,Calculus I,4,02,LEC,60,10,TR,11:00,12:15,ALT,314,160,"Lee, K",X1,combined,,200',
  ].join('\n');

  it('reads sections, meetings, rooms and relationships', () => {
    const d = parseGenericCsv(text);
    expect(d.sections).toHaveLength(2);
    expect(d.sections[0]).toMatchObject({ capacity: 150, enrolled: 120, instructors: ['Smith, J', 'Lee, K'] });
    expect(d.sections[0].meetings).toHaveLength(2);
    expect(d.rooms).toEqual([
      { buildingCode: 'ALT', number: '314', capacity: 160, active: true },
      { buildingCode: 'ALT', number: '145', capacity: 40, active: true },
    ]);
    expect(d.relationships).toEqual([{ termCode: '2026-fa', kind: 'combined', crns: ['101', '102'], primaryCrn: '101', sharedCapacity: 200 }]);
  });

  it('reads a blank enrolled as unknown, not 0', () => {
    const d = parseGenericCsv(text.replace(',150,120,MWF,', ',150,,MWF,').replace(',150,120,R,', ',150,,R,'));
    expect(d.sections.map((s) => s.enrolled)).toEqual([null, 10]);
  });

  it('names missing required columns', () => {
    expect(() => parseGenericCsv('term_code,subject\n2026-fa,MATH')).toThrow(/term_start, term_end, section_key, course_number, component/);
  });

  it('is served by the csv connector with SIS keys from natural keys', async () => {
    const file = path.join(dir, 'generic.csv');
    writeFileSync(file, text);
    const c = createConnector({ kind: 'csv', path: file, layout: 'generic' });
    expect(c.writer).toBeNull();
    expect(c.capabilities.mergeTypesWritten).toEqual([]);
    await c.testConnection();
    const [term] = await c.listTerms();
    const { items } = await collect(c.sections(term.key));
    expect(items.map((s) => s.key)).toEqual(['2026-fa/101', '2026-fa/102']);
    expect(items.map((s) => s.sisNumber)).toEqual(['101', '102']);
    expect(items[0].meetings[1]).toEqual({ days: 'R', startTime: '13:00', endTime: '13:50', startDate: '2026-08-24', endDate: '2026-12-11', roomKey: 'ALT/145', weekInterval: 1 });
    expect((await c.findSection('2026-fa', 'MATH 221', '02'))?.sisKey).toBe('2026-fa/102');
    const [relationship] = (await collect(c.relationships(term.key))).items;
    expect(relationship.members).toEqual([
      { sectionKey: '2026-fa/101', primary: true },
      { sectionKey: '2026-fa/102', primary: false },
    ]);
    expect(await c.getRelationship(relationship.key, term.key)).toEqual(relationship);
    expect(await c.getRelationship('2026-fa/999+998', term.key)).toBeNull();
  });

  it('reports a missing file as a SisError', async () => {
    const c = createConnector({ kind: 'csv', path: path.join(dir, 'absent.csv') });
    await expect(c.testConnection()).rejects.toBeInstanceOf(SisError);
  });
});

describe.skipIf(!hasSharedData)(hasSharedData ? 'csv connector on the UIUC files' : SKIP_SHARED, () => {
  it('reads a directory of terms, each with its own sections', async () => {
    const c = createConnector({ kind: 'csv', path: path.dirname(uiucFile('2025-su')) });
    const terms = await c.listTerms();
    expect(terms.map((t) => t.code).sort()).toEqual(['2024-su', '2025-su', '2025-wi']);
    const { items, pages } = await collect(c.sections('2025-su'));
    expect(items).toHaveLength(1638);
    expect(pages).toBe(4);
    expect(items.reduce((n, s) => n + s.meetings.length, 0)).toBe(1686);
    expect((await collect(c.relationships('2025-su'))).items.length).toBeGreaterThan(50);
  });
});
