// Real-time integration errors are mailed as a digest: the end of the last window sent is kept
// here so that each error is announced once, by one process, however many run.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table notification_watermarks (name text primary key, until timestamptz not null)`.execute(db);
}
