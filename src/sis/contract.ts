// The connector contract (DESIGN §3, §4): what the merge and push engines may ask of any SIS.
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
} from './model.ts';

export type MergeType =
  | 'terms'
  | 'courses'
  | 'sections'
  | 'relationships'
  | 'buildings'
  | 'rooms'
  | 'departments'
  | 'instructors';

export type PostableSectionField = Exclude<keyof SisSectionInput, 'termKey' | 'courseKey'>;

export interface SisCapabilities {
  mergeTypesRead: readonly MergeType[];
  mergeTypesWritten: readonly MergeType[];
  postableSectionFields: readonly PostableSectionField[];
  relationshipKindsWritten: readonly ('crosslist' | 'combined')[];
  /** How a section leaves the schedule: status change only, or also a hard delete. */
  sectionRemoval: 'cancel' | 'cancel_or_delete';
  /** Term-specific merge order; PeopleSoft reads sections before courses (sis-apis §3.4). */
  mergeOrder: readonly ('courses' | 'sections' | 'relationships')[];
  pageSize: number;
  /** True when a created section gets its SIS key only later (PeopleSoft CLASS_NBR). */
  sisKeysArriveLater: boolean;
}

/** A write's outcome. `sisKey` is null while the SIS has not assigned one yet. */
export interface SisWriteResult<T> {
  sisKey: string | null;
  record: T;
}

export interface SisReader {
  listTerms(): Promise<SisTerm[]>;
  courses(termKey: string): AsyncIterable<SisCourse[]>;
  sections(termKey: string): AsyncIterable<SisSection[]>;
  relationships(termKey: string): AsyncIterable<SisRelationship[]>;
  buildings(): AsyncIterable<SisBuilding[]>;
  rooms(): AsyncIterable<SisRoom[]>;
  instructors(): AsyncIterable<SisInstructor[]>;
  departments(): AsyncIterable<SisDepartment[]>;
  /** Null when the SIS has no such section. */
  getSection(sisKey: string): Promise<SisSection | null>;
  /** Null when the SIS has no such relationship; `termKey` is the term the hub files it under. */
  getRelationship(sisKey: string, termKey: string): Promise<SisRelationship | null>;
  /**
   * Finds a section by its natural key (term + course + non-empty section number): how a create
   * whose response was lost is found again, and how a late-assigned SIS key is learnt.
   */
  findSection(
    termKey: string,
    courseKey: string,
    sectionNumber: string,
  ): Promise<SisWriteResult<SisSectionState> | null>;
}

export interface SisWriter {
  /** Idempotent: a retry after a lost response returns the record the first call created. */
  createSection(input: SisSectionInput): Promise<SisWriteResult<SisSectionState>>;
  /**
   * `seen`: the state this connector returned (getSection, findSection) that the input was merged
   * against. A connector may plan the write from it — send only what differs, skip re-reading it —
   * and reads the record afresh when it is absent or not its own.
   */
  updateSection(sisKey: string, input: SisSectionInput, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>>;
  /** `seen`: as for updateSection. */
  cancelSection(sisKey: string, seen?: SisSectionState): Promise<SisWriteResult<SisSectionState>>;
  deleteSection(sisKey: string): Promise<void>;
  createRelationship(input: SisRelationshipInput): Promise<SisWriteResult<SisRelationship>>;
  updateRelationship(
    sisKey: string,
    input: SisRelationshipInput,
  ): Promise<SisWriteResult<SisRelationship>>;
  deleteRelationship(sisKey: string): Promise<void>;
}

export interface SisConnector extends SisReader {
  readonly kind: 'ethos' | 'peoplesoft' | 'csv';
  readonly capabilities: SisCapabilities;
  /** Null for read-only connectors. */
  readonly writer: SisWriter | null;
  /** Resolves when the SIS answers an authenticated read; throws a SisError otherwise. */
  testConnection(): Promise<void>;
}
