// Opens the schedule store: PostgreSQL when a URL is given, otherwise embedded PGlite in a data
// directory (or in memory, for tests). Both get the same type parsing, so rows look the same.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { join } from 'node:path';
import { ensureInitialized, lockDataDir } from './data-dir.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  /** The PGlite instance in embedded mode (pg-boss attaches to it). */
  pglite?: PGlite;
  /** The connection string in PostgreSQL mode (pg-boss opens its own pool). */
  databaseUrl?: string;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { databaseUrl: string }
  | { dataDir: string }
  | { memory: true }
  | { pglite: PGlite };

// OIDs: 1082 date, 1083 time, 1700 numeric, 20 int8. Dates stay calendar strings (no time-zone
// shift), numerics become numbers (credits, capacities), counts become numbers.
const passThrough = (value: string) => value;
const parsers: Record<number, (value: string) => unknown> = {
  1082: passThrough,
  1083: passThrough,
  1700: Number,
  20: Number,
};

// Small shared_buffers keeps the embedded process near 200-300 MB instead of ~1 GB (stack.md §2).
const pgliteConf = ['shared_buffers=16MB'];

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ('databaseUrl' in options) return openPostgres(options.databaseUrl);
  if ('pglite' in options) return wrapPglite(options.pglite, async () => {});
  if ('memory' in options) {
    const pglite = await PGlite.create({ parsers, postgresqlconf: pgliteConf });
    return wrapPglite(pglite, () => pglite.close());
  }
  const release = lockDataDir(options.dataDir);
  try {
    const pgDir = join(options.dataDir, 'pg');
    ensureInitialized(pgDir);
    const pglite = await PGlite.create({ dataDir: pgDir, parsers, postgresqlconf: pgliteConf });
    return wrapPglite(pglite, async () => {
      await pglite.close();
      release();
    });
  } catch (error) {
    release();
    throw error;
  }
}

function wrapPglite(pglite: PGlite, close: () => Promise<void>): Database {
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    pglite,
    async close() {
      await db.destroy();
      await close();
    },
  };
}

async function openPostgres(databaseUrl: string): Promise<Database> {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
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
