// Sessions end after a time without use as well as at their absolute expiry: each keeps when it
// was last used (written at most once a minute, src/auth/sessions.ts). A session open at the
// upgrade starts its idle clock then.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sessions add column last_used_at timestamptz not null default now()`.execute(db);
}
