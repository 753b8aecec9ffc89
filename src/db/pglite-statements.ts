// Named prepared statements on PGlite. Its query() parses, describes and plans every statement anew,
// in six calls into WebAssembly. The hub runs the same few hundred statements over and over, so
// each is prepared once per instance and then sent as one Bind/Execute/Sync message
// (the push bench on PGlite: 69 → 114–120 posts/s end to end). Only plain DML is prepared; anything
// else (DDL in migrations and tests) takes PGlite's own path, and DDL forgets every prepared
// statement, since a prepared `select *` fails once its table's columns change. PostgreSQL's plan
// cache then chooses between custom and generic plans as it does for any prepared statement;
// forcing custom plans (`plan_cache_mode`) gave 80–83 posts/s, so planning is much of what it saves.
import { parse, protocol, type PGlite, type Results, type Transaction } from '@electric-sql/pglite';

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];
const { serialize } = protocol;
const PREPARABLE = /^\s*\(?\s*(select|insert|update|delete|with)\b/i;
const DDL = /^\s*(create|alter|drop)\b/i;

interface Prepared {
  name: string;
  paramTypes: number[];
  /** Its rows' columns, described once when prepared (null when it returns no rows). */
  rowDescription: BackendMessage | null;
}

const perInstance = new WeakMap<PGlite, PreparedStatements>();

export class PreparedStatements {
  /** Bounded: statements whose text varies (an `in` list's length) would otherwise pile up. */
  static readonly LIMIT = 256;
  #pglite: PGlite;
  #prepared = new Map<string, Prepared>(); // in order of last use, oldest first
  #named = 0;

  /** One per instance: prepared statements belong to its session, whichever Kysely uses it. */
  static of(pglite: PGlite): PreparedStatements {
    let statements = perInstance.get(pglite);
    if (!statements) perInstance.set(pglite, (statements = new PreparedStatements(pglite)));
    return statements;
  }

  private constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  /** `tx`: the transaction the caller holds; without one this waits its turn, as PGlite's query() does. */
  async query<R>(text: string, params: readonly unknown[], tx: Transaction | undefined): Promise<Results<R>> {
    const inTransaction = tx !== undefined;
    if (!PREPARABLE.test(text)) {
      const result = await (tx ?? this.#pglite).query<R>(text, params as unknown[]);
      if (DDL.test(text)) await this.#forgetAll(inTransaction);
      return result;
    }
    return this.#exclusive(() => this.#execute<R>(text, params, !inTransaction), inTransaction);
  }

  /** Runs `fn` under PGlite's query lock, and under its transaction lock unless the caller's transaction holds that. */
  async #exclusive<T>(fn: () => Promise<T>, inTransaction: boolean): Promise<T> {
    const run = () => this.#pglite._runExclusiveQuery(fn);
    if (inTransaction) return run();
    await this.#pglite._checkReady();
    return this.#pglite._runExclusiveTransaction(run);
  }

  async #execute<R>(text: string, params: readonly unknown[], syncToFs: boolean): Promise<Results<R>> {
    const statement = await this.#prepare(text);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.#pglite.serializers[statement.paramTypes[i]];
      return serializer ? serializer(value) : String(value);
    });
    // No Describe: the columns are those described when it was prepared. Decoding them again for
    // every execution took ≈ 5 % of the hub's thread in the push bench.
    const message = Buffer.concat([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]);
    const { messages } = await this.#pglite.execProtocol(message, { syncToFs });
    return parse.parseResults(statement.rowDescription ? [statement.rowDescription, ...messages] : messages, this.#pglite.parsers)[0] as Results<R>;
  }

  async #prepare(text: string): Promise<Prepared> {
    const known = this.#prepared.get(text);
    if (known) {
      this.#prepared.delete(text);
      this.#prepared.set(text, known);
      return known;
    }
    const parts: Uint8Array[] = [];
    if (this.#prepared.size >= PreparedStatements.LIMIT) {
      const [oldest, { name }] = this.#prepared.entries().next().value!;
      this.#prepared.delete(oldest);
      parts.push(serialize.close({ type: 'S', name }));
    }
    const name = `coursebridge_${++this.#named}`;
    parts.push(serialize.parse({ name, text, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync());
    const { messages } = await this.#pglite.execProtocol(Buffer.concat(parts), { syncToFs: false });
    const rowDescription = messages.find((m) => m.name === 'rowDescription') ?? null;
    const prepared = { name, paramTypes: parse.parseDescribeStatementResults(messages), rowDescription };
    this.#prepared.set(text, prepared);
    return prepared;
  }

  async #forgetAll(inTransaction: boolean): Promise<void> {
    if (this.#prepared.size === 0) return;
    const closes = [...this.#prepared.values()].map(({ name }) => serialize.close({ type: 'S', name }));
    this.#prepared.clear();
    await this.#exclusive(() => this.#pglite.execProtocol(Buffer.concat([...closes, serialize.sync()]), { syncToFs: false }), inTransaction);
  }
}
