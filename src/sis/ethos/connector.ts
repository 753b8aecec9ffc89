// Banner and Colleague through Ethos (EEDM). Sections, their instructional events and
// instructor assignments are separate resources (read and written in section-resources.ts).
import { readEach, readOne, UnreadableRecord, type Read, type SisCapabilities, type SisConnector, type SisWriteResult, type SisWriter } from '../contract.ts';
import { mapLimit } from '../concurrency.ts';
import { ignoreNotFound, SisError } from '../errors.ts';
import type {
  SisBuilding,
  SisCourse,
  SisDepartment,
  SisInstructor,
  SisRelationship,
  SisRelationshipInput,
  SisRoom,
  SisSection,
  SisSectionState,
  SisTerm,
} from '../model.ts';
import type { EthosSettings } from '../settings.ts';
import { EthosClient } from './client.ts';
import { EthosCodeTables } from './code-tables.ts';
import { overlay } from './overlay.ts';
import { SectionResources } from './section-resources.ts';
import {
  NIL_GUID,
  type Building,
  type CodeEntry,
  type Course,
  type InstructionalEvent,
  type Instructor,
  type Person,
  type Room,
  type Section,
  type SectionCrosslist,
} from './wire.ts';

const PARALLEL = 16;

export const ETHOS_CAPABILITIES: SisCapabilities = {
  mergeTypesRead: ['terms', 'courses', 'sections', 'relationships', 'buildings', 'rooms', 'departments', 'instructors'],
  mergeTypesWritten: ['sections', 'relationships'],
  postableSectionFields: ['sectionNumber', 'component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'meetings', 'instructors'],
  // EEDM folds catalog crosslists and combined sections into section-crosslists (sis-apis §3.2).
  relationshipKindsWritten: ['crosslist'],
  sectionRemoval: 'cancel',
  mergeOrder: ['courses', 'sections', 'relationships'],
  pageSize: 500,
  sisKeysArriveLater: false,
  meetingWeekIntervals: true,
};

export class EthosConnector implements SisConnector {
  readonly kind = 'ethos' as const;
  readonly capabilities: SisCapabilities;
  readonly writer: SisWriter;
  private readonly client: EthosClient;
  private readonly tables: EthosCodeTables;
  private readonly sectionResources: SectionResources;
  /**
   * The term of each crosslist's first member, as read: every term's relationships read lists the
   * institution's crosslists (there is no term filter), and a section stays in its term, so each
   * is asked once, not once per term. Bounded; a section not found is not kept.
   */
  private readonly termOfSection = new Map<string, string>();

  constructor(settings: EthosSettings) {
    const pageSize = settings.pageSize ?? ETHOS_CAPABILITIES.pageSize;
    this.capabilities = { ...ETHOS_CAPABILITIES, pageSize };
    this.client = new EthosClient({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs, tokenMinutes: settings.tokenMinutes, pageSize });
    this.tables = new EthosCodeTables(this.client);
    this.sectionResources = new SectionResources(this.client, this.tables, settings.timeZone);
    this.writer = {
      createSection: (input) => this.sectionResources.create(input),
      updateSection: (key, input, seen) => this.sectionResources.update(key, input, seen),
      cancelSection: (key, seen) => this.sectionResources.cancel(key, seen),
      deleteSection: async (key) => {
        await this.client.call('DELETE', 'sections', { id: key });
      },
      createRelationship: (input) => this.createRelationship(input),
      updateRelationship: (key, input) => this.updateRelationship(key, input),
      deleteRelationship: async (key) => {
        await this.client.call('DELETE', 'section-crosslists', { id: key });
      },
    };
  }

  async testConnection(): Promise<void> {
    await this.client.call('GET', 'academic-periods', { query: { offset: '0', limit: '1' } });
  }

  async listTerms(): Promise<SisTerm[]> {
    await this.tables.load();
    const periods = this.tables.allPeriods();
    return periods
      .filter((p) => p.category.type === 'term')
      .map((t) => ({
        key: t.id,
        code: t.code ?? t.id,
        name: t.title,
        startsOn: t.startOn,
        endsOn: t.endOn,
        parts: periods
          .filter((p) => p.category.type === 'subterm' && p.category.parent?.id === t.id)
          .map((p) => ({ code: p.code ?? p.id, name: p.title, startsOn: p.startOn, endsOn: p.endOn })),
      }));
  }

  /** Ethos courses are catalog entries, not term-scoped: every term gets the whole catalog. */
  async *courses(_termKey: string): AsyncIterable<Read<SisCourse>[]> {
    const subjects = new Map((await this.client.all<CodeEntry>('subjects')).map((s) => [s.id, s.code]));
    for await (const page of this.client.pages<Course>('courses')) {
      yield readEach(page, (c) => c.id, (c) => ({
        key: c.id,
        subject: subjects.get(c.subject.id) ?? c.subject.id,
        number: c.number,
        title: c.titles[0]?.value ?? '',
        credits: c.credits?.[0]?.minimum ?? 0,
        // A maximum equal to the minimum is fixed credits, as PeopleSoft's equal units are.
        creditsMax: c.credits?.[0]?.maximum === undefined || c.credits[0].maximum === c.credits[0].minimum ? null : c.credits[0].maximum,
        departmentKey: c.owningInstitutionUnits?.[0]?.institutionUnit.id ?? null,
        description: c.description ?? null,
      }));
    }
  }

  async *sections(termKey: string): AsyncIterable<Read<SisSection>[]> {
    // One paged read of the term's events (v11 filters by academicPeriod) instead of one call per
    // section; holds the term's meetings, not its sections, in memory.
    const events = new Map<string, InstructionalEvent[]>();
    for await (const page of this.client.pages<InstructionalEvent>('instructional-events', { academicPeriod: { id: termKey } })) {
      for (const e of page) events.set(e.section.id, [...(events.get(e.section.id) ?? []), e]);
    }
    for await (const page of this.client.pages<Section>('sections', { academicPeriod: { id: termKey } })) {
      yield await mapLimit(page, PARALLEL, (s) => this.sectionResources.listed(s, events.get(s.id) ?? []));
    }
  }

  getSection(sisKey: string): Promise<SisSection | null> {
    return this.sectionResources.get(sisKey);
  }

  private getRaw(sisKey: string): Promise<Section | null> {
    return this.sectionResources.raw(sisKey);
  }

  findSection(termKey: string, courseKey: string, sectionNumber: string): Promise<SisWriteResult<SisSectionState> | null> {
    return this.sectionResources.find(termKey, courseKey, sectionNumber);
  }

  async *relationships(termKey: string): AsyncIterable<Read<SisRelationship>[]> {
    const termOf = async (sectionKey: string): Promise<string | null> => {
      let term = this.termOfSection.get(sectionKey);
      if (term === undefined) {
        const s = await this.getRaw(sectionKey);
        if (!s?.academicPeriod) return null;
        term = (await this.tables.use((t) => t.period(s.academicPeriod!.id))).termKey;
        if (this.termOfSection.size >= 100_000) this.termOfSection.clear();
        this.termOfSection.set(sectionKey, term);
      }
      return term;
    };
    // section-crosslists has no term filter: a crosslist's term is its first member's. One whose
    // term cannot be told (no members, a member in an unknown period) could be any term's: every
    // term's read reports it, so none takes it for deleted.
    for await (const page of this.client.pages<SectionCrosslist>('section-crosslists')) {
      const terms = await mapLimit(page, PARALLEL, (x) => readOne(x.id, x, () => termOf(x.sections[0].section.id)));
      const inTerm: Read<SisRelationship>[] = [];
      page.forEach((x, i) => {
        const term = terms[i];
        if (term instanceof UnreadableRecord) inTerm.push(term);
        else if (term === termKey) inTerm.push(...readEach([x], (c) => c.id, (c) => crosslistFromEthos(c, termKey)));
      });
      if (inTerm.length > 0) yield inTerm;
    }
  }

  async getRelationship(sisKey: string, termKey: string): Promise<SisRelationship | null> {
    const found = await ignoreNotFound(this.client.json<SectionCrosslist>('GET', 'section-crosslists', { id: sisKey }));
    return found && crosslistFromEthos(found, termKey);
  }

  private async createRelationship(input: SisRelationshipInput): Promise<SisWriteResult<SisRelationship>> {
    this.assertKind(input);
    const first = input.members[0].sectionKey;
    const existing = (await this.client.all<SectionCrosslist>('section-crosslists', { sections: [{ section: { id: first } }] })).find((x) =>
      sameMembers(x, input),
    );
    if (existing) return this.updateRelationship(existing.id, input, existing);
    const created = await this.client.json<SectionCrosslist>('POST', 'section-crosslists', { body: crosslistToEthos(input, null) });
    return { sisKey: created.id, record: crosslistFromEthos(created, input.termKey) };
  }

  /** `current`: the crosslist as just read, when the caller has it; otherwise it is read now. */
  private async updateRelationship(sisKey: string, input: SisRelationshipInput, current?: SectionCrosslist): Promise<SisWriteResult<SisRelationship>> {
    this.assertKind(input);
    const read = current ?? (await this.client.json<SectionCrosslist>('GET', 'section-crosslists', { id: sisKey }));
    const saved = await this.client.json<SectionCrosslist>('PUT', 'section-crosslists', { id: sisKey, body: crosslistToEthos(input, read) });
    return { sisKey, record: crosslistFromEthos(saved, input.termKey) };
  }

  private assertKind(input: SisRelationshipInput): void {
    if (input.kind !== 'crosslist') {
      throw new SisError({ code: 'not_supported', message: 'Ethos represents every relationship as a section crosslist; combined sections cannot be told apart.' });
    }
  }

  async *buildings(): AsyncIterable<Read<SisBuilding>[]> {
    const sites = new Map((await this.client.all<CodeEntry>('sites')).map((s) => [s.id, s.code]));
    for await (const page of this.client.pages<Building>('buildings')) {
      yield readEach(page, (b) => b.id, (b) => ({ key: b.id, code: b.code ?? b.id, name: b.title, campus: b.site ? (sites.get(b.site.id) ?? null) : null }));
    }
  }

  async *rooms(): AsyncIterable<Read<SisRoom>[]> {
    for await (const page of this.client.pages<Room>('rooms')) {
      yield readEach(page, (r) => r.id, (r) => ({
        key: r.id,
        buildingKey: r.building.id,
        number: r.number,
        capacity: r.occupancies?.[0]?.maxOccupancy ?? 0,
        active: r.status !== 'inactive',
      }));
    }
  }

  async *instructors(): AsyncIterable<Read<SisInstructor>[]> {
    const names = new Map<string, Person>();
    for await (const page of this.client.pages<Person>('persons', { roles: [{ role: 'instructor' }] })) for (const p of page) names.set(p.id, p);
    for await (const page of this.client.pages<Instructor>('instructors')) {
      const read = readEach(page, (i) => i.instructor?.id, (i) => {
        const person = names.get(i.instructor.id);
        const name = person?.names?.find((n) => n.preference === 'preferred')?.fullName ?? person?.names?.[0]?.fullName;
        if (!name) return null;
        return {
          key: i.instructor.id,
          name,
          email: person?.emails?.find((e) => e.preference === 'primary')?.address ?? person?.emails?.[0]?.address ?? null,
          departmentKey: i.institutionalUnits?.[0]?.institutionalUnit.id ?? null,
        };
      });
      yield read.filter((i) => i !== null);
    }
  }

  async *departments(): AsyncIterable<Read<SisDepartment>[]> {
    for await (const page of this.client.pages<CodeEntry>('educational-institution-units')) {
      yield readEach(page, (d) => d.id, (d) => ({ key: d.id, code: d.code, name: d.title ?? d.code }));
    }
  }
}

function crosslistFromEthos(x: SectionCrosslist, termKey: string): SisRelationship {
  return {
    key: x.id,
    termKey,
    kind: 'crosslist',
    members: x.sections.map((m) => ({ sectionKey: m.section.id, primary: m.type === 'primary' })),
    sharedCapacity: x.maxEnrollment ?? null,
  };
}

/**
 * The crosslist for POST (no `current`) or PUT. A PUT replaces the whole record, so the hub's
 * members and shared capacity overlay the crosslist as read: its code, waitlist and waitlist
 * maximum are the SIS's and go back unchanged.
 */
function crosslistToEthos(input: SisRelationshipInput, current: SectionCrosslist | null): SectionCrosslist {
  return overlay(current ?? { id: NIL_GUID, sections: [], waitlist: 'separate' }, {
    sections: input.members.map((m) => ({ section: { id: m.sectionKey }, type: m.primary ? 'primary' : 'secondary' })),
    maxEnrollment: input.sharedCapacity ?? undefined,
  });
}

function sameMembers(x: SectionCrosslist, input: SisRelationshipInput): boolean {
  const have = new Set(x.sections.map((m) => m.section.id));
  return have.size === input.members.length && input.members.every((m) => have.has(m.sectionKey));
}
