// A Kysely dialect for PGlite on its own thread (src/db/pglite-client.ts). Not `kysely-pglite`:
// its driver sends raw BEGIN/COMMIT on PGlite's single session, so unrelated statements issued
// meanwhile join (and roll back with) the open transaction. Here each Kysely transaction is one
// `pglite.transaction()` on the database's thread, which holds PGlite's exclusive lock: everything
// else sharing the instance (pg-boss, other requests) waits its turn.
import type { PGliteClient } from './pglite-client.ts';
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

class PGliteConnection implements DatabaseConnection {
  #client: PGliteClient;
  #tx: number | undefined;

  constructor(client: PGliteClient) {
    this.#client = client;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#client.statement<R>(query.sql, query.parameters, this.#tx);
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

  begin(): void {
    this.#tx = this.#client.begin();
  }

  async end(commit: boolean): Promise<void> {
    const tx = this.#tx;
    this.#tx = undefined;
    if (tx !== undefined) await this.#client.end(tx, commit);
  }
}

class PGliteDriver implements Driver {
  #client: PGliteClient;
  constructor(client: PGliteClient) {
    this.#client = client;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new PGliteConnection(this.#client);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).begin();
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
  #client: PGliteClient;
  constructor(client: PGliteClient) {
    this.#client = client;
  }
  createAdapter() {
    return new PGliteAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#client);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
