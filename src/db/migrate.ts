// One set of migrations for PGlite and PostgreSQL. Migrations are imported statically (not read
// from a folder) so they work the same under type stripping, in tests and in the installed CLI.
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import * as m0001 from './migrations/0001_schedule.ts';
import * as m0002 from './migrations/0002_people_and_audit.ts';
import * as m0003 from './migrations/0003_phases.ts';
import * as m0004 from './migrations/0004_course_api.ts';
import * as m0005 from './migrations/0005_merge.ts';

export const migrations: Record<string, Migration> = {
  '0001_schedule': m0001,
  '0002_people_and_audit': m0002,
  '0003_phases': m0003,
  '0004_course_api': m0004,
  '0005_merge': m0005,
};

function migrator(db: Kysely<any>) {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await migrator(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

export async function migrationState(db: Kysely<any>): Promise<MigrationState> {
  const all = await migrator(db).getMigrations();
  return {
    applied: all.filter((m) => m.executedAt).map((m) => m.name),
    pending: all.filter((m) => !m.executedAt).map((m) => m.name),
  };
}
