// Reading the audit log: newest first, filtered, cursor-paged by entry id.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { decodeCursor, encodeCursor, type Page } from './paging.ts';

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

export async function listAudit(db: Kysely<DB>, filter: AuditFilter): Promise<Page<AuditRecord>> {
  const limit = filter.limit ?? 50;
  let query = db.selectFrom('audit_log').selectAll();
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
