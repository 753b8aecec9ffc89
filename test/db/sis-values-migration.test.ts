// Migration 0011 over a database as the previous version left it, with data: migrated to 0010,
// courses and sections written as that version wrote them, then upgraded as `coursebridge migrate` would.
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
  // Sections with the enrollment 0010 stored: an Ethos one the SIS gave no count (the default 0),
  // a PeopleSoft one with its count, one made in the hub and never posted.
  await sql`insert into terms (code, name, starts_on, ends_on) values ('2025-su', 'Summer 2025', '2025-05-19', '2025-08-08')`.execute(db());
  await sql`insert into sections (term_id, course_id, section_number, component, capacity, enrolled, sis_key, sis_base)
    select t.id, c.id, n.number, 'LEC', 40, n.enrolled, n.sis_key, n.sis_base::jsonb
    from terms t, courses c, (values
      ('ONL', 0, 'ethos-guid', '{"sectionNumber": "ONL", "capacity": 40}'),
      ('A1', 12, '2255:40507', '{"sectionNumber": "A1", "capacity": 40, "enrolled": 12}'),
      ('N1', 0, null, null)) as n(number, enrolled, sis_key, sis_base)
    where c.number = '199'`.execute(db());
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

  it("takes each section's enrollment from its base: unknown where the SIS never reported one, instead of 0", async () => {
    const enrolled = async () =>
      (await sql<{ section_number: string; enrolled: number | null }>`select section_number, enrolled from sections order by section_number`.execute(db())).rows;
    expect(await enrolled()).toEqual([
      { section_number: 'A1', enrolled: 12 },
      { section_number: 'N1', enrolled: null },
      { section_number: 'ONL', enrolled: null },
    ]);
    // And keeps following it: a merge or a post writes the base, the count comes with it.
    await sql`update sections set sis_base = sis_base || '{"enrolled": 7}' where section_number = 'ONL'`.execute(db());
    expect((await enrolled()).find((r) => r.section_number === 'ONL')?.enrolled).toBe(7);
  });

  it("has no SIS number for a section until a merge or a post writes a base that holds one", async () => {
    const numbers = async () => (await sql<{ sis_number: string | null }>`select sis_number from sections order by section_number`.execute(db())).rows.map((r) => r.sis_number);
    expect(await numbers()).toEqual([null, null, null]);
    await sql`update sections set sis_base = sis_base || '{"sisNumber": "40507"}' where section_number = 'A1'`.execute(db());
    expect(await numbers()).toEqual(['40507', null, null]);
  });
});
