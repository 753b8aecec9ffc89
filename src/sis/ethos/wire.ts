// The parts of the EEDM representations this connector reads and writes (sis-apis.md §1.5).
export interface Ref {
  id: string;
}

export interface AcademicPeriod {
  id: string;
  code?: string;
  title: string;
  startOn: string;
  endOn: string;
  category: { type: 'year' | 'term' | 'subterm'; parent?: Ref };
}

export interface Course {
  id: string;
  titles: { type?: Ref; value: string }[];
  description?: string;
  subject: Ref;
  number: string;
  credits?: { minimum?: number; maximum?: number }[];
  owningInstitutionUnits?: { institutionUnit: Ref; ownershipPercentage?: number }[];
}

export interface Section {
  id: string;
  titles: { type: Ref; value: string }[];
  startOn: string;
  endOn?: string;
  code?: string;
  number?: string;
  academicPeriod?: Ref;
  course: Ref;
  credits?: { creditCategory?: { creditType: string }; measure?: string; minimum?: number; maximum?: number; increment?: number }[];
  site?: Ref;
  instructionalMethods: Ref[];
  instructionalDeliveryMethod?: Ref;
  status?: { category: 'open' | 'closed' | 'pending' | 'cancelled'; detail?: Ref };
  maxEnrollment?: number;
  /** Where the SIS shows its own ids (read-only; Banner's CRN is titled "CRN"). */
  alternateIds?: { title?: string; value?: string }[];
  [other: string]: unknown;
}

/** How an event recurs: `type` daily, weekly (with its days), monthly (with `repeatBy`) or yearly, every `interval` of them. */
export interface RepeatRule {
  type: string;
  interval?: number;
  daysOfWeek?: string[];
  ends?: { date?: string; repetitions?: number };
  repeatBy?: unknown;
  [other: string]: unknown;
}

export interface InstructionalEvent {
  id: string;
  section: Ref;
  instructionalMethod?: Ref;
  recurrence?: {
    /** Absent for a meeting with days and no times: the rule alone carries its days. */
    timePeriod?: { startOn?: string; endOn?: string };
    repeatRule: RepeatRule;
    [other: string]: unknown;
  };
  /** A room, or a site, online or other location (not the hub's: kept as read). */
  locations?: { location: { type: string; room?: Ref; [other: string]: unknown } }[];
  /** Not the hub's, kept as read: title, description, workLoad, approvals (a scheduler's conflict overrides, but those a change voids: src/domain/conflict-approvals.ts)… */
  [other: string]: unknown;
}

export interface SectionInstructor {
  id: string;
  instructor: Ref;
  section: Ref;
  instructorRole?: string;
  /** Not the hub's, kept as read: instructionalEvents, responsibilityPercentage, workLoad, workStartOn, workEndOn… */
  [other: string]: unknown;
}

export interface SectionCrosslist {
  id: string;
  code?: string;
  sections: { section: Ref; type: 'primary' | 'secondary' }[];
  maxEnrollment?: number;
  waitlist?: string;
  maxWaitlist?: number;
  [other: string]: unknown;
}

export interface CodeEntry {
  id: string;
  code: string;
  title?: string;
}

export interface Building {
  id: string;
  code?: string;
  title: string;
  site?: Ref;
}

export interface Room {
  id: string;
  number: string;
  building: Ref;
  occupancies?: { maxOccupancy?: number }[];
  status?: string;
}

export interface Instructor {
  id: string;
  instructor: Ref;
  institutionalUnits?: { institutionalUnit: Ref }[];
}

export interface Person {
  id: string;
  names?: { preference?: string; fullName?: string }[];
  emails?: { preference?: string; address?: string }[];
}

export const NIL_GUID = '00000000-0000-0000-0000-000000000000';
