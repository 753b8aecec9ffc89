// The error digest is owed per subscriber and channel: one whose email or webhook failed gets the
// errors it missed with its next digest, while the others move on (the window used to be kept or
// given back for everyone at once). Null: the channel has every digest so far.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table notification_subscriptions add column digest_email_missed_since timestamptz, add column digest_webhook_missed_since timestamptz`.execute(db);
}
