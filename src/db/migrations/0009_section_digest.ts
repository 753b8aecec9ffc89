// A digest of each section's SIS base, kept by PostgreSQL itself whenever the base is written (by a
// merge or a post): a re-merge compares it with the digest of what the SIS sends now and reads in
// full only the sections whose SIS side changed (src/sync/merge-item.ts). SHA-256, not md5, which a
// server in FIPS mode refuses. `convert_to` is only stable (conversions can be redefined), which a
// generated column does not accept; the UTF-8 bytes of a text do not change, hence `immutable`.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function jsonb_digest(value jsonb) returns text language sql immutable parallel safe
    as $$ select encode(sha256(convert_to(value::text, 'UTF8')), 'hex') $$`.execute(db);
  await sql`alter table sections add column sis_digest text generated always as (jsonb_digest(sis_base)) stored`.execute(db);
}
