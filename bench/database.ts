// The benchmarks' hub database: embedded PGlite in a temporary directory, or PostgreSQL when
// BENCH_DATABASE_URL names one. That database must be empty and throwaway: the bench migrates it
// and leaves its rows behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL;

/** Opens and migrates the bench's database; `close` also removes the embedded one's directory. */
export async function openBenchDatabase(name: string): Promise<Database> {
  const dir = BENCH_DATABASE_URL ? null : mkdtempSync(join(tmpdir(), `cb-bench-${name}-`));
  const database = await openDatabase(dir ? { dataDir: dir } : { databaseUrl: BENCH_DATABASE_URL! });
  const close = async () => {
    await database.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (database.kind === 'postgres' && (await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(database.db)).rows[0].n > 0)
      throw new Error('BENCH_DATABASE_URL must name an empty, throwaway database (this one has tables)');
    await migrateToLatest(database.db);
  } catch (error) {
    await close();
    throw error;
  }
  return { ...database, close };
}
