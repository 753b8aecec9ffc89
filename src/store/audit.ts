// Every write records who (user, token or system run), when, what entity, and each field's before
// and after. Written in the same transaction as the change it describes.
import type { Kysely } from 'kysely';
import type { Actor } from '../domain/permissions.ts';
import type { FieldChanges } from '../domain/changes.ts';
import type { DB } from '../db/schema.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  changes: FieldChanges;
  context?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<DB>, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_type: actor.type,
      actor_id: actor.id,
      actor_name: actor.name,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      changes: JSON.stringify(entry.changes),
      context: JSON.stringify(entry.context ?? {}),
    })
    .execute();
}
