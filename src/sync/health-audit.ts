// Integration health actions (retry one, retry all, dismiss) in the audit log: the status fields
// an admin's action changed, before and after, written in the transaction that changed them.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import type { StatusRecord } from '../domain/integration-status.ts';
import type { Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import type { PostedType } from './integration-store.ts';

export interface HealthAction {
  actor: Actor;
  action: 'integration_retry' | 'integration_retry_all' | 'integration_dismiss';
  context?: Record<string, unknown>;
}

/** What Integration health shows of a record's status, and so what an admin's action changes. */
const shown = (r: StatusRecord) => ({ status: r.status, attempts: r.attempts, dismissed: r.dismissedAt !== null });

export async function auditHealthAction(trx: Transaction<DB>, type: PostedType, id: string, before: StatusRecord, after: StatusRecord, by: HealthAction): Promise<void> {
  await recordAudit(trx, by.actor, { action: by.action, entityType: type, entityId: id, changes: fieldChanges(shown(before), shown(after)), context: by.context });
}
