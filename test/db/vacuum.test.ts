// The embedded database's vacuum sweep: PGlite never autovacuums, so without it a table that is
// updated over and over only grows; with it, the space of old row versions is used again.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { vacuumDue } from '../../src/db/vacuum.ts';
import { startRuntime } from '../../src/runtime.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database.close());

const size = async () => Number((await sql<{ n: string }>`select pg_table_size('churn') as n`.execute(database.db)).rows[0].n);
const churn = async (times: number) => {
  for (let i = 0; i < times; i++) await sql`update churn set b = b + 1`.execute(database.db);
};

// PostgreSQL vacuums on its own (and reports its statistics late); the sweep is for PGlite.
describe.skipIf(!!process.env.DATABASE_URL)('vacuum sweep (PGlite)', () => {
  it('vacuums a table full of dead rows, after which updates reuse its space instead of growing it', async () => {
    const { db } = database;
    await sql`create table churn (a int primary key, b int not null, c text not null)`.execute(db);
    await sql`create index churn_b on churn (b)`.execute(db);
    await sql`insert into churn select g, g, md5(g::text) from generate_series(1, 5000) g`.execute(db);
    await vacuumDue(db);

    await churn(5);
    const grown = await size();
    const swept = await vacuumDue(db);
    expect(swept).toContainEqual(expect.objectContaining({ table: 'public.churn', action: 'vacuum', deadRows: 25_000 }));
    const { rows } = await sql<{ dead: number }>`select n_dead_tup::int as dead from pg_stat_user_tables where relname = 'churn'`.execute(db);
    expect(rows[0].dead).toBe(0);

    await churn(5);
    expect(await size()).toBeLessThanOrEqual(grown);
  });

  it('is swept by the running hub', async () => {
    const vacuums = async () => {
      await sql`select pg_stat_force_next_flush()`.execute(database.db);
      return (await sql<{ n: number; dead: number }>`select vacuum_count::int as n, n_dead_tup::int as dead from pg_stat_user_tables where relname = 'churn'`.execute(database.db)).rows[0];
    };
    await churn(2);
    const before = await vacuums();
    expect(before.dead).toBeGreaterThan(0);
    const runtime = await startRuntime({ database, sis: null, vacuumCheckMs: 20, nightlyCheckMs: 0, pushSweepMs: 0, errorDigestMs: 0 });
    try {
      for (let i = 0; (await vacuums()).n === before.n; i++) {
        if (i > 500) throw new Error('the hub never vacuumed the table');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await vacuums()).dead).toBe(0);
    } finally {
      await runtime.stop();
    }
  });

  it('leaves alone what is not due', async () => {
    await vacuumDue(database.db);
    await sql`update churn set b = b + 1 where a <= 10`.execute(database.db);
    expect(await vacuumDue(database.db)).toEqual([]);
  });
});
