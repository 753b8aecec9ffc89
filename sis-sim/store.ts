// The simulated SIS's data and every change to it. Both dialects and the admin API go through
// here, so the rules (validation, CRN assignment, identity) are the same whoever writes.
import { randomUUID } from 'node:crypto';
import type { Dataset } from '../src/sis/csv/dataset.ts';
import { courseCode } from '../src/sis/csv/dataset.ts';
import { guidFor, hashSeed } from './ids.ts';
import type {
  SectionDraft,
  SimCourse,
  SimMeeting,
  SimRelationship,
  SimRoom,
  SimSection,
  SimSectionInstructor,
  SimState,
} from './state.ts';
import { SimNotFoundError, SimValidationError, validateSection, type Dialect } from './validation.ts';

export interface SimStoreOptions {
  clock: () => number;
  /** How long a new section's CRN/CLASS_NBR stays invisible to PeopleSoft clients. */
  crnDelayMs: number;
  onChange: () => void;
}

const SEASON_DIGIT: Record<string, string> = { wi: '0', sp: '2', su: '5', fa: '8' };

/** '2025-su' → '2255' (century, year, season), the usual PeopleSoft STRM shape. */
export function strmFor(code: string): string {
  const m = /^(\d)\d(\d\d)-([a-z]{2})$/.exec(code);
  if (m && SEASON_DIGIT[m[3]]) return `${m[1]}${m[2]}${SEASON_DIGIT[m[3]]}`;
  return String(hashSeed(code) % 10_000).padStart(4, '0');
}

/** Deterministic numeric code for a natural key, probing past collisions. */
function uniqueCode(naturalKey: string, digits: number, taken: Set<string>): string {
  let n = hashSeed(naturalKey) % 10 ** digits;
  for (;;) {
    const code = String(n).padStart(digits, '0');
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
    n = (n + 1) % 10 ** digits;
  }
}

/** Without a code, a new relationship gets the SIS's own numbering and an updated one keeps its code. */
export type RelationshipDraft = Omit<SimRelationship, 'id' | 'code'> & { code?: string };

/** The code the SIS numbers a relationship with when none is given. */
export const relationshipCode = (kind: SimRelationship['kind'], id: string): string => `${kind === 'crosslist' ? 'XL' : 'CB'}${id.slice(0, 8).toUpperCase()}`;

export class SimStore {
  state: SimState;
  private readonly options: SimStoreOptions;
  /** Section ids per term in CRN order; rebuilt only when sections come, go or change CRN. */
  private termIndex: Map<string, string[]> | null = null;
  /**
   * Every component, instruction mode and campus a section has had: the code tables a real SIS
   * keeps (they never lose an entry), without a scan of every section per request.
   */
  private readonly codes = { methods: new Set<string>(), deliveryMethods: new Set<string>(), sites: new Set<string>() };

  constructor(state: SimState, options: SimStoreOptions) {
    this.state = state;
    this.options = options;
    for (const s of Object.values(state.sections)) this.noteCodes(s);
  }

  now(): number {
    return this.options.clock();
  }

  /** `membership`: sections came or went, or a CRN changed. */
  private changed(membership = false): void {
    if (membership) this.termIndex = null;
    this.options.onChange();
  }

  private noteCodes(s: Pick<SimSection, 'component' | 'instructionMode' | 'campus'>): void {
    if (s.component) this.codes.methods.add(s.component);
    if (s.instructionMode) this.codes.deliveryMethods.add(s.instructionMode);
    if (s.campus) this.codes.sites.add(s.campus);
  }

  codesInUse(): { methods: ReadonlySet<string>; deliveryMethods: ReadonlySet<string>; sites: ReadonlySet<string> } {
    return this.codes;
  }

  /** A term's sections ordered by CRN: stable paging order. */
  sectionsOfTerm(termId: string): SimSection[] {
    if (!this.termIndex) {
      const index = new Map<string, SimSection[]>();
      for (const s of Object.values(this.state.sections)) {
        const list = index.get(s.termId) ?? [];
        list.push(s);
        index.set(s.termId, list);
      }
      for (const list of index.values()) list.sort((a, b) => Number(a.crn) - Number(b.crn) || a.crn.localeCompare(b.crn));
      this.termIndex = new Map([...index].map(([term, list]) => [term, list.map((s) => s.id)]));
    }
    return (this.termIndex.get(termId) ?? []).map((id) => this.state.sections[id]);
  }

  relationshipsOfTerm(termId: string): SimRelationship[] {
    return Object.values(this.state.relationships)
      .filter((r) => r.termId === termId)
      .sort((a, b) => a.code.localeCompare(b.code));
  }

  section(id: string): SimSection {
    const s = this.state.sections[id];
    if (!s) throw new SimNotFoundError(`section ${id} not found`);
    return s;
  }

  sectionByCrn(termId: string, crn: string): SimSection | undefined {
    return this.sectionsOfTerm(termId).find((s) => s.crn === crn);
  }

  /**
   * Loads terms from a dataset. Reference data is upserted; each listed term's sections and
   * relationships are replaced, and GUIDs come from natural keys so records that survive a
   * re-seed keep theirs.
   */
  loadDataset(dataset: Dataset): void {
    const st = this.state;
    const taken = (codes: string[]) => new Set(codes);
    for (const d of dataset.departments) st.departments[guidFor(`department:${d.code}`)] = { id: guidFor(`department:${d.code}`), ...d };
    for (const b of dataset.buildings) st.buildings[guidFor(`building:${b.code}`)] = { id: guidFor(`building:${b.code}`), ...b };
    const facilityIds = taken(Object.values(st.rooms).map((r) => r.facilityId));
    for (const r of dataset.rooms) {
      const id = guidFor(`room:${r.buildingCode}/${r.number}`);
      const prior = st.rooms[id];
      st.rooms[id] = {
        id,
        facilityId: prior?.facilityId ?? `F${uniqueCode(`room:${r.buildingCode}/${r.number}`, 6, facilityIds)}`,
        buildingId: guidFor(`building:${r.buildingCode}`),
        number: r.number,
        capacity: r.capacity,
        active: r.active,
      };
    }
    const emplids = taken(Object.values(st.instructors).map((i) => i.emplid));
    for (const i of dataset.instructors) {
      const id = guidFor(`person:${i.name}`);
      st.instructors[id] = {
        id,
        emplid: st.instructors[id]?.emplid ?? uniqueCode(`person:${i.name}`, 7, emplids),
        name: i.name,
        email: i.email,
        departmentId: i.departmentCode ? guidFor(`department:${i.departmentCode}`) : null,
      };
    }
    const crseIds = taken(Object.values(st.courses).map((c) => c.crseId));
    // A course's data is as of the newest term the dataset offers it in (its newest term if none).
    const termStart = new Map(dataset.terms.map((t) => [t.code, t.startsOn]));
    const newestTerm = dataset.terms.map((t) => t.startsOn).sort().at(-1) ?? '';
    const offeredFrom = new Map<string, string>();
    for (const s of dataset.sections) {
      const code = courseCode(s.subject, s.courseNumber);
      const start = termStart.get(s.termCode) ?? '';
      if (start > (offeredFrom.get(code) ?? '')) offeredFrom.set(code, start);
    }
    for (const c of dataset.courses) {
      const code = courseCode(c.subject, c.number);
      const id = guidFor(`course:${code}`);
      const prior: SimCourse | undefined = st.courses[id];
      const effectiveOn = offeredFrom.get(code) ?? newestTerm;
      // A snapshot from before effective dates has none: any seed is newer.
      if (prior && (prior.effectiveOn ?? '') > effectiveOn) continue;
      st.courses[id] = {
        id,
        crseId: prior?.crseId ?? uniqueCode(`course:${code}`, 6, crseIds),
        subject: c.subject,
        number: c.number,
        title: c.title,
        credits: c.credits,
        creditsMax: c.creditsMax,
        departmentId: c.departmentCode ? guidFor(`department:${c.departmentCode}`) : null,
        description: c.description,
        effectiveOn,
      };
    }
    for (const t of dataset.terms) {
      const termId = guidFor(`term:${t.code}`);
      st.terms[termId] = {
        id: termId,
        code: t.code,
        strm: strmFor(t.code),
        name: t.name,
        startsOn: t.startsOn,
        endsOn: t.endsOn,
        parts: t.parts.map((p) => ({ id: guidFor(`part:${t.code}:${p.code}`), ...p })),
      };
      for (const s of Object.values(st.sections)) if (s.termId === termId) delete st.sections[s.id];
      for (const r of Object.values(st.relationships)) if (r.termId === termId) delete st.relationships[r.id];
    }
    for (const s of dataset.sections) {
      const id = guidFor(`section:${s.termCode}:${s.crn}`);
      st.sections[id] = {
        id,
        termId: guidFor(`term:${s.termCode}`),
        courseId: guidFor(`course:${courseCode(s.subject, s.courseNumber)}`),
        crn: s.crn,
        crnVisibleAt: 0,
        number: s.sectionNumber,
        component: s.component,
        status: s.status,
        capacity: s.capacity,
        // The sim is the SIS: a section its seed gives no count has nobody enrolled yet.
        enrolled: s.enrolled ?? 0,
        instructionMode: s.instructionMode,
        campus: s.campus,
        partOfTerm: s.partOfTerm,
        title: s.title,
        credits: s.credits,
        meetings: s.meetings.map((m, i) => ({
          id: guidFor(`meeting:${s.termCode}:${s.crn}:${i}`),
          days: m.days,
          startTime: m.startTime,
          endTime: m.endTime,
          startDate: m.startDate,
          endDate: m.endDate,
          roomId: m.buildingCode && m.roomNumber ? guidFor(`room:${m.buildingCode}/${m.roomNumber}`) : null,
        })),
        instructors: s.instructors.map((name, i) => ({
          id: guidFor(`section-instructor:${s.termCode}:${s.crn}:${name}`),
          instructorId: guidFor(`person:${name}`),
          role: i === 0 ? 'primary' : 'secondary',
        })),
      };
    }
    for (const r of dataset.relationships) {
      const code = `${r.kind === 'crosslist' ? 'XL' : 'CB'}${r.termCode}-${[...r.crns].sort().join('-')}`;
      const id = guidFor(`relationship:${code}`);
      st.relationships[id] = {
        id,
        termId: guidFor(`term:${r.termCode}`),
        kind: r.kind,
        code,
        members: r.crns.map((crn) => ({ sectionId: guidFor(`section:${r.termCode}:${crn}`), primary: crn === r.primaryCrn })),
        sharedCapacity: r.sharedCapacity,
      };
    }
    for (const s of Object.values(st.sections)) this.noteCodes(s);
    this.changed(true);
  }

  private nextCrn(termId: string): string {
    let max = 9999;
    for (const s of this.sectionsOfTerm(termId)) if (/^\d+$/.test(s.crn)) max = Math.max(max, Number(s.crn));
    return String(max + 1);
  }

  private check(draft: SectionDraft, existing: SimSection | null, dialect: Dialect): void {
    const violations = validateSection(this.state, draft, existing, dialect, this.sectionsOfTerm(draft.termId));
    if (violations.length > 0) throw new SimValidationError(violations);
  }

  createSection(draft: SectionDraft, dialect: Dialect): SimSection {
    this.check(draft, null, dialect);
    const term = this.state.terms[draft.termId];
    const crn = this.nextCrn(draft.termId);
    const section: SimSection = {
      ...structuredClone(draft),
      id: guidFor(`section:${term.code}:${crn}`),
      crn,
      crnVisibleAt: this.now() + this.options.crnDelayMs,
      enrolled: 0,
    };
    this.state.sections[section.id] = section;
    this.noteCodes(section);
    this.changed(true);
    return section;
  }

  updateSection(id: string, draft: SectionDraft, dialect: Dialect): SimSection {
    const existing = this.section(id);
    if (draft.termId !== existing.termId || draft.courseId !== existing.courseId) {
      throw new SimValidationError([
        { field: 'courseKey', sisField: 'CRSE_ID', message: 'The term and course of an existing section cannot be changed.' },
      ]);
    }
    this.check(draft, existing, dialect);
    const updated: SimSection = { ...existing, ...structuredClone(draft) };
    this.state.sections[id] = updated;
    this.noteCodes(updated);
    this.changed();
    return updated;
  }

  /** A registrar's direct edit: no validation, as a back-office change would bypass the API. */
  patchSection(id: string, patch: Partial<Omit<SimSection, 'id' | 'termId'>>): SimSection {
    const updated = { ...this.section(id), ...patch };
    this.state.sections[id] = updated;
    this.noteCodes(updated);
    this.changed('crn' in patch);
    return updated;
  }

  patchRoom(id: string, patch: Partial<Pick<SimRoom, 'active' | 'capacity'>>): SimRoom {
    const room = this.state.rooms[id];
    if (!room) throw new SimNotFoundError(`room ${id} not found`);
    Object.assign(room, patch);
    this.changed();
    return room;
  }

  deleteSection(id: string): void {
    this.section(id);
    delete this.state.sections[id];
    for (const r of Object.values(this.state.relationships)) {
      r.members = r.members.filter((m) => m.sectionId !== id);
      if (r.members.length < 2) delete this.state.relationships[r.id];
    }
    this.changed(true);
  }

  meeting(id: string): { section: SimSection; meeting: SimMeeting } {
    for (const section of Object.values(this.state.sections)) {
      const meeting = section.meetings.find((m) => m.id === id);
      if (meeting) return { section, meeting };
    }
    throw new SimNotFoundError(`instructional event ${id} not found`);
  }

  /** Adds (id null) or replaces one meeting of a section, validating the section as a whole. */
  putMeeting(sectionId: string, meeting: Omit<SimMeeting, 'id'>, id: string | null, dialect: Dialect): SimMeeting {
    const section = this.section(sectionId);
    const saved = { ...meeting, id: id ?? randomUUID() };
    const meetings = id === null ? [...section.meetings, saved] : section.meetings.map((m) => (m.id === id ? saved : m));
    this.updateSection(sectionId, { ...section, meetings }, dialect);
    return saved;
  }

  deleteMeeting(id: string): void {
    const { section } = this.meeting(id);
    this.patchSection(section.id, { meetings: section.meetings.filter((m) => m.id !== id) });
  }

  sectionInstructor(id: string): { section: SimSection; link: SimSectionInstructor } {
    for (const section of Object.values(this.state.sections)) {
      const link = section.instructors.find((i) => i.id === id);
      if (link) return { section, link };
    }
    throw new SimNotFoundError(`section instructor ${id} not found`);
  }

  putSectionInstructor(sectionId: string, link: Omit<SimSectionInstructor, 'id'>, id: string | null): SimSectionInstructor {
    const section = this.section(sectionId);
    if (!this.state.instructors[link.instructorId]) throw new SimNotFoundError(`person ${link.instructorId} not found`);
    const saved = { ...link, id: id ?? randomUUID() };
    const instructors = id === null ? [...section.instructors, saved] : section.instructors.map((i) => (i.id === id ? saved : i));
    this.patchSection(sectionId, { instructors });
    return saved;
  }

  deleteSectionInstructor(id: string): void {
    const { section } = this.sectionInstructor(id);
    this.patchSection(section.id, { instructors: section.instructors.filter((i) => i.id !== id) });
  }

  relationship(id: string): SimRelationship {
    const r = this.state.relationships[id];
    if (!r) throw new SimNotFoundError(`relationship ${id} not found`);
    return r;
  }

  private checkRelationship(draft: RelationshipDraft, id: string | null): void {
    const message = (text: string) => new SimValidationError([{ field: 'members', sisField: 'CLASS_NBR', message: text }]);
    if (draft.members.length < 2) throw message('A cross-list needs at least two sections.');
    if (draft.members.filter((m) => m.primary).length !== 1) throw message('Exactly one section must be the primary section.');
    for (const m of draft.members) {
      const s = this.state.sections[m.sectionId];
      if (!s) throw new SimNotFoundError(`section ${m.sectionId} not found`);
      if (s.termId !== draft.termId) throw message(`Section ${s.crn} is not in the cross-list's term.`);
      const other = Object.values(this.state.relationships).find(
        (r) => r.id !== id && r.kind === draft.kind && r.members.some((x) => x.sectionId === m.sectionId),
      );
      if (other) throw message(`Section ${s.crn} already belongs to ${other.code}.`);
    }
  }

  createRelationship(draft: RelationshipDraft): SimRelationship {
    this.checkRelationship(draft, null);
    const id = randomUUID();
    const relationship = { ...structuredClone(draft), id, code: draft.code ?? relationshipCode(draft.kind, id) };
    this.state.relationships[id] = relationship;
    this.changed();
    return relationship;
  }

  updateRelationship(id: string, draft: RelationshipDraft): SimRelationship {
    const existing = this.relationship(id);
    this.checkRelationship(draft, id);
    const updated = { ...existing, ...structuredClone(draft) };
    this.state.relationships[id] = updated;
    this.changed();
    return updated;
  }

  deleteRelationship(id: string): void {
    this.relationship(id);
    delete this.state.relationships[id];
    this.changed();
  }
}
