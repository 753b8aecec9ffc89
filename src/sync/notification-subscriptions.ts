// A user's subscription to integration notifications: read, saved and removed, each change audited
// with the subscription before and after in the transaction that makes it. The webhook key is
// never shown again once saved, in answers or in the audit log.
import type { Kysely } from 'kysely';
import type { DB, NotificationSubscriptionsTable } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import type { Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';

export interface SubscriptionInput {
  mode: 'errors' | 'every_run';
  email: string | null;
  webhookUrl: string | null;
  /** Left out: the saved key stays. */
  webhookSecret?: string | null;
}

const MASK = '********';
type Row = Pick<NotificationSubscriptionsTable, 'mode' | 'email' | 'webhook_url' | 'webhook_secret'>;

const viewOf = (row: Row) => ({ mode: row.mode, email: row.email, webhookUrl: row.webhook_url, webhookSecret: row.webhook_secret ? MASK : null });
export type SubscriptionView = ReturnType<typeof viewOf>;

const select = (db: Kysely<DB>, userId: string) =>
  db.selectFrom('notification_subscriptions').select(['mode', 'email', 'webhook_url', 'webhook_secret']).where('user_id', '=', userId);

export async function readSubscription(db: Kysely<DB>, userId: string): Promise<SubscriptionView | null> {
  const row = await select(db, userId).executeTakeFirst();
  return row ? viewOf(row) : null;
}

/** What the audit log keeps of a change: the views, and a new key shown as a change even though both are masked. */
function changesOf(before: Row | null, after: Row | null) {
  const changes = fieldChanges(before && viewOf(before), after && viewOf(after));
  if (before?.webhook_secret && after?.webhook_secret && before.webhook_secret !== after.webhook_secret)
    changes.webhookSecret = { before: MASK, after: `${MASK} (new key)` };
  return changes;
}

/** A subscription is a user's own: tokens and the system have none. */
function userIdOf(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id) throw new Error(`${actor.name} is not a user: only users subscribe`);
  return actor.id;
}

export async function saveSubscription(db: Kysely<DB>, actor: Actor, input: SubscriptionInput): Promise<void> {
  const userId = userIdOf(actor);
  const values = {
    mode: input.mode,
    email: input.email,
    webhook_url: input.webhookUrl,
    ...(input.webhookSecret !== undefined && { webhook_secret: input.webhookSecret }),
  };
  await db.transaction().execute(async (trx) => {
    const before = (await select(trx, userId).forUpdate().executeTakeFirst()) ?? null;
    const after = await trx
      .insertInto('notification_subscriptions')
      .values({ user_id: userId, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
      .returning(['mode', 'email', 'webhook_url', 'webhook_secret'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'subscribe', entityType: 'notification_subscription', entityId: userId, changes: changesOf(before, after) });
  });
}

/** Removes the subscription; nothing to remove changes nothing and records nothing. */
export async function removeSubscription(db: Kysely<DB>, actor: Actor): Promise<void> {
  const userId = userIdOf(actor);
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('notification_subscriptions')
      .where('user_id', '=', userId)
      .returning(['mode', 'email', 'webhook_url', 'webhook_secret'])
      .executeTakeFirst();
    if (removed)
      await recordAudit(trx, actor, { action: 'unsubscribe', entityType: 'notification_subscription', entityId: userId, changes: changesOf(removed, null) });
  });
}
