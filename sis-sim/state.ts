// The simulated SIS's records, dialect-neutral. Ethos and PeopleSoft routes render them in their
// own wire shapes; the JSON form of SimState is also the on-disk snapshot.

export interface SimTermPart {
  id: string;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
}

export interface SimTerm {
  id: string;
  code: string;
  /** PeopleSoft term code, Char(4). */
  strm: string;
  name: string;
  startsOn: string;
  endsOn: string;
  parts: SimTermPart[];
}

export interface SimDepartment {
  id: string;
  code: string;
  name: string;
}

export interface SimBuilding {
  id: string;
  code: string;
  name: string;
  campus: string | null;
}

export interface SimRoom {
  id: string;
  /** PeopleSoft FACILITY_ID. */
  facilityId: string;
  buildingId: string;
  number: string;
  capacity: number;
  active: boolean;
}

export interface SimInstructor {
  id: string;
  emplid: string;
  name: string;
  email: string | null;
  departmentId: string | null;
}

export interface SimCourse {
  id: string;
  /** PeopleSoft CRSE_ID, Char(6); every simulated course has one offering (CRSE_OFFER_NBR 1). */
  crseId: string;
  subject: string;
  number: string;
  title: string;
  credits: number;
  creditsMax: number | null;
  departmentId: string | null;
  description: string | null;
  /**
   * The start of the newest term this catalog data came from. A catalog is effective-dated and a
   * section shows its course's newest version, so seeding an older term does not overwrite it.
   */
  effectiveOn: string;
}

export interface SimMeeting {
  id: string;
  days: string;
  startTime: string | null;
  endTime: string | null;
  startDate: string | null;
  endDate: string | null;
  roomId: string | null;
  /** PeopleSoft STND_MTG_PAT, the standard meeting pattern the days were chosen by. */
  standardPattern?: string | null;
  /** PeopleSoft CLASS_MTG_NBR, the meeting pattern's key within its class, as written; absent: the first number no other meeting has. */
  patternNbr?: number;
  /** Ethos repeatRule as written, where it is not weekly every week; null or absent: weekly, interval 1. */
  repeat?: SimRepeat | null;
  /** What an Ethos client wrote of the meeting's instructional event beyond the meeting itself; null or absent: nothing. */
  event?: SimEventDetails | null;
}

/** An Ethos instructional event's own fields, kept as written and returned, as a SIS keeps them. */
export interface SimEventDetails {
  title?: string;
  description?: string;
  workLoad?: number;
  /** A scheduler's overrides: "ignore room or instructor conflicts, I checked". */
  approvals?: { approvalType: string; approvalEntity: string }[];
  /** Its locations other than the room (a site, online, other), as written. */
  otherLocations?: { location: { type: string; [field: string]: unknown } }[];
}

/** How an Ethos event recurs: every `interval` days, weeks (on the meeting's days), months (by `repeatBy`) or years. */
export interface SimRepeat {
  type: 'daily' | 'weekly' | 'monthly' | 'yearly';
  interval: number;
  repeatBy?: unknown;
}

export interface SimSectionInstructor {
  id: string;
  instructorId: string;
  role: 'primary' | 'secondary';
  /** PeopleSoft INSTR_ROLE (PI, SI, TA…); null or absent: PI for the primary, SI otherwise. One per section here, though PeopleSoft keeps one per meeting. */
  roleCode?: string | null;
  /** PeopleSoft GRADE_RSTR_ACCESS: P post, A approve, G grade, N none; null or absent: A. */
  gradeAccess?: string | null;
  /** The meetings the instructor teaches (PeopleSoft assigns instructors per meeting); null or absent: all. */
  meetingIds?: string[] | null;
  /** What an Ethos client wrote of the assignment beyond who and whether primary; null or absent: nothing (a primary's share is then 100). */
  assignment?: SimAssignmentDetails | null;
}

/** An Ethos section-instructors record's own fields, kept as written and returned. */
export interface SimAssignmentDetails {
  responsibilityPercentage?: number;
  workLoad?: number;
  workStartOn?: string;
  workEndOn?: string;
}

export interface SimSection {
  id: string;
  termId: string;
  courseId: string;
  /** Banner CRN, PeopleSoft CLASS_NBR: numeric, unique within the term, assigned by the SIS. */
  crn: string;
  /** Clock time from which PeopleSoft shows CLASS_NBR (its overnight assignment). */
  crnVisibleAt: number;
  number: string;
  component: string;
  status: 'active' | 'cancelled';
  /**
   * The SIS's own status where it says more than active: PeopleSoft CLASS_STAT S (stop further
   * enrollment) or T (tentative). Null or absent: plain active (A) or cancelled (X).
   */
  statusCode?: 'S' | 'T' | null;
  capacity: number;
  enrolled: number;
  instructionMode: string;
  campus: string | null;
  partOfTerm: string | null;
  title: string | null;
  credits: number | null;
  /** The most of a variable-credit section (PeopleSoft UNITS_MAXIMUM; credits is UNITS_MINIMUM); null or absent: fixed. */
  creditsMax?: number | null;
  /** Ethos: the step between a variable-credit section's minimum and maximum; null or absent: none given. */
  creditsIncrement?: number | null;
  meetings: SimMeeting[];
  instructors: SimSectionInstructor[];
}

export interface SimRelationship {
  id: string;
  termId: string;
  kind: 'crosslist' | 'combined';
  code: string;
  members: { sectionId: string; primary: boolean }[];
  sharedCapacity: number | null;
  /** Ethos section-crosslists: one waitlist for all members or one each (absent: separate). */
  waitlist?: 'separate' | 'combined';
  /** The most students the waitlist takes (Ethos section-crosslists maxWaitlist, PeopleSoft combined WAIT_CAP); null or absent: no maximum, or PeopleSoft's 0. */
  maxWaitlist?: number | null;
}

export interface SimState {
  terms: Record<string, SimTerm>;
  departments: Record<string, SimDepartment>;
  buildings: Record<string, SimBuilding>;
  rooms: Record<string, SimRoom>;
  instructors: Record<string, SimInstructor>;
  courses: Record<string, SimCourse>;
  sections: Record<string, SimSection>;
  relationships: Record<string, SimRelationship>;
}

export const emptyState = (): SimState => ({
  terms: {},
  departments: {},
  buildings: {},
  rooms: {},
  instructors: {},
  courses: {},
  sections: {},
  relationships: {},
});

export type SectionDraft = Omit<SimSection, 'id' | 'crn' | 'crnVisibleAt' | 'enrolled'>;
