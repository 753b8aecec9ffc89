// Opens the schedule store: PostgreSQL when a URL is given, otherwise embedded PGlite, on a thread
// of its own (src/db/pglite-client.ts), in a data directory (or in memory, for tests). Both get
// the same type parsing (src/db/type-parsers.ts), so rows look the same.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { ensureInitialized, lockDataDir } from './data-dir.ts';
import { PGliteClient } from './pglite-client.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';
import { typeParsers } from './type-parsers.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** The embedded database's thread (pg-boss attaches to it). */
  pglite?: PGliteClient;
  /** The connection string in PostgreSQL mode (pg-boss opens its own pool). */
  databaseUrl?: string;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { databaseUrl: string }
  | { dataDir: string }
  | { memory: true }
  /** A PGlite cluster used as it is, without the data directory's lock: initdb-child.ts, whose parent holds it. */
  | { pgDir: string };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in options) return openPostgres(options.databaseUrl);
  if ('memory' in options) return openPglite(undefined, () => {});
  if ('pgDir' in options) return openPglite(options.pgDir, () => {});
  const release = lockDataDir(options.dataDir);
  try {
    const pgDir = join(options.dataDir, 'pg');
    ensureInitialized(pgDir);
    return await openPglite(pgDir, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function openPglite(pgDir: string | undefined, release: () => void): Promise<Database> {
  const pglite = await PGliteClient.open(pgDir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    async close() {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(databaseUrl: string): Promise<Database> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      typeParsers[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({ connectionString: databaseUrl, types, max: 10 });
  // An idle connection the server closes (restart, failover, pg_terminate_backend) is removed from
  // the pool, and the next query opens a new one; without a listener the event would crash the process.
  pool.on('error', () => {});
  // The same loss while a connection is checked out but between statements (inside a transaction)
  // is emitted on the client itself, which the pool does not listen to then: its next statement
  // fails instead, and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(db); // fail now, with the driver's message, if unreachable
  return { db, kind: 'postgres', databaseUrl, close: () => db.destroy() };
}
