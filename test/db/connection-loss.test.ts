// PostgreSQL ends a connection the hub holds but is not querying on (inside a transaction, say):
// the transaction fails, the process lives on, and the next statement gets a new connection. pg
// emits the loss as an 'error' event on the checked-out client, which without a listener would
// end the whole process.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { freshDatabase } from '../helpers/db.ts';

const onPostgres = Boolean(inject('postgresTemplate'));

describe.skipIf(!onPostgres)('a connection PostgreSQL ends while the hub holds it', () => {
  let database: Database;
  let admin: pg.Client;
  beforeAll(async () => {
    database = await freshDatabase();
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.close();
  });

  it('fails the transaction that held it, not the process', async () => {
    const unhandled: unknown[] = [];
    const onError = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', onError);
    try {
      const outcome = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
        // Idle on a dead connection until the client has heard of it: its socket closes.
        for (let i = 0; i < 200 && (await admin.query('select 1 from pg_stat_activity where pid = $1', [rows[0].pid])).rowCount; i++)
          await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50));
        await sql`select 1`.execute(trx);
      });
      await expect(outcome).rejects.toThrow();
      expect(unhandled).toEqual([]);
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
