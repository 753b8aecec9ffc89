// What the hub sent to the SIS in a write of a field the SIS owns, kept until a post of the record
// is acknowledged: when the write's answer is lost, the next post (or merge) can tell the hub's own
// values in the SIS from changes made there.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table integration_status add column sent jsonb`.execute(db);
}
