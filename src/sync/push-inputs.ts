// What a post sends the SIS (pure, no I/O): the hub's fields as the SIS's section and relationship
// inputs, refused by field where the SIS cannot hold them, and the defaults the SIS filled in that
// the hub takes back.
import type { Fields } from '../domain/three-way.ts';
import type { SisConnector } from '../sis/contract.ts';
import type { SisRelationshipInput, SisSectionInput, SisSectionState } from '../sis/model.ts';
import { sectionFields, sisMeeting, type MeetingFields } from './fields.ts';
import { permanent } from './push-errors.ts';

export const POSTABLE_OF_INPUT = (connector: SisConnector) => new Set<string>(connector.capabilities.postableSectionFields);

/** The SIS as a registrar calls it. */
const SIS_NAMES: Record<SisConnector['kind'], string> = { ethos: 'the SIS', peoplesoft: 'PeopleSoft', csv: 'the SIS files' };

/** Fields the hub left empty and the SIS filled in (a default part of term…): the hub takes them. */
export function sisDefaults(sent: SisSectionInput, record: SisSectionState, postable: Set<string>): Fields {
  const theirs = sectionFields(record);
  return Object.fromEntries(
    [...postable].filter((f) => sent[f as keyof SisSectionInput] === null && theirs[f] !== null && theirs[f] !== undefined).map((f) => [f, theirs[f]]),
  );
}

/** What a post sends; what the SIS cannot hold is refused here, by field, before anything is sent. */
export function sectionInput(termKey: string, wanted: Fields, fallback: Fields, postable: Set<string>, connector: SisConnector): SisSectionInput {
  const pick = (f: string) => (postable.has(f) ? wanted[f] : fallback[f]);
  const meetings = (pick('meetings') as MeetingFields[]).map(sisMeeting);
  if (!connector.capabilities.meetingWeekIntervals)
    meetings.forEach((m, i) => {
      if (m.weekInterval !== 1)
        throw permanent(
          'validation',
          `Meeting ${i + 1} is held every ${m.weekInterval} weeks, but ${SIS_NAMES[connector.kind]} holds weekly meetings only: make it weekly, or keep this section's schedule in the SIS.`,
          `meetings.${i}.weekInterval`,
        );
    });
  return {
    termKey,
    courseKey: String(wanted.courseKey),
    sectionNumber: pick('sectionNumber') as string,
    component: pick('component') as string,
    status: pick('status') as 'active' | 'cancelled',
    capacity: pick('capacity') as number,
    instructionMode: pick('instructionMode') as string,
    campus: pick('campus') as string | null,
    partOfTerm: pick('partOfTerm') as string | null,
    title: pick('title') as string | null,
    credits: pick('credits') as number | null,
    meetings,
    instructors: pick('instructors') as SisSectionInput['instructors'],
  };
}

export function relationshipInput(termKey: string, fields: Fields): SisRelationshipInput {
  return {
    termKey,
    kind: fields.kind as SisRelationshipInput['kind'],
    sharedCapacity: fields.sharedCapacity as number | null,
    members: fields.members as SisRelationshipInput['members'],
  };
}
