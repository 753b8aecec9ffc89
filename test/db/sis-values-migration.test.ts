// Migration 0011 over a database as the previous version left it, with data: migrated to 0010,
// courses written as that version wrote them, then upgraded as `coursebridge migrate` would.
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest, migrations } from '../../src/db/migrate.ts';

let database: Database;
let dropDatabase = async () => {};

/** An empty database of this run's backend: in memory (PGlite), or a new PostgreSQL database. */
async function emptyDatabase(): Promise<Database> {
  if (!inject('postgresTemplate')) return openDatabase({ memory: true });
  const name = `cb_m_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL! });
  await admin.connect();
  await admin.query(`create database ${name}`);
  dropDatabase = async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return openDatabase({ databaseUrl: url.toString() });
}

const db = () => database.db as unknown as Kysely<any>;

beforeAll(async () => {
  database = await emptyDatabase();
  const migrator = new Migrator({ db: db(), provider: { getMigrations: async () => migrations } });
  const before = await migrator.migrateTo('0010_one_time_zone');
  if (before.error) throw before.error;
  // As 0010 left them: a variable-credit course stored as its minimum, and a fixed one.
  await sql`insert into courses (subject, number, title, credits, sis_key, sis_base) values
    ('ABE', '199', 'Undergraduate Open Seminar', 1, 'c-abe-199', '{"subject": "ABE", "number": "199", "credits": 1}'),
    ('ABE', '100', 'Introduction', 3, null, null)`.execute(db());
  await migrateToLatest(db());
}, 120_000);
afterAll(async () => {
  await database?.close();
  await dropDatabase();
});

describe('migration 0011 over a database with data', () => {
  it('keeps every course as it was, fixed credits until a merge brings the range', async () => {
    const courses = await sql<{ number: string; credits: number; credits_max: number | null }>`
      select number, credits, credits_max from courses order by number`.execute(db());
    expect(courses.rows).toEqual([
      { number: '100', credits: 3, credits_max: null },
      { number: '199', credits: 1, credits_max: null },
    ]);
    await sql`update courses set credits_max = 5 where number = '199'`.execute(db());
    await expect(sql`update courses set credits_max = 2 where number = '100'`.execute(db())).rejects.toThrow(/courses_credits_range/);
  });
});
