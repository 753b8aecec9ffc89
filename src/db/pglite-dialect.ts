// A Kysely dialect for PGlite. Not `kysely-pglite`: its driver sends raw BEGIN/COMMIT on PGlite's
// single session, so unrelated statements issued meanwhile join (and roll back with) the open
// transaction. Here each Kysely transaction is one `pglite.transaction()`, which holds PGlite's
// exclusive lock: everything else sharing the instance (pg-boss, other requests) waits its turn.
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { PreparedStatements } from './pglite-statements.ts';
import {
  type CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * PGlite runs each statement on this thread and answers in a microtask, so a long run of
 * statements (a merge applying a term in one transaction) would hold back all I/O, such as the next
 * term's SIS pages or an HTTP request, until it ends. After 50 ms of database work, the next
 * statement waits one turn of the event loop. Not after every few milliseconds: short operations
 * (a save, a post) then yielded too, and the push bench's p99 went from 0.77 s to 1.2 s.
 */
class Turns {
  static readonly SLICE_MS = 50;
  #since = performance.now();
  async take(): Promise<void> {
    if (performance.now() - this.#since < Turns.SLICE_MS) return;
    await new Promise(setImmediate);
    this.#since = performance.now();
  }
}

/** PGlite's bulk load: `copy … from '/dev/blob'` reads the blob given with the query, here the statement's one parameter (src/db/insert-many.ts). */
const COPY_FROM_BLOB = /^\s*copy\b[^]*\bfrom\s+'\/dev\/blob'\s*$/i;

class PGliteConnection implements DatabaseConnection {
  #pglite: PGlite;
  #turns: Turns;
  #statements: PreparedStatements;
  #tx: Transaction | undefined;
  #finish: ((commit: boolean) => void) | undefined;
  #done: Promise<unknown> | undefined;

  constructor(pglite: PGlite, turns: Turns, statements: PreparedStatements) {
    this.#pglite = pglite;
    this.#turns = turns;
    this.#statements = statements;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.#turns.take();
    const result = COPY_FROM_BLOB.test(query.sql)
      ? await (this.#tx ?? this.#pglite).query<R>(query.sql, [], { blob: new Blob([query.parameters[0] as string]) })
      : await this.#statements.query<R>(query.sql, query.parameters, this.#tx);
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      ...(affected !== undefined && query.query.kind !== 'SelectQueryNode'
        ? { numAffectedRows: BigInt(affected) }
        : {}),
    };
  }

  // Kysely streams only when asked to, and nothing here asks: large reads are paged instead.
  async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('streaming is not supported on PGlite; page the query instead');
  }

  async begin(): Promise<void> {
    await new Promise<void>((ready, failed) => {
      this.#done = this.#pglite
        .transaction(
          (tx) =>
            new Promise<void>((resolve, reject) => {
              this.#tx = tx;
              this.#finish = (commit) => (commit ? resolve() : reject(new RolledBack()));
              ready();
            }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) {
            failed(error);
            throw error;
          }
        });
    });
  }

  async end(commit: boolean): Promise<void> {
    const finish = this.#finish;
    const done = this.#done;
    this.#tx = undefined;
    this.#finish = undefined;
    this.#done = undefined;
    finish?.(commit);
    await done;
  }
}

class RolledBack extends Error {}

class PGliteDriver implements Driver {
  #pglite: PGlite;
  #turns = new Turns();
  #statements: PreparedStatements;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
    this.#statements = PreparedStatements.of(pglite);
  }
  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.#pglite, this.#turns, this.#statements);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(true);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(false);
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

class PGliteAdapter extends PostgresAdapter {}

/** Whether `db` runs on PGlite, which loads rows from a blob (Kysely's executor is internal API; the version is pinned). */
export const loadsFromBlob = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof PGliteAdapter;

export class PGliteDialect implements Dialect {
  #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }
  createAdapter() {
    return new PGliteAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pglite);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
