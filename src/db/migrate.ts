// One set of migrations for PGlite and PostgreSQL. Migrations are imported statically (not read
// from a folder) so they work the same under type stripping, in tests and in the installed CLI.
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as m0001 from './migrations/0001_schedule.ts';
import * as m0002 from './migrations/0002_people_and_audit.ts';
import * as m0003 from './migrations/0003_phases.ts';
import * as m0004 from './migrations/0004_course_api.ts';
import * as m0005 from './migrations/0005_merge.ts';
import * as m0006 from './migrations/0006_push.ts';
import * as m0007 from './migrations/0007_error_digest.ts';
import * as m0008 from './migrations/0008_push_sent.ts';
import * as m0009 from './migrations/0009_section_digest.ts';
import * as m0010 from './migrations/0010_one_time_zone.ts';
import * as m0011 from './migrations/0011_sis_values.ts';
import * as m0012 from './migrations/0012_digest_missed.ts';
import * as m0013 from './migrations/0013_session_idle.ts';
import * as m0014 from './migrations/0014_meeting_week_interval.ts';
import * as m0015 from './migrations/0015_meeting_order.ts';

export const migrations: Record<string, Migration> = {
  '0001_schedule': m0001,
  '0002_people_and_audit': m0002,
  '0003_phases': m0003,
  '0004_course_api': m0004,
  '0005_merge': m0005,
  '0006_push': m0006,
  '0007_error_digest': m0007,
  '0008_push_sent': m0008,
  '0009_section_digest': m0009,
  '0010_one_time_zone': m0010,
  '0011_sis_values': m0011,
  '0012_digest_missed': m0012,
  '0013_session_idle': m0013,
  '0014_meeting_week_interval': m0014,
  '0015_meeting_order': m0015,
};

function migrator(db: Kysely<any>) {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  // The migrator introspects the catalog, which costs PGlite ~150 MB of memory it keeps: skip it
  // when a plain read of the ledger shows nothing pending (every start but the first after an upgrade).
  if ((await migrationState(db)).pending.length === 0) return { results: [] };
  const result = await migrator(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

export async function migrationState(db: Kysely<any>): Promise<MigrationState> {
  const ledger = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db).catch((error: unknown) => {
    // No ledger yet (SQLSTATE 42P01, undefined table): a new database, nothing applied. Any other
    // failure (the database out of reach) says nothing about what is applied: it is not "all pending".
    if ((error as { code?: string }).code === '42P01') return { rows: [] };
    throw error;
  });
  const applied = new Set(ledger.rows.map((r) => r.name));
  const known = Object.keys(migrations).sort();
  return { applied: known.filter((name) => applied.has(name)), pending: known.filter((name) => !applied.has(name)) };
}
