// Reading the audit log: newest first, filtered, cursor-paged by entry id.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ForbiddenError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import { decodeCursor, encodeCursor, type Page } from './paging.ts';
import { recordReached, type ScopedRecordType } from './record-departments.ts';

/**
 * The record types whose history a department-scoped reader sees: its departments' schedule. The
 * rest (people, roles, tokens, settings, merge runs, terms, phases, reference data, the Course API)
 * is institution-wide administration, refused to it.
 */
const SCOPED_TYPES: readonly ScopedRecordType[] = ['section', 'relationship', 'course'];

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  actorType?: 'user' | 'token' | 'system';
  action?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: { type: 'user' | 'token' | 'system'; id: string | null; name: string };
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  context: Record<string, unknown>;
}

/**
 * The entries of the records a reader limited to `departmentIds` reaches now (src/store/record-departments.ts).
 * A record that has left their departments takes its history with it; a course deleted or a
 * relationship dissolved reaches none. Filtered in SQL, before the page is cut, so that pages stay
 * full and cursors stay in order.
 */
function reachedEntries(db: Kysely<DB>, departmentIds: readonly string[]) {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) => recordReached(db, departmentIds, SCOPED_TYPES, { type: eb.ref('entity_type'), id: eb.ref('entity_id'), ids: 'text' }));
}

export async function listAudit(db: Kysely<DB>, actor: Actor, filter: AuditFilter): Promise<Page<AuditRecord>> {
  const limit = filter.limit ?? 50;
  if (actor.departmentIds && filter.entityType && !(SCOPED_TYPES as readonly string[]).includes(filter.entityType))
    throw new ForbiddenError(`Your role is limited to departments: it reads the history of ${SCOPED_TYPES.join(', ')} records only.`, {
      permission: 'audit.view',
      errors: [{ field: 'querystring.entityType', message: `Must be one of ${SCOPED_TYPES.join(', ')} for a role limited to departments` }],
    });
  let query = actor.departmentIds ? reachedEntries(db, actor.departmentIds) : db.selectFrom('audit_log').selectAll();
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.actorType) query = query.where('actor_type', '=', filter.actorType);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.from) query = query.where('at', '>=', new Date(filter.from));
  if (filter.to) query = query.where('at', '<', new Date(filter.to));
  if (filter.cursor) query = query.where('id', '<', Number(decodeCursor(filter.cursor, 'int')));
  const rows = await query.orderBy('id', 'desc').limit(limit + 1).execute();
  const items = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: r.at.toISOString(),
    actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    changes: r.changes,
    context: r.context,
  }));
  return { items, nextCursor: rows.length > limit ? encodeCursor(String(items[items.length - 1].id)) : null };
}
