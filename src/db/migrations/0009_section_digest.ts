// A digest of each section's SIS base, kept by PostgreSQL itself whenever the base is written (by a
// merge or a post): a re-merge compares it with the digest of what the SIS sends now and reads in
// full only the sections whose SIS side changed (src/sync/merge-item.ts).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sections add column sis_digest text generated always as (md5(sis_base::text)) stored`.execute(db);
}
