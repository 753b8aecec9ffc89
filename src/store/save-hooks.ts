// What a save tells the rest of the hub, inside its own transaction: the push engine's outbox
// hooks in here (src/sync/outbox.ts), so a save and its outbox entry commit or roll back together.
// Optional everywhere: without hooks (CLI, tests of the store) a save is just a save.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StatusRecord } from '../domain/integration-status.ts';
import type { Relationship, Section } from '../domain/schedule.ts';

export interface SectionChange {
  id: string;
  termId: string;
  /** Null for a create. */
  before: Section | null;
  /** Null for a delete. */
  after: Section | null;
}

export interface RelationshipChange {
  id: string;
  termId: string;
  before: Relationship | null;
  after: Relationship | null;
}

export interface SaveHooks {
  /** The section's integration status when the save queued its post (its term posts in real time). */
  sectionSaved(trx: Transaction<DB>, change: SectionChange): Promise<StatusRecord | void>;
  relationshipSaved(trx: Transaction<DB>, change: RelationshipChange): Promise<void>;
}
