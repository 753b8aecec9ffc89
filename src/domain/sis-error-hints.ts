// A catalogue of SIS errors registrars meet (Coursedog's "Common Banner / PeopleSoft Merge
// Errors", see shared/reference/scheduling-integration.md §3), matched against the SIS's raw
// message to suggest what to do. Pure.

export interface ErrorHint {
  id: string;
  sis: 'banner' | 'peoplesoft' | 'any';
  title: string;
  hint: string;
}

const CATALOGUE: { pattern: RegExp; hint: ErrorHint }[] = [
  {
    pattern: /ORA-20100|credit hours\/CEUs|credit hours.*must equal|section credits? .*course/i,
    hint: {
      id: 'banner-credit-hours',
      sis: 'banner',
      title: 'Section credit hours do not match the course',
      hint: "Banner requires a section's credit (and billing, contact, lecture) hours to lie within the course's. Fix the section's credits, or change the course in the catalog first.",
    },
  },
  {
    pattern: /ORA-12899|ORA-06502|value too large for column|string buffer too small/i,
    hint: {
      id: 'banner-title-too-long',
      sis: 'banner',
      title: 'A value is longer than the SIS column allows',
      hint: 'Usually the section title: Banner allows 30–32 characters (some schools 20). Shorten the title and save again.',
    },
  },
  {
    pattern: /room .* is inactive|inactive status|facility id .* (not valid|inactive)|invalid building\/room/i,
    hint: {
      id: 'room-inactive',
      sis: 'any',
      title: 'The room is inactive or unknown in the SIS',
      hint: 'Pick another room, or have the SIS reactivate it and merge rooms again.',
    },
  },
  {
    pattern: /cannot be cancell?ed.*enrol|unable to cancel.*(graded|enrol)|cannot cancel a class with enrollment/i,
    hint: {
      id: 'peoplesoft-cancel-with-enrollment',
      sis: 'peoplesoft',
      title: 'PeopleSoft cannot cancel a class with enrollment',
      hint: 'Students are enrolled: the registrar must drop or move them in PeopleSoft before the class can be cancelled.',
    },
  },
  {
    pattern: /reserve capacity.*(more|greater) than enrollment capacity/i,
    hint: {
      id: 'peoplesoft-reserve-capacity',
      sis: 'peoplesoft',
      title: 'Reserve capacity exceeds enrollment capacity',
      hint: "Raise the section's capacity, or lower its reserve capacity in PeopleSoft.",
    },
  },
  {
    pattern: /end time must be (greater|later)|start time must be before end time/i,
    hint: { id: 'meeting-times', sis: 'any', title: 'Meeting ends before it starts', hint: 'Correct the meeting times.' },
  },
  {
    pattern: /already exists|unique constraint|ORA-00001/i,
    hint: {
      id: 'section-exists',
      sis: 'any',
      title: 'The section already exists in the SIS',
      hint: 'Another section of this course and term has the same number in the SIS. Renumber the section, or run a merge to link the existing one.',
    },
  },
  {
    pattern: /part of term.*enrol|cannot change part of term/i,
    hint: { id: 'part-of-term-enrollment', sis: 'any', title: 'Part of term cannot change after enrollment', hint: 'Leave the part of term as it is, or have the registrar move the students first.' },
  },
  {
    pattern: /hard deleted|is not in the SIS|not_found/i,
    hint: { id: 'deleted-in-sis', sis: 'any', title: 'The record was deleted in the SIS', hint: 'Run a sections merge: the hub will mark it deleted in the SIS; recreate it if it is still wanted.' },
  },
  {
    pattern: /part time instructors? cannot/i,
    hint: { id: 'part-time-instructor', sis: 'peoplesoft', title: 'Part-time instructor on a full-time section', hint: 'Assign another instructor or change the assignment type in PeopleSoft.' },
  },
  {
    pattern: /not supported|crosslists are multiple-offering|cannot be told apart/i,
    hint: { id: 'not-supported', sis: 'any', title: 'The SIS does not accept this kind of record', hint: 'This SIS cannot store this relationship kind; keep it in the hub only (Allow integration = no).' },
  },
  {
    // Our Ethos connector's words when the SIS points at a code its own tables do not list.
    pattern: /no entry with id|the SIS has no code|no period with id/i,
    hint: {
      id: 'sis-code-missing',
      sis: 'any',
      title: 'A code the SIS does not list',
      hint: "The record uses a code missing from the SIS's own code tables (instructional methods, delivery methods, sites, academic periods). Add it there, or choose one the SIS lists; the hub reloads the tables when it meets an unknown code.",
    },
  },
  {
    pattern: /SIS is not available|maintenance|503/i,
    hint: { id: 'sis-unavailable', sis: 'any', title: 'The SIS is not available', hint: 'The hub retries by itself; if it lasts, turn on the maintenance switch until the SIS is back.' },
  },
];

export function hintFor(message: string): ErrorHint | null {
  return CATALOGUE.find((entry) => entry.pattern.test(message))?.hint ?? null;
}
