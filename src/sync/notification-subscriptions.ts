// A user's subscription to integration notifications: read, saved and removed, each change audited
// with the subscription before and after in the transaction that makes it. The webhook key is
// stored encrypted (src/auth/secret-box.ts) and never shown again once saved, in answers or in the
// audit log. Who is notified now, and which digests each of a subscriber's channels has missed.
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { NEW_SECRET_CHANGE, SECRET_MASK, type SecretBox, type StoredSecrets } from '../auth/secret-box.ts';
import type { DB, NotificationSubscriptionsTable } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import type { Actor, Permission } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';

export interface SubscriptionInput {
  mode: 'errors' | 'every_run';
  email: string | null;
  webhookUrl: string | null;
  /** Left out: the saved key stays. */
  webhookSecret?: string | null;
}

/** Where a user's webhook key is stored, sealed into it: copied to another user's row, it does not open. */
export const webhookSecretContext = (userId: string) => `webhook|${userId}`;

type Row = Pick<NotificationSubscriptionsTable, 'mode' | 'email' | 'webhook_url' | 'webhook_secret'>;

const viewOf = (row: Row) => ({ mode: row.mode, email: row.email, webhookUrl: row.webhook_url, webhookSecret: row.webhook_secret ? SECRET_MASK : null });
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
  if (before?.webhook_secret && after?.webhook_secret && before.webhook_secret !== after.webhook_secret) changes.webhookSecret = NEW_SECRET_CHANGE;
  return changes;
}

/** A subscription is a user's own: tokens and the system have none. */
function userIdOf(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id) throw new Error(`${actor.name} is not a user: only users subscribe`);
  return actor.id;
}

export async function saveSubscription(db: Kysely<DB>, box: SecretBox, actor: Actor, input: SubscriptionInput): Promise<void> {
  const userId = userIdOf(actor);
  await db.transaction().execute(async (trx) => {
    const before = (await select(trx, userId).forUpdate().executeTakeFirst()) ?? null;
    const { webhookSecret: secret } = input;
    const values = {
      mode: input.mode,
      email: input.email,
      webhook_url: input.webhookUrl,
      // The same key typed again keeps its stored form: sealed anew it would differ, and read as a new key.
      ...(secret !== undefined && { webhook_secret: secret && box.reseal(before?.webhook_secret, secret, 'webhookSecret', webhookSecretContext(userId)) }),
    };
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

/** What integration notifications tell: what the subscriber's role lets them see now. */
const NOTIFIED: Permission = 'integrationStatus.view';

export interface Subscriber {
  userId: string;
  mode: 'errors' | 'every_run';
  email: string;
  webhookUrl: string | null;
  /** As stored: open it with the SecretBox to sign. */
  webhookSecret: string | null;
  /** The departments a department-scoped role limits the subscriber to; null when not limited. */
  departmentIds: string[] | null;
  /** Where the digests each channel missed begin; null: it has every one. */
  missedSince: Record<Channel, Date | null>;
}

/** How a subscriber is reached: by email (when SMTP is set up), and by their webhook if they gave one. */
export type Channel = 'email' | 'webhook';
const MISSED = { email: 'digest_email_missed_since', webhook: 'digest_webhook_missed_since' } as const;

/**
 * The subscribers to notify now: enabled users whose role holds integrationStatus.view, read with
 * their role and departments as they are at this moment (a role changed since subscribing counts).
 */
export async function subscribersToNotify(db: Kysely<DB>): Promise<Subscriber[]> {
  const rows = await db
    .selectFrom('notification_subscriptions as n')
    .innerJoin('users as u', 'u.id', 'n.user_id')
    .innerJoin('roles as r', 'r.id', 'u.role_id')
    .select(['n.user_id', 'n.mode', 'n.email', 'n.webhook_url', 'n.webhook_secret', 'n.digest_email_missed_since', 'n.digest_webhook_missed_since', 'u.email as user_email', 'r.department_scoped'])
    .select((eb) => jsonArrayFrom(eb.selectFrom('user_departments as d').select('d.department_id').whereRef('d.user_id', '=', 'u.id')).as('departments'))
    .where('u.disabled', '=', false)
    .where(sql<boolean>`r.permissions @> ${JSON.stringify([NOTIFIED])}::jsonb`)
    .orderBy('n.user_id')
    .execute();
  const at = (value: Date | string | null) => (value === null ? null : new Date(value));
  return rows.map((r) => ({
    userId: r.user_id,
    mode: r.mode,
    email: r.email ?? r.user_email,
    webhookUrl: r.webhook_url,
    webhookSecret: r.webhook_secret,
    departmentIds: r.department_scoped ? r.departments.map((d) => d.department_id) : null,
    missedSince: { email: at(r.digest_email_missed_since), webhook: at(r.digest_webhook_missed_since) },
  }));
}

/** The channel has every digest up to `until`: what it missed before then is no longer owed. */
export async function digestDelivered(db: Kysely<DB>, userId: string, channel: Channel, until: Date): Promise<void> {
  await db.updateTable('notification_subscriptions').set({ [MISSED[channel]]: null }).where('user_id', '=', userId).where(MISSED[channel], '<', until).execute();
}

/** The channel could not take the digest of errors after `from`: they are owed to it from then on. */
export async function digestMissed(db: Kysely<DB>, userId: string, channel: Channel, from: Date): Promise<void> {
  // least() passes over null: a channel that missed nothing before now starts owing at `from`.
  await db
    .updateTable('notification_subscriptions')
    .set({ [MISSED[channel]]: sql<Date>`least(${sql.ref(MISSED[channel])}, ${from})` })
    .where('user_id', '=', userId)
    .execute();
}

/** Encrypts the webhook keys stored in plain text before keys were encrypted, or sealed for no user (enc:v1:), as SisConnections.sealStored does. */
export async function sealWebhookSecrets(db: Kysely<DB>, box: SecretBox): Promise<StoredSecrets> {
  const found: StoredSecrets = { encrypted: 0, plain: 0, unreadable: 0 };
  const rows = await db.selectFrom('notification_subscriptions').select(['user_id', 'webhook_secret']).where('webhook_secret', 'is not', null).execute();
  for (const { user_id, webhook_secret: stored } of rows) {
    const upgraded = box.upgrade(stored!, 'webhookSecret', found, webhookSecretContext(user_id));
    if (upgraded === stored) continue;
    const updated = await db
      .updateTable('notification_subscriptions')
      .set({ webhook_secret: upgraded })
      .where('user_id', '=', user_id)
      .where('webhook_secret', '=', stored)
      .executeTakeFirst();
    if (!updated.numUpdatedRows) found.encrypted--; // another process was first
  }
  return found;
}
