// The embedded database's thread (started by src/db/pglite-client.ts): the PGlite instance, its
// prepared statements and its open transactions live here. Requests are handled as they arrive,
// not one after another: PGlite's own locks order them, so a statement outside a transaction
// waits for it while the transaction's own statements go on.
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';
import { OPENED, type ErrorFields, type Reply, type Request, type Rows } from './pglite-client.ts';
import { PreparedStatements } from './pglite-statements.ts';
import { typeParsers } from './type-parsers.ts';

// Small shared_buffers keeps the embedded process near 200-300 MB instead of ~1 GB (stack.md §2).
const postgresqlconf = ['shared_buffers=16MB'];

/** PGlite's bulk load: `copy … from '/dev/blob'` reads the blob given with the query, here the statement's one parameter (src/db/insert-many.ts). */
const COPY_FROM_BLOB = /^\s*copy\b[^]*\bfrom\s+'\/dev\/blob'\s*$/i;

/** What a database error carries besides its message (PGlite's DatabaseError, as pg's). */
const ERROR_FIELDS = ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'];

const { dataDir } = workerData as { dataDir: string | undefined };
const port = parentPort!;
const pglite = await PGlite.create({ ...(dataDir && { dataDir }), parsers: typeParsers, postgresqlconf });
const statements = new PreparedStatements(pglite);

interface Open {
  /** Settles once PGlite gave the transaction (it waits for the lock), or failed to begin it. */
  tx: Promise<Transaction>;
  end(commit: boolean): Promise<void>;
}
const transactions = new Map<number, Open>();
const ROLLED_BACK = new Error('rolled back');

/** One `pglite.transaction()`, held open until end(): it holds PGlite's transaction lock. */
function begin(): Open {
  let finish!: (commit: boolean) => void;
  let done!: Promise<void>;
  const tx = new Promise<Transaction>((opened, failed) => {
    done = pglite.transaction(
      (t) =>
        new Promise<void>((commit, rollBack) => {
          finish = (ok) => (ok ? commit() : rollBack(ROLLED_BACK));
          opened(t);
        }),
    );
    done.catch(failed); // BEGIN failed; once opened, this settles nothing
  });
  tx.catch(() => {}); // reported to whoever uses it: a statement, or end()
  return {
    tx,
    async end(commit) {
      try {
        await tx;
      } catch (error) {
        if (commit) throw error;
        return; // nothing began, nothing to roll back
      }
      finish(commit);
      await done.catch((error: unknown) => {
        if (error !== ROLLED_BACK) throw error;
      });
    },
  };
}

function transaction(id: number): Promise<Transaction> {
  const open = transactions.get(id);
  if (!open) throw new Error(`transaction ${id} is not open`);
  return open.tx;
}

async function answer(request: Exclude<Request, { op: 'begin' }>): Promise<unknown> {
  switch (request.op) {
    case 'statement': {
      const { sql, params } = request;
      const tx = request.tx === undefined ? undefined : await transaction(request.tx);
      const result = COPY_FROM_BLOB.test(sql)
        ? await (tx ?? pglite).query(sql, [], { blob: new Blob([params[0] as string]) })
        : await statements.query(sql, params, tx);
      return { rows: result.rows, affectedRows: result.affectedRows } satisfies Rows;
    }
    case 'query': {
      const result = await pglite.query(request.sql, request.params);
      return { rows: result.rows, affectedRows: result.affectedRows } satisfies Rows;
    }
    case 'exec':
      return (await pglite.exec(request.sql)).map((result) => ({ rows: result.rows, affectedRows: result.affectedRows }) satisfies Rows);
    case 'end': {
      const open = transactions.get(request.tx);
      transactions.delete(request.tx);
      return open?.end(request.commit);
    }
    case 'close':
      return pglite.close();
  }
}

function errorFields(error: unknown): ErrorFields {
  const fields: ErrorFields = { message: error instanceof Error ? error.message : String(error) };
  for (const field of ERROR_FIELDS) {
    const value = (error as Record<string, unknown> | null)?.[field];
    if (typeof value === 'string') fields[field] = value;
  }
  return fields;
}

port.on('message', async (request: Request) => {
  if (request.op === 'begin') return void transactions.set(request.tx, begin());
  try {
    port.postMessage({ id: request.id, result: await answer(request) } satisfies Reply);
  } catch (error) {
    port.postMessage({ id: request.id, error: errorFields(error) } satisfies Reply);
  }
});
port.postMessage({ id: OPENED } satisfies Reply);
