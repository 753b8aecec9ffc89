// What the hub last sent to the SIS for a record, kept until its next write: when a write's answer
// is lost, the next post can tell the hub's own values in the SIS from changes made there.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table integration_status add column sent jsonb`.execute(db);
}
