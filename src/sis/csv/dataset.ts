// An institution's schedule keyed by natural keys only (codes, CRNs, names): what flat files
// hold. The CSV connector keys it into the normalized model; the simulator derives its GUIDs
// and class numbers from these natural keys.
import type { SisTermPart } from '../model.ts';

export interface DatasetMeeting {
  days: string;
  startTime: string | null;
  endTime: string | null;
  startDate: string | null;
  endDate: string | null;
  buildingCode: string | null;
  roomNumber: string | null;
}

export interface DatasetSection {
  termCode: string;
  /** The registrar's number for the section within the term (Banner CRN). */
  crn: string;
  subject: string;
  courseNumber: string;
  sectionNumber: string;
  component: string;
  status: 'active' | 'cancelled';
  capacity: number;
  /** Null where the file does not say (the UIUC export, a blank column): unknown, not 0. */
  enrolled: number | null;
  instructionMode: string;
  campus: string | null;
  partOfTerm: string | null;
  title: string | null;
  credits: number | null;
  meetings: DatasetMeeting[];
  /** Instructor names; the first is the primary instructor. */
  instructors: string[];
}

export interface Dataset {
  terms: { code: string; name: string; startsOn: string; endsOn: string; parts: SisTermPart[] }[];
  departments: { code: string; name: string }[];
  buildings: { code: string; name: string; campus: string | null }[];
  rooms: { buildingCode: string; number: string; capacity: number; active: boolean }[];
  instructors: { name: string; email: string | null; departmentCode: string | null }[];
  courses: {
    subject: string;
    number: string;
    title: string;
    credits: number;
    creditsMax: number | null;
    departmentCode: string | null;
    description: string | null;
  }[];
  sections: DatasetSection[];
  relationships: {
    termCode: string;
    kind: 'crosslist' | 'combined';
    crns: string[];
    primaryCrn: string;
    sharedCapacity: number | null;
  }[];
}

export const courseCode = (subject: string, number: string): string => `${subject} ${number}`;
