// The embedded dialect prepares each statement once (src/db/pglite-statements.ts): what it answers
// must not differ from PGlite's own query(), whatever happened to the statement since.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PreparedStatements } from '../../src/db/pglite-statements.ts';

describe('prepared statements on PGlite', () => {
  let database: Database;
  const prepared = async () =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(database.db)).rows.map((r) => r.statement);
  beforeAll(async () => {
    database = await openDatabase({ pglite: await PGlite.create() });
    await sql`create table things (id int primary key, doc jsonb, at timestamptz, tags text[])`.execute(database.db);
  });
  afterAll(() => database.close());

  it('prepares a statement once and reuses it', async () => {
    for (let i = 0; i < 3; i++) await sql`select id from things where id = ${i}`.execute(database.db);
    const statements = await prepared();
    expect(statements.filter((s) => s === 'select id from things where id = $1')).toHaveLength(1);
  });

  it('round-trips jsonb, timestamps, arrays and null as PGlite does', async () => {
    const at = new Date('2026-11-24T10:00:00Z');
    await sql`insert into things values (${1}, ${JSON.stringify({ a: [1, 'x'] })}, ${at}, ${['b', 'c']})`.execute(database.db);
    await sql`insert into things values (${2}, ${null}, ${null}, ${null})`.execute(database.db);
    const { rows } = await sql<{ id: number; doc: unknown; at: Date | null; tags: string[] | null }>`select * from things order by id`.execute(database.db);
    expect(rows).toEqual([
      { id: 1, doc: { a: [1, 'x'] }, at, tags: ['b', 'c'] },
      { id: 2, doc: null, at: null, tags: null },
    ]);
  });

  it('answers with the new columns after a migration alters a table it prepared a statement for', async () => {
    await sql`select * from things where id = ${1}`.execute(database.db);
    await sql`alter table things add column note text default 'new'`.execute(database.db);
    const { rows } = await sql<{ note: string }>`select * from things where id = ${1}`.execute(database.db);
    expect(rows[0].note).toBe('new');
  });

  it('rolls back a transaction whose prepared statement fails, and goes on', async () => {
    const insert = (trx: typeof database.db, id: number) => sql`insert into things (id) values (${id})`.execute(trx);
    const failed = await database.db
      .transaction()
      .execute(async (trx) => {
        await insert(trx, 10);
        await insert(trx, 1); // exists
      })
      .catch((error: { code?: string }) => error.code);
    expect(failed).toBe('23505');
    await insert(database.db, 11);
    const { rows } = await sql<{ id: number }>`select id from things where id >= ${10} order by id`.execute(database.db);
    expect(rows.map((r) => r.id)).toEqual([11]);
  });

  it('keeps no more than its bound, and still answers a statement it let go', async () => {
    const nth = async (i: number) => (await sql<{ n: number }>`select ${sql.raw(String(i))}::int + ${1}::int as n`.execute(database.db)).rows[0].n;
    for (let i = 0; i < PreparedStatements.LIMIT + 20; i++) expect(await nth(i)).toBe(i + 1);
    expect((await prepared()).length).toBeLessThanOrEqual(PreparedStatements.LIMIT);
    expect(await nth(0)).toBe(1);
  });
});
