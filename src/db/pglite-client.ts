// The hub's side of the embedded database, which runs on a thread of its own
// (src/db/pglite-thread.ts): PostgreSQL's WebAssembly and PGlite's protocol and result parsing no
// longer take turns with HTTP, Kysely and the hub's code on one thread, and a long statement (a
// merge's apply) no longer holds the event loop. Each call is one message each way, as plain data.
import { Worker } from 'node:worker_threads';

export interface Rows<R = any> {
  rows: R[];
  affectedRows?: number;
}

export type Request =
  /** Through the thread's prepared statements (src/db/pglite-statements.ts): the hub's own SQL. */
  | { id: number; op: 'statement'; sql: string; params: readonly unknown[]; tx: number | undefined }
  /** Through PGlite's own query(): pg-boss's SQL, whose texts vary (src/jobs/queue.ts). */
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  /** Not answered: the transaction's first statement waits for it on the thread instead (see begin()). */
  | { op: 'begin'; tx: number }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

type Answered = Exclude<Request, { op: 'begin' }>;
/** A request before it is numbered. */
type Question = { [Op in Answered['op']]: Omit<Extract<Answered, { op: Op }>, 'id'> }[Answered['op']];

/** What a database error carries across: its message and PostgreSQL's fields (code, detail, constraint…). */
export type ErrorFields = { message: string } & Record<string, string | undefined>;

export type Reply = { id: number; result?: unknown; error?: ErrorFields };

/** The thread's first message, once PGlite is open. */
export const OPENED = 0;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class PGliteClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = OPENED;
  #transactions = 0;
  /** Why nothing more can be asked: the thread stopped, or the database was closed. */
  #stopped: Error | null = null;

  /** Opens the database in `dataDir` (a PGlite cluster, created if empty), or in memory without one. */
  static async open(dataDir: string | undefined): Promise<PGliteClient> {
    const client = new PGliteClient(dataDir);
    await new Promise((resolve, reject) => client.#pending.set(OPENED, { resolve, reject }));
    return client;
  }

  private constructor(dataDir: string | undefined) {
    const worker = new Worker(new URL('./pglite-thread.ts', import.meta.url), { workerData: { dataDir } });
    worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#settle(reply.id);
      if (reply.error) pending.reject(databaseError(reply.error));
      else pending.resolve(reply.result);
    });
    worker.on('error', (error: Error) => this.#stop(error));
    worker.on('exit', (code) => this.#stop(new Error(`its thread exited with code ${code}`)));
    this.#worker = worker;
  }

  /** One of the hub's statements, in transaction `tx` if given (else it waits for any open one to end). */
  statement<R>(sql: string, params: readonly unknown[], tx: number | undefined): Promise<Rows<R>> {
    return this.#request({ op: 'statement', sql, params, tx }) as Promise<Rows<R>>;
  }

  /**
   * Opens a transaction, holding the database's one session until end(). Not awaited: the
   * thread takes the lock and runs the first statement as soon as it may, instead of the lock
   * waiting idle for an answer to cross to this thread and the first statement to cross back.
   * An error opening it is that first statement's (or commit's) error.
   */
  begin(): number {
    const tx = ++this.#transactions;
    if (!this.#stopped) this.#worker.postMessage({ op: 'begin', tx } satisfies Request);
    return tx;
  }

  end(tx: number, commit: boolean): Promise<void> {
    return this.#request({ op: 'end', tx, commit }) as Promise<void>;
  }

  // query and exec are what pg-boss's fromPglite needs (src/jobs/queue.ts).
  query<R = any>(sql: string, params: unknown[] = []): Promise<Rows<R>> {
    return this.#request({ op: 'query', sql, params }) as Promise<Rows<R>>;
  }

  /** Several statements in one text, without parameters (pg-boss's schema and locked blocks). */
  exec(sql: string): Promise<Rows[]> {
    return this.#request({ op: 'exec', sql }) as Promise<Rows[]>;
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    await this.#request({ op: 'close' });
    this.#fail(new Error('The embedded database is closed.')); // what was asked after closing
    await this.#worker.terminate();
  }

  #request(message: Question): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      // A question under way keeps the process alive, as a socket's would; an idle database does not.
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ ...message, id });
      } catch (error) {
        this.#settle(id); // a parameter that cannot be copied to the thread (a function): not sent
        throw error;
      }
    });
  }

  #settle(id: number) {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  #stop(cause: Error) {
    if (this.#stopped) return;
    const opened = !this.#pending.has(OPENED);
    this.#fail(
      new Error(
        opened
          ? `The embedded database stopped (${cause.message}); what was under way was not answered and may not have been written. Restart the process.`
          : `The embedded database could not be opened: ${cause.message}`,
        { cause },
      ),
    );
  }

  #fail(error: Error) {
    this.#stopped = error;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}

/** An Error with PostgreSQL's fields, as `pg` and PGlite give them: callers test `code === '23505'` and the like. */
function databaseError({ message, ...fields }: ErrorFields): Error {
  return Object.assign(new Error(message), fields);
}
