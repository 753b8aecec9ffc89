// Flat files as a read-only SIS. The file is re-read on every pull so a merge sees the latest
// export; pages are slices of the parsed file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { SisCapabilities, SisConnector, SisWriteResult } from '../contract.ts';
import { SisError } from '../errors.ts';
import type { SisRelationship, SisSection, SisSectionState, SisTerm } from '../model.ts';
import type { CsvSettings } from '../settings.ts';
import { courseCode, type Dataset, type DatasetSection } from './dataset.ts';
import { parseGenericCsv } from './generic.ts';
import { parseUiucCsv } from './uiuc.ts';

export const CSV_CAPABILITIES: SisCapabilities = {
  mergeTypesRead: ['terms', 'courses', 'sections', 'relationships', 'buildings', 'rooms', 'departments', 'instructors'],
  mergeTypesWritten: [],
  postableSectionFields: [],
  relationshipKindsWritten: [],
  sectionRemoval: 'cancel',
  mergeOrder: ['courses', 'sections', 'relationships'],
  pageSize: 500,
  sisKeysArriveLater: false,
  meetingWeekIntervals: false,
};

const sectionKey = (termCode: string, crn: string) => `${termCode}/${crn}`;
const roomKey = (building: string, number: string) => `${building}/${number}`;

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function toSection(s: DatasetSection): SisSection {
  return {
    key: sectionKey(s.termCode, s.crn),
    termKey: s.termCode,
    courseKey: courseCode(s.subject, s.courseNumber),
    sectionNumber: s.sectionNumber,
    component: s.component,
    status: s.status,
    capacity: s.capacity,
    enrolled: s.enrolled,
    sisNumber: s.crn,
    instructionMode: s.instructionMode,
    campus: s.campus,
    partOfTerm: s.partOfTerm,
    title: s.title,
    credits: s.credits,
    meetings: s.meetings.map((m) => ({
      days: m.days,
      startTime: m.startTime,
      endTime: m.endTime,
      startDate: m.startDate,
      endDate: m.endDate,
      roomKey: m.buildingCode && m.roomNumber ? roomKey(m.buildingCode, m.roomNumber) : null,
      // The files have no interval column: every meeting is weekly.
      weekInterval: 1,
    })),
    instructors: s.instructors.map((name, i) => ({ instructorKey: name, role: i === 0 ? 'primary' : 'secondary' })),
  };
}

export class CsvConnector implements SisConnector {
  readonly kind = 'csv' as const;
  readonly capabilities = CSV_CAPABILITIES;
  readonly writer = null;
  private readonly settings: CsvSettings;

  constructor(settings: CsvSettings) {
    this.settings = settings;
  }

  private files(): string[] {
    const p = this.settings.path;
    if (!existsSync(p)) throw new SisError({ code: 'not_found', message: `CSV path ${p} does not exist` });
    if (!statSync(p).isDirectory()) return [p];
    return readdirSync(p)
      .filter((f) => f.toLowerCase().endsWith('.csv'))
      .sort()
      .map((f) => path.join(p, f));
  }

  private load(): Dataset {
    const parse = this.settings.layout === 'generic' ? parseGenericCsv : parseUiucCsv;
    const all: Dataset = { terms: [], departments: [], buildings: [], rooms: [], instructors: [], courses: [], sections: [], relationships: [] };
    for (const file of this.files()) {
      let d: Dataset;
      try {
        d = parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new SisError({ code: 'bad_response', message: `${file}: ${(error as Error).message}`, raw: error });
      }
      for (const key of Object.keys(all) as (keyof Dataset)[]) (all[key] as unknown[]).push(...d[key]);
    }
    return all;
  }

  async testConnection(): Promise<void> {
    if (this.load().terms.length === 0) throw new SisError({ code: 'validation', message: `no term found in ${this.settings.path}` });
  }

  async listTerms(): Promise<SisTerm[]> {
    const seen = new Map<string, SisTerm>();
    for (const t of this.load().terms) seen.set(t.code, { key: t.code, code: t.code, name: t.name, startsOn: t.startsOn, endsOn: t.endsOn, parts: t.parts });
    return [...seen.values()];
  }

  async *courses(termKey: string) {
    const d = this.load();
    const used = new Set(d.sections.filter((s) => s.termCode === termKey).map((s) => courseCode(s.subject, s.courseNumber)));
    const courses = new Map(d.courses.map((c) => [courseCode(c.subject, c.number), c]));
    yield* chunks(
      [...used].flatMap((code) => {
        const c = courses.get(code);
        return c ? [{ key: code, subject: c.subject, number: c.number, title: c.title, credits: c.credits, creditsMax: c.creditsMax, departmentKey: c.departmentCode, description: c.description }] : [];
      }),
      this.capabilities.pageSize,
    );
  }

  async *sections(termKey: string) {
    yield* chunks(this.load().sections.filter((s) => s.termCode === termKey).map(toSection), this.capabilities.pageSize);
  }

  async *relationships(termKey: string) {
    yield* chunks(this.#relationships().filter((r) => r.termKey === termKey), this.capabilities.pageSize);
  }

  async getRelationship(sisKey: string): Promise<SisRelationship | null> {
    return this.#relationships().find((r) => r.key === sisKey) ?? null;
  }

  #relationships(): SisRelationship[] {
    return this.load().relationships.map((r) => ({
      key: `${r.termCode}/${[...r.crns].sort().join('+')}`,
      termKey: r.termCode,
      kind: r.kind,
      members: r.crns.map((crn) => ({ sectionKey: sectionKey(r.termCode, crn), primary: crn === r.primaryCrn })),
      sharedCapacity: r.sharedCapacity,
    }));
  }

  async *buildings() {
    yield* chunks(unique(this.load().buildings, (b) => b.code).map((b) => ({ key: b.code, code: b.code, name: b.name, campus: b.campus })), this.capabilities.pageSize);
  }

  async *rooms() {
    const rooms = unique(this.load().rooms, (r) => roomKey(r.buildingCode, r.number));
    yield* chunks(rooms.map((r) => ({ key: roomKey(r.buildingCode, r.number), buildingKey: r.buildingCode, number: r.number, capacity: r.capacity, active: r.active })), this.capabilities.pageSize);
  }

  async *instructors() {
    yield* chunks(unique(this.load().instructors, (i) => i.name).map((i) => ({ key: i.name, name: i.name, email: i.email, departmentKey: i.departmentCode })), this.capabilities.pageSize);
  }

  async *departments() {
    yield* chunks(unique(this.load().departments, (d) => d.code).map((d) => ({ key: d.code, code: d.code, name: d.name })), this.capabilities.pageSize);
  }

  async getSection(sisKey: string): Promise<SisSection | null> {
    const s = this.load().sections.find((x) => sectionKey(x.termCode, x.crn) === sisKey);
    return s ? toSection(s) : null;
  }

  async findSection(termKey: string, courseKey: string, sectionNumber: string): Promise<SisWriteResult<SisSectionState> | null> {
    if (sectionNumber === '') return null;
    const s = this.load().sections.find((x) => x.termCode === termKey && courseCode(x.subject, x.courseNumber) === courseKey && x.sectionNumber === sectionNumber);
    if (!s) return null;
    const { key, ...record } = toSection(s);
    return { sisKey: key, record };
  }
}

/** Last one wins: a later file's row for the same key replaces an earlier one. */
function unique<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()];
}
