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
import { SisError } from './errors.ts';

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
  /** True when the SIS holds meetings every n weeks (Ethos repeat rules); false: weekly only, and a post of another is refused. */
  meetingWeekIntervals: boolean;
}

/**
 * A record a reader could not turn into the hub's model: a reference to a code the SIS does not
 * list, a part missing from its answer. Yielded in the record's place, so the rest of the page
 * still imports and the merge reports this one with what the SIS sent.
 */
export class UnreadableRecord {
  readonly key: string | null;
  readonly message: string;
  readonly raw: unknown;
  constructor(key: string | null, message: string, raw: unknown) {
    this.key = key;
    this.message = message;
    this.raw = raw;
  }
}

/** What a reader yields per record. */
export type Read<T> = T | UnreadableRecord;

/**
 * A mapping that failed on the SIS's data (a TypeError on a missing part, a validation SisError
 * such as an unknown code) makes an UnreadableRecord. Failures of the SIS itself (network, 5xx…)
 * are thrown on, to fail the read and be retried.
 */
function unreadable(error: unknown, key: unknown, raw: unknown): UnreadableRecord {
  if (!(error instanceof TypeError) && !(error instanceof SisError && error.code === 'validation')) throw error;
  return new UnreadableRecord(typeof key === 'string' ? key : null, error.message, raw);
}

/** Maps a page of the SIS's records one by one; one that cannot be read is yielded as such. */
export function readEach<W, T>(page: readonly W[], keyOf: (w: W) => unknown, map: (w: W) => T): Read<T>[] {
  return page.map((w) => {
    try {
      return map(w);
    } catch (error) {
      return unreadable(error, keyOf(w), w);
    }
  });
}

/** `readEach` for one record whose reading is asynchronous (it needs more of the SIS's resources). */
export async function readOne<T>(key: unknown, raw: unknown, read: () => Promise<T>): Promise<Read<T>> {
  try {
    return await read();
  } catch (error) {
    return unreadable(error, key, raw);
  }
}

/** A write's outcome. `sisKey` is null while the SIS has not assigned one yet. */
export interface SisWriteResult<T> {
  sisKey: string | null;
  record: T;
}

export interface SisReader {
  listTerms(): Promise<SisTerm[]>;
  courses(termKey: string): AsyncIterable<Read<SisCourse>[]>;
  sections(termKey: string): AsyncIterable<Read<SisSection>[]>;
  relationships(termKey: string): AsyncIterable<Read<SisRelationship>[]>;
  buildings(): AsyncIterable<Read<SisBuilding>[]>;
  rooms(): AsyncIterable<Read<SisRoom>[]>;
  instructors(): AsyncIterable<Read<SisInstructor>[]>;
  departments(): AsyncIterable<Read<SisDepartment>[]>;
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
