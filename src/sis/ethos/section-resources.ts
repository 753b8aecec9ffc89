// An Ethos section is three resources: the section, its instructional events and its instructor
// assignments (section-instructors). Reads fetch the three at once. A write is planned against the
// read the caller merged with and sends only what differs from it: the section PUT first (the SIS
// checks events against the section's dates and method), then the event and assignment writes
// together. Nothing a write answered is read again; a collection is re-read only when members came
// or went, because then only the SIS knows its order.
import { readOne, type Read, type SisWriteResult } from '../contract.ts';
import { ignoreNotFound, SisError } from '../errors.ts';
import { assertAdoptable } from '../identity.ts';
import type { SisMeeting, SisSection, SisSectionInput, SisSectionState } from '../model.ts';
import { standingApprovals, type ConflictApproval, type SectionChanges } from '../../domain/conflict-approvals.ts';
import { instructorsInOrder } from '../../domain/content-order.ts';
import { matchMeetings } from '../../domain/meeting-match.ts';
import { sameValue } from '../../domain/same-value.ts';
import type { EthosClient } from './client.ts';
import type { EthosCodeTables } from './code-tables.ts';
import { eventToEthos, linkToEthos, meetingFromEvent, sectionFromEthos, sectionToEthos } from './mapping.ts';
import { overlay } from './overlay.ts';
import type { InstructionalEvent, Section, SectionInstructor } from './wire.ts';

/** What the SIS said about one section, resource by resource. */
interface SectionRead {
  section: Section;
  events: InstructionalEvent[];
  links: SectionInstructor[];
}

/** The fields the section resource itself carries (meetings and instructors are their own resources). */
const SECTION_FIELDS = ['termKey', 'courseKey', 'sectionNumber', 'component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits'] as const;

/** What a write changes of the section beside its meetings, for the approvals it voids. */
function sectionChanges(before: SisSectionState, input: SisSectionInput): SectionChanges {
  return { capacity: before.capacity !== input.capacity, instructors: !sameValue(instructorsInOrder(before.instructors), instructorsInOrder(input.instructors)) };
}

export class SectionResources {
  private readonly client: EthosClient;
  private readonly tables: EthosCodeTables;
  private readonly timeZone: string;
  /** The read behind each state handed out: an update planned against that state starts from it. */
  private readonly reads = new WeakMap<SisSectionState, SectionRead>();

  constructor(client: EthosClient, tables: EthosCodeTables, timeZone: string) {
    this.client = client;
    this.tables = tables;
    this.timeZone = timeZone;
  }

  async raw(sisKey: string): Promise<Section | null> {
    return ignoreNotFound(this.client.json<Section>('GET', 'sections', { id: sisKey }));
  }

  private eventsOf(sisKey: string): Promise<InstructionalEvent[]> {
    return this.client.all<InstructionalEvent>('instructional-events', { section: { id: sisKey } });
  }

  private linksOf(sisKey: string): Promise<SectionInstructor[]> {
    return this.client.all<SectionInstructor>('section-instructors', { section: { id: sisKey } });
  }

  /** The normalized section of a read, its meeting times on the connector zone's clock. */
  private fromEthos(read: SectionRead): Promise<SisSectionState> {
    return this.tables.use((t) => sectionFromEthos(read.section, read.events, read.links, t, this.timeZone));
  }

  private async state(read: SectionRead): Promise<SisSectionState> {
    const state = await this.fromEthos(read);
    this.reads.set(state, read);
    return state;
  }

  /** The three resources of a section, read together; null when the section is not in the SIS. */
  private async read(sisKey: string): Promise<SectionRead | null> {
    const [section, events, links] = await Promise.allSettled([this.raw(sisKey), this.eventsOf(sisKey), this.linksOf(sisKey)]);
    if (section.status === 'rejected') throw section.reason;
    // A section that is not there has no events either: their read's 404 says nothing more.
    if (section.value === null) return null;
    if (events.status === 'rejected') throw events.reason;
    if (links.status === 'rejected') throw links.reason;
    return { section: section.value, events: events.value, links: links.value };
  }

  private async mustRead(sisKey: string): Promise<SectionRead> {
    const read = await this.read(sisKey);
    if (!read) throw new SisError({ code: 'not_found', message: `section ${sisKey} is not in the SIS`, status: 404 });
    return read;
  }

  async get(sisKey: string): Promise<SisSection | null> {
    const read = await this.read(sisKey);
    if (!read) return null;
    const state = await this.state(read);
    const section = { key: sisKey, ...state };
    this.reads.set(section, read);
    return section;
  }

  /**
   * A section of a term's listing, whose events were read for the whole term. Not remembered for
   * an update: a merge holds a term's thousands of sections at once.
   */
  async listed(section: Section, events: InstructionalEvent[]): Promise<Read<SisSection>> {
    const links = await this.linksOf(section.id);
    const read = { section, events, links };
    return readOne(section.id, read, async () => ({ key: section.id, ...(await this.fromEthos(read)) }));
  }

  private async complete(section: Section): Promise<SisSectionState> {
    const [events, links] = await Promise.all([this.eventsOf(section.id), this.linksOf(section.id)]);
    return this.state({ section, events, links });
  }

  async find(termKey: string, courseKey: string, sectionNumber: string): Promise<SisWriteResult<SisSectionState> | null> {
    if (sectionNumber === '') return null;
    const matches = await this.client.all<Section>('sections', { academicPeriod: { id: termKey }, course: { id: courseKey }, number: sectionNumber });
    const match = matches.find((s) => s.number === sectionNumber && s.course.id === courseKey);
    return match ? { sisKey: match.id, record: await this.complete(match) } : null;
  }

  async create(input: SisSectionInput): Promise<SisWriteResult<SisSectionState>> {
    // A create whose response was lost left the section in the SIS: adopt it, then finish.
    const existing = await this.find(input.termKey, input.courseKey, input.sectionNumber);
    if (existing?.sisKey) {
      assertAdoptable(existing.record, input, existing.sisKey);
      return this.update(existing.sisKey, input, existing.record);
    }
    const body = await this.tables.use((t) => sectionToEthos(input, t, null));
    const created = await this.client.json<Section>('POST', 'sections', { body });
    const [events, links] = await Promise.all([this.eventsOf(created.id), this.linksOf(created.id)]);
    return this.write(created.id, input, { section: created, events, links });
  }

  /** `seen`: the state the caller merged with, when it came from this connector; otherwise it is read now. */
  async update(sisKey: string, input: SisSectionInput, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>> {
    const read = (seen && this.reads.get(seen)) ?? (await this.mustRead(sisKey));
    return this.write(sisKey, input, read);
  }

  async cancel(sisKey: string, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>> {
    const read = (seen && this.reads.get(seen)) ?? (await this.mustRead(sisKey));
    const section = await this.client.json<Section>('PUT', 'sections', { id: sisKey, body: overlay(read.section, { status: { category: 'cancelled' } }) });
    return { sisKey, record: await this.state({ ...read, section }) };
  }

  private async write(sisKey: string, input: SisSectionInput, read: SectionRead): Promise<SisWriteResult<SisSectionState>> {
    const before = await this.fromEthos(read);
    const section = SECTION_FIELDS.every((f) => sameValue(before[f], input[f]))
      ? read.section
      : await this.client.json<Section>('PUT', 'sections', { id: sisKey, body: await this.tables.use((t) => sectionToEthos(input, t, read.section)) });
    const [events, links] = await Promise.all([this.writeEvents(sisKey, input, read.events, section, sectionChanges(before, input)), this.writeLinks(sisKey, input, read.links)]);
    return { sisKey, record: await this.state({ section, events, links }) };
  }

  /**
   * Makes the SIS's events equal the input's meetings. Each meeting is written over the event it
   * is (src/domain/meeting-match.ts), not the one at its position, so what the SIS keeps on an
   * event (approvals, workload, title, the instructors teaching it) stays with its meeting: an
   * unchanged meeting's event is not written, a new meeting's is created, and the events no
   * meeting is are deleted. The approvals a change voids are the exception
   * (src/domain/conflict-approvals.ts): an event loses them, so the SIS checks the new room, times
   * size or instructors itself, and is written for that alone when its meeting is unchanged.
   */
  private async writeEvents(sisKey: string, input: SisSectionInput, existing: InstructionalEvent[], section: Section, changed: SectionChanges): Promise<InstructionalEvent[]> {
    const method = await this.tables.use((t) => t.id('instructional-methods', input.component));
    const body = (meeting: SisMeeting, current: InstructionalEvent | null) =>
      this.tables.use((t) => eventToEthos(meeting, sisKey, input.component, t, this.timeZone, current));
    const held = existing.map((event, i) => meetingFromEvent(event, section, this.timeZone, i));
    const { heldOf, unmatched } = matchMeetings(input.meetings, held);
    const rewritten = new Map<number, Promise<InstructionalEvent>>();
    input.meetings.forEach((meeting, i) => {
      const h = heldOf[i];
      if (h === null) return;
      const event = existing[h];
      const approvals = Array.isArray(event.approvals) ? (event.approvals as ConflictApproval[]) : [];
      const standing = standingApprovals(approvals, held[h], meeting, changed);
      const voided = standing.length < approvals.length;
      if (event.instructionalMethod?.id === method && sameValue(held[h], meeting) && !voided) return;
      const put = (b: InstructionalEvent) => this.client.json<InstructionalEvent>('PUT', 'instructional-events', { id: event.id, body: voided ? overlay(b, { approvals: standing }) : b });
      rewritten.set(h, body(meeting, event).then(put));
    });
    const added = input.meetings.filter((_, i) => heldOf[i] === null);
    const posted = (async () => {
      // One after another, so the SIS lists the new events in the input's order.
      for (const meeting of added) await this.client.json('POST', 'instructional-events', { body: await body(meeting, null) });
    })();
    await Promise.all([...rewritten.values(), posted, ...unmatched.map((h) => this.client.call('DELETE', 'instructional-events', { id: existing[h].id }))]);
    // The events in the SIS's order, as its next read lists them, so the base stored is what that read finds.
    return added.length || unmatched.length ? this.eventsOf(sisKey) : Promise.all(existing.map((event, h) => rewritten.get(h) ?? event));
  }

  /** Makes the SIS's instructor assignments equal the input's instructors. */
  private async writeLinks(sisKey: string, input: SisSectionInput, existing: SectionInstructor[]): Promise<SectionInstructor[]> {
    const wanted = new Map(input.instructors.map((i) => [i.instructorKey, i.role]));
    const gone = existing.filter((l) => !wanted.has(l.instructor.id));
    const added = input.instructors.filter((i) => !existing.some((l) => l.instructor.id === i.instructorKey));
    const kept = Promise.all(
      existing
        .filter((l) => wanted.has(l.instructor.id))
        .map(async (link) => {
          const role = wanted.get(link.instructor.id)!;
          if ((link.instructorRole === 'primary') === (role === 'primary')) return link;
          return this.client.json<SectionInstructor>('PUT', 'section-instructors', { id: link.id, body: linkToEthos(link.instructor.id, role, sisKey, link) });
        }),
    );
    const posted = (async () => {
      for (const i of added) await this.client.json('POST', 'section-instructors', { body: linkToEthos(i.instructorKey, i.role, sisKey, null) });
    })();
    await Promise.all([kept, posted, ...gone.map((link) => this.client.call('DELETE', 'section-instructors', { id: link.id }))]);
    return added.length || gone.length ? this.linksOf(sisKey) : await kept;
  }
}
