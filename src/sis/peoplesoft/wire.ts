// The flattened PeopleSoft records the Integration Broker service operations speak
// (field names as in sis-apis.md §3; the service layout is the institution's, not Oracle's).

export interface PsTerm {
  STRM: string;
  DESCR: string;
  DESCRSHORT?: string;
  TERM_BEGIN_DT: string;
  TERM_END_DT: string;
  SESSIONS?: { SESSION_CODE: string; DESCR: string; SESS_BEGIN_DT: string; SESS_END_DT: string }[];
}

export interface PsInstr {
  INSTR_ASSIGN_SEQ?: number;
  EMPLID: string;
  INSTR_ROLE: string;
  GRADE_RSTR_ACCESS?: string;
}

export type DayFlag = 'MON' | 'TUES' | 'WED' | 'THURS' | 'FRI' | 'SAT' | 'SUN';

export type PsMeetingPattern = {
  CLASS_MTG_NBR: number;
  /** The standard meeting pattern the days were chosen by (MWF, TR…). */
  STND_MTG_PAT?: string;
  FACILITY_ID: string;
  MEETING_TIME_START: string | null;
  MEETING_TIME_END: string | null;
  START_DT: string | null;
  END_DT: string | null;
  CLASS_INSTR?: PsInstr[];
  [other: string]: unknown;
} & { [flag in DayFlag]: 'Y' | 'N' };

export interface PsClass {
  INSTITUTION?: string;
  STRM: string;
  SESSION_CODE: string;
  CRSE_ID: string;
  CRSE_OFFER_NBR: number;
  CLASS_SECTION: string;
  CLASS_NBR?: number | null;
  SUBJECT?: string;
  CATALOG_NBR?: string;
  DESCR: string;
  SSR_COMPONENT: string;
  CLASS_STAT: string;
  ENRL_CAP: number;
  ENRL_TOT?: number;
  CAMPUS: string;
  INSTRUCTION_MODE: string;
  UNITS_MINIMUM: number | null;
  UNITS_MAXIMUM?: number | null;
  CLASS_MTG_PAT: PsMeetingPattern[];
  CLASS_INSTR?: PsInstr[];
  [other: string]: unknown;
}

export interface PsCourse {
  CRSE_ID: string;
  DESCR: string;
  DESCRLONG?: string;
  UNITS_MINIMUM: number;
  UNITS_MAXIMUM: number;
  ACAD_ORG: string | null;
  CRSE_OFFER: { CRSE_OFFER_NBR: number; SUBJECT: string; CATALOG_NBR: string; ACAD_ORG?: string | null }[];
}

export interface PsCombined {
  STRM: string;
  SCTN_COMBINED_ID: string;
  DESCR?: string;
  ENRL_CAP: number;
  WAIT_CAP?: number;
  CLASSES: { CLASS_NBR: number }[];
}

export interface PsPage {
  PAGE: number;
  PAGE_SIZE: number;
  TOTAL_ROWS: number;
}
