// Audit of what a post took from the SIS: the SIS's own changes it brought into the hub, logged as
// the push engine's, for sections and relationships alike.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { SYSTEM_ACTOR, type Actor } from '../domain/permissions.ts';
import type { Fields } from '../domain/three-way.ts';
import { recordAudit } from '../store/audit.ts';
import type { PostedType } from './integration-store.ts';

const PUSH_ENGINE: Actor = { ...SYSTEM_ACTOR, name: 'push engine' };

/**
 * The SIS's own changes a post brought into the hub, in the audit log as the push engine's.
 * `ours`: the hub's record as posted. A change lands only where the hub still held that value,
 * so it is what each changed field held before.
 */
export async function auditTakenFromSis(trx: Transaction<DB>, type: PostedType, id: string, ours: Fields, changes: Fields): Promise<void> {
  const before = Object.fromEntries(Object.keys(changes).map((field) => [field, ours[field]]));
  await recordAudit(trx, PUSH_ENGINE, { action: 'update', entityType: type, entityId: id, changes: fieldChanges(before, changes), context: { reason: 'taken from the SIS while posting' } });
}
