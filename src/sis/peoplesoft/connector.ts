// PeopleSoft Campus Solutions through Integration Broker REST service operations. Sections are
// read before courses (sis-apis §3.4); CLASS_NBR may be assigned after the create returns.
import { readEach, type Read, type SisCapabilities, type SisConnector, type SisWriteResult, type SisWriter } from '../contract.ts';
import { ignoreNotFound, SisError } from '../errors.ts';
import { assertAdoptable } from '../identity.ts';
import type {
  SisBuilding,
  SisCourse,
  SisDepartment,
  SisInstructor,
  SisRelationship,
  SisRelationshipInput,
  SisRoom,
  SisSection,
  SisSectionInput,
  SisSectionState,
  SisTerm,
} from '../model.ts';
import type { PeopleSoftSettings } from '../settings.ts';
import { PsClient } from './client.ts';
import { classFromSection } from './class-write.ts';
import { courseKey, sectionFromClass, sectionKey, splitKey } from './mapping.ts';
import type { PsClass, PsCombined, PsCourse, PsTerm } from './wire.ts';

export const PEOPLESOFT_CAPABILITIES: SisCapabilities = {
  mergeTypesRead: ['terms', 'courses', 'sections', 'relationships', 'buildings', 'rooms', 'departments', 'instructors'],
  mergeTypesWritten: ['sections', 'relationships'],
  postableSectionFields: ['sectionNumber', 'component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'meetings', 'instructors'],
  // Catalog crosslists (multiple-offering courses) live in the course catalog, not the schedule.
  relationshipKindsWritten: ['combined'],
  sectionRemoval: 'cancel',
  mergeOrder: ['sections', 'courses', 'relationships'],
  pageSize: 500,
  sisKeysArriveLater: true,
  // A meeting pattern is held every week of its dates.
  meetingWeekIntervals: false,
};

export class PeopleSoftConnector implements SisConnector {
  readonly kind = 'peoplesoft' as const;
  readonly capabilities: SisCapabilities;
  readonly writer: SisWriter;
  private readonly client: PsClient;

  constructor(settings: PeopleSoftSettings) {
    const pageSize = settings.pageSize ?? PEOPLESOFT_CAPABILITIES.pageSize;
    this.capabilities = { ...PEOPLESOFT_CAPABILITIES, pageSize };
    this.client = new PsClient({ baseUrl: settings.baseUrl, username: settings.username, password: settings.password, timeoutMs: settings.timeoutMs, pageSize });
    this.writer = {
      createSection: (input) => this.createSection(input),
      updateSection: (key, input, seen) => this.updateSection(key, input, seen),
      cancelSection: (key, seen) => this.cancelSection(key, seen),
      deleteSection: async (key) => {
        const [strm, nbr] = splitKey(key);
        await this.client.call('DELETE', `/terms/${strm}/classes/${nbr}`);
      },
      createRelationship: (input) => this.createRelationship(input),
      updateRelationship: (key, input) => this.updateRelationship(key, input),
      deleteRelationship: async (key) => {
        const [strm, id] = splitKey(key);
        await this.client.call('DELETE', `/terms/${strm}/combined-sections/${encodeURIComponent(id)}`);
      },
    };
  }

  async testConnection(): Promise<void> {
    await this.client.get('/terms');
  }

  async listTerms(): Promise<SisTerm[]> {
    const { TERMS } = await this.client.get<{ TERMS: PsTerm[] }>('/terms');
    return TERMS.map((t) => ({
      key: t.STRM,
      code: t.DESCRSHORT ?? t.STRM,
      name: t.DESCR,
      startsOn: t.TERM_BEGIN_DT,
      endsOn: t.TERM_END_DT,
      parts: (t.SESSIONS ?? []).map((s) => ({ code: s.SESSION_CODE, name: s.DESCR, startsOn: s.SESS_BEGIN_DT, endsOn: s.SESS_END_DT })),
    }));
  }

  private classes(strm: string): AsyncGenerator<PsClass[]> {
    return this.client.pages<PsClass>(`/terms/${encodeURIComponent(strm)}/classes`, 'CLASSES');
  }

  /** Classes whose CLASS_NBR is not assigned yet are not keyed, so not yielded. */
  async *sections(termKey: string): AsyncIterable<Read<SisSection>[]> {
    for await (const page of this.classes(termKey)) {
      const keyed = page.filter((c) => typeof c.CLASS_NBR === 'number');
      if (keyed.length > 0) yield readEach(keyed, (c) => sectionKey(c.STRM, c.CLASS_NBR!), (c) => ({ key: sectionKey(c.STRM, c.CLASS_NBR!), ...sectionFromClass(c) }));
    }
  }

  /** The course offerings the term's classes use, each as of the term's begin date. */
  async *courses(termKey: string): AsyncIterable<SisCourse[]> {
    const term = (await this.listTerms()).find((t) => t.key === termKey);
    if (!term) throw new SisError({ code: 'not_found', message: `term ${termKey} is not in the SIS`, status: 404 });
    const seen = new Set<string>();
    for await (const page of this.classes(termKey)) {
      const offers = new Map<string, Set<number>>();
      for (const c of page) {
        if (seen.has(courseKey(c.CRSE_ID, c.CRSE_OFFER_NBR))) continue;
        seen.add(courseKey(c.CRSE_ID, c.CRSE_OFFER_NBR));
        offers.set(c.CRSE_ID, (offers.get(c.CRSE_ID) ?? new Set()).add(c.CRSE_OFFER_NBR));
      }
      if (offers.size === 0) continue;
      const ids = [...offers.keys()].join(',');
      const { COURSES } = await this.client.get<{ COURSES: PsCourse[] }>(`/courses?CRSE_ID=${encodeURIComponent(ids)}&EFFDT_AS_OF=${term.startsOn}`);
      yield COURSES.flatMap((c) =>
        c.CRSE_OFFER.filter((o) => offers.get(c.CRSE_ID)?.has(o.CRSE_OFFER_NBR)).map((o) => ({
          key: courseKey(c.CRSE_ID, o.CRSE_OFFER_NBR),
          subject: o.SUBJECT,
          number: o.CATALOG_NBR,
          title: c.DESCR,
          credits: c.UNITS_MINIMUM,
          creditsMax: c.UNITS_MAXIMUM === c.UNITS_MINIMUM ? null : c.UNITS_MAXIMUM,
          departmentKey: o.ACAD_ORG ?? c.ACAD_ORG ?? null,
          description: c.DESCRLONG || null,
        })),
      );
    }
  }

  private async getClass(key: string): Promise<PsClass | null> {
    const [strm, nbr] = splitKey(key);
    const body = await ignoreNotFound(this.client.get<{ CLASS: PsClass }>(`/terms/${strm}/classes/${nbr}`));
    return body?.CLASS ?? null;
  }

  /**
   * The class each returned section was read from: an update planned against that read PUTs it
   * back with the changes, without reading it again (PeopleSoft replaces the whole class).
   */
  private readonly reads = new WeakMap<SisSectionState, PsClass>();

  private remember<T extends SisSectionState>(state: T, c: PsClass): T {
    this.reads.set(state, c);
    return state;
  }

  async getSection(sisKey: string): Promise<SisSection | null> {
    const c = await this.getClass(sisKey);
    return c && this.remember({ key: sisKey, ...sectionFromClass(c) }, c);
  }

  async findSection(termKey: string, courseKeyValue: string, sectionNumber: string): Promise<SisWriteResult<SisSectionState> | null> {
    if (sectionNumber === '') return null;
    const [crseId, offerNbr] = splitKey(courseKeyValue);
    const query = `CRSE_ID=${encodeURIComponent(crseId)}&CRSE_OFFER_NBR=${offerNbr}&CLASS_SECTION=${encodeURIComponent(sectionNumber)}`;
    const { CLASSES } = await this.client.get<{ CLASSES: PsClass[] }>(`/terms/${termKey}/classes?${query}`);
    const c = CLASSES.find((x) => x.CLASS_SECTION === sectionNumber && x.CRSE_ID === crseId);
    return c ? { sisKey: typeof c.CLASS_NBR === 'number' ? sectionKey(c.STRM, c.CLASS_NBR) : null, record: this.remember(sectionFromClass(c), c) } : null;
  }

  private async createSection(input: SisSectionInput): Promise<SisWriteResult<SisSectionState>> {
    // After a lost response the class exists: adopt it (its CLASS_NBR may still be pending).
    const existing = await this.findSection(input.termKey, input.courseKey, input.sectionNumber);
    if (existing) {
      assertAdoptable(existing.record, input, existing.sisKey);
      return existing.sisKey ? this.updateSection(existing.sisKey, input, existing.record) : existing;
    }
    const body = await this.client.call<{ CLASS: PsClass }>('POST', `/terms/${input.termKey}/classes`, classFromSection(input, null));
    const c = this.classIn(body);
    return { sisKey: typeof c.CLASS_NBR === 'number' ? sectionKey(c.STRM, c.CLASS_NBR) : null, record: sectionFromClass(c) };
  }

  private classIn(body: { CLASS: PsClass } | undefined): PsClass {
    if (!body?.CLASS) throw new SisError({ code: 'bad_response', message: 'the SIS answered no CLASS', raw: body });
    return body.CLASS;
  }

  private async mustGetClass(sisKey: string): Promise<PsClass> {
    const current = await this.getClass(sisKey);
    if (!current) throw new SisError({ code: 'not_found', message: `class ${sisKey} is not in the SIS`, status: 404 });
    return current;
  }

  private async putClass(sisKey: string, c: PsClass): Promise<SisWriteResult<SisSectionState>> {
    const [strm, nbr] = splitKey(sisKey);
    const body = await this.client.call<{ CLASS: PsClass }>('PUT', `/terms/${strm}/classes/${nbr}`, c);
    return { sisKey, record: sectionFromClass(this.classIn(body)) };
  }

  /** `seen`: the state the caller merged with, when it came from this connector; otherwise the class is read now. */
  private async updateSection(sisKey: string, input: SisSectionInput, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>> {
    return this.putClass(sisKey, classFromSection(input, (seen && this.reads.get(seen)) ?? (await this.mustGetClass(sisKey))));
  }

  private async cancelSection(sisKey: string, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>> {
    return this.putClass(sisKey, { ...((seen && this.reads.get(seen)) ?? (await this.mustGetClass(sisKey))), CLASS_STAT: 'X' });
  }

  private combinedToModel(x: PsCombined): SisRelationship {
    return {
      key: `${x.STRM}:${x.SCTN_COMBINED_ID}`,
      termKey: x.STRM,
      kind: 'combined',
      // PeopleSoft has no primary class in a combination; the first listed stands for it.
      members: x.CLASSES.map((c, i) => ({ sectionKey: sectionKey(x.STRM, c.CLASS_NBR), primary: i === 0 })),
      sharedCapacity: x.ENRL_CAP > 0 ? x.ENRL_CAP : null,
    };
  }

  private assertCombined(input: SisRelationshipInput): void {
    if (input.kind !== 'combined') {
      throw new SisError({ code: 'not_supported', message: 'PeopleSoft crosslists are multiple-offering courses in the catalog; only combined sections can be written.' });
    }
  }

  /**
   * The combination a write sends: PeopleSoft replaces it whole, so an update is the SIS's own
   * (`current`, as read) with only its classes and capacity changed; its waitlist cap (WAIT_CAP),
   * description and each staying class's row are kept. A new one leaves them to the SIS.
   */
  private combinedBody(input: SisRelationshipInput, current: PsCombined | null): Omit<PsCombined, 'SCTN_COMBINED_ID'> {
    this.assertCombined(input);
    const ordered = [...input.members].sort((a, b) => Number(b.primary) - Number(a.primary));
    const classes = ordered.map((m) => {
      const nbr = Number(splitKey(m.sectionKey)[1]);
      return current?.CLASSES.find((c) => c.CLASS_NBR === nbr) ?? { CLASS_NBR: nbr };
    });
    return { ...current, STRM: input.termKey, ENRL_CAP: input.sharedCapacity ?? 0, CLASSES: classes };
  }

  async *relationships(termKey: string): AsyncIterable<SisRelationship[]> {
    for await (const page of this.client.pages<PsCombined>(`/terms/${termKey}/combined-sections`, 'SCTN_CMBND')) {
      yield page.map((x) => this.combinedToModel(x));
    }
  }

  async getRelationship(sisKey: string): Promise<SisRelationship | null> {
    const [strm, id] = splitKey(sisKey);
    const body = await ignoreNotFound(this.client.get<{ SCTN_CMBND: PsCombined }>(`/terms/${strm}/combined-sections/${encodeURIComponent(id)}`));
    return body?.SCTN_CMBND ? this.combinedToModel(body.SCTN_CMBND) : null;
  }

  private async createRelationship(input: SisRelationshipInput): Promise<SisWriteResult<SisRelationship>> {
    const body = this.combinedBody(input, null);
    const wanted = new Set(input.members.map((m) => m.sectionKey));
    for await (const page of this.relationships(input.termKey)) {
      const same = page.find((r) => r.members.length === wanted.size && r.members.every((m) => wanted.has(m.sectionKey)));
      if (same) return this.updateRelationship(same.key, input);
    }
    const created = await this.client.call<{ SCTN_CMBND: PsCombined }>('POST', `/terms/${input.termKey}/combined-sections`, body);
    if (!created?.SCTN_CMBND) throw new SisError({ code: 'bad_response', message: 'the SIS answered no SCTN_CMBND', raw: created });
    const record = this.combinedToModel(created.SCTN_CMBND);
    return { sisKey: record.key, record };
  }

  private async updateRelationship(sisKey: string, input: SisRelationshipInput): Promise<SisWriteResult<SisRelationship>> {
    this.assertCombined(input);
    const [strm, id] = splitKey(sisKey);
    const path = `/terms/${strm}/combined-sections/${encodeURIComponent(id)}`;
    const read = await this.client.get<{ SCTN_CMBND?: PsCombined }>(path);
    if (!read.SCTN_CMBND) throw new SisError({ code: 'bad_response', message: `GET ${path}: the SIS answered no SCTN_CMBND`, raw: read });
    const saved = await this.client.call<{ SCTN_CMBND: PsCombined }>('PUT', path, this.combinedBody(input, read.SCTN_CMBND));
    if (!saved?.SCTN_CMBND) throw new SisError({ code: 'bad_response', message: 'the SIS answered no SCTN_CMBND', raw: saved });
    return { sisKey, record: this.combinedToModel(saved.SCTN_CMBND) };
  }

  async *buildings(): AsyncIterable<SisBuilding[]> {
    for await (const page of this.client.pages<{ BLDG_CD: string; DESCR: string; CAMPUS: string }>('/buildings', 'BLDG_TBL')) {
      yield page.map((b) => ({ key: b.BLDG_CD, code: b.BLDG_CD, name: b.DESCR, campus: b.CAMPUS || null }));
    }
  }

  async *rooms(): AsyncIterable<SisRoom[]> {
    type Facility = { FACILITY_ID: string; BLDG_CD: string; ROOM: string; ROOM_CAPACITY: number; EFF_STATUS: string };
    for await (const page of this.client.pages<Facility>('/facilities', 'FACILITY_TBL')) {
      yield page.map((f) => ({ key: f.FACILITY_ID, buildingKey: f.BLDG_CD, number: f.ROOM, capacity: f.ROOM_CAPACITY, active: f.EFF_STATUS === 'A' }));
    }
  }

  async *instructors(): AsyncIterable<SisInstructor[]> {
    type Instr = { EMPLID: string; NAME_DISPLAY: string; EMAIL_ADDR: string; ACAD_ORG: string };
    for await (const page of this.client.pages<Instr>('/instructors', 'INSTR_TBL')) {
      yield page.map((i) => ({ key: i.EMPLID, name: i.NAME_DISPLAY, email: i.EMAIL_ADDR || null, departmentKey: i.ACAD_ORG || null }));
    }
  }

  async *departments(): AsyncIterable<SisDepartment[]> {
    for await (const page of this.client.pages<{ ACAD_ORG: string; DESCR: string }>('/acad-orgs', 'ACAD_ORG_TBL')) {
      yield page.map((d) => ({ key: d.ACAD_ORG, code: d.ACAD_ORG, name: d.DESCR }));
    }
  }
}
