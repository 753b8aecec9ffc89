// The embedded database runs on a thread of its own (src/db/pglite-client.ts): what the hub sees
// of it must be what it saw when PGlite ran on its own thread, and a thread that dies must say so.
import { sql } from 'kysely';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';

describe.skipIf(!!process.env.DATABASE_URL)('the embedded database on its thread', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await sql`create table t (n int constraint t_n_key unique, note text)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('hands a unique violation over with the fields the hub reads (code 23505 becomes a 409)', async () => {
    await sql`insert into t (n) values (1)`.execute(database.db);
    const error = await sql`insert into t (n) values (1)`.execute(database.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      message: 'duplicate key value violates unique constraint "t_n_key"',
      code: '23505',
      severity: 'ERROR',
      detail: 'Key (n)=(1) already exists.',
      schema: 'public',
      table: 't',
      constraint: 't_n_key',
    });
  });

  it('makes a statement outside a transaction wait for it, and see nothing of it once rolled back', async () => {
    await sql`delete from t`.execute(database.db);
    let outside: Promise<number> | undefined;
    let answered = false;
    const rolledBack = await database.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t (n) values (7)`.execute(trx);
        outside = sql<{ c: number }>`select count(*)::int as c from t`.execute(database.db).then(({ rows }) => {
          answered = true;
          return rows[0].c;
        });
        // The outside count must not run while this transaction is open: had it run, it would be
        // answered by now, or (taken after this one) count the row inserted above, checked below.
        const inside = await sql<{ c: number }>`select count(*)::int as c from t`.execute(trx);
        expect(inside.rows[0].c).toBe(1);
        expect(answered).toBe(false);
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    expect(rolledBack).toBe('roll back');
    expect(await outside).toBe(0);
  });

  it('runs a long statement beside the event loop, and answers it with a clear error if its thread dies', async () => {
    const posted = vi.spyOn(Worker.prototype, 'postMessage');
    const doomed = await openDatabase({ memory: true });
    try {
      await sql`select 1`.execute(doomed.db);
      const thread = posted.mock.contexts[0] as Worker;
      let answered = false;
      const pending = sql`select pg_sleep(30)`.execute(doomed.db).finally(() => (answered = true));
      // Timers and I/O go on meanwhile (this waits on a timer): the statement holds another thread.
      await vi.waitFor(() => expect(posted.mock.calls.some(([m]) => (m as { sql?: string }).sql === 'select pg_sleep(30)')).toBe(true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);
      const stopped = /^The embedded database stopped \(its thread exited with code 1\); what was under way was not answered/;
      const rejected = expect(pending).rejects.toThrow(stopped);
      await thread.terminate();
      await rejected;
      await expect(sql`select 1`.execute(doomed.db)).rejects.toThrow(stopped);
    } finally {
      posted.mockRestore();
      await doomed.close();
    }
  });
});
