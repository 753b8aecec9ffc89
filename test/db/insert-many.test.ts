// insertMany loads rows by COPY on PGlite and through JSON on PostgreSQL: whichever runs, a row
// reads back with exactly the values given, whatever characters its text holds.
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { insertMany } from '../../src/db/insert-many.ts';
import type { DB } from '../../src/db/schema.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
let db: Kysely<DB>;
beforeAll(async () => {
  database = await freshDatabase();
  db = database.db;
  await sql`create table loaded (n int primary key, label text, flag boolean, amount numeric, day date, at timestamptz, ref uuid, doc jsonb, note text default 'default')`.execute(db);
});
afterAll(() => database?.close());

const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' }), fc.constantFrom('\\', '\\N', '\\.', 'a\tb\nc\rd', '"quoted"', 'é漢字🙂')).filter((s) => !s.includes('\u0000'));
const doc = fc.oneof(fc.constant(null), text, fc.integer(), fc.jsonValue().filter((v) => !JSON.stringify(v).includes('\\u0000')), fc.dictionary(text, text, { maxKeys: 3 }));
const row = fc.record({
  label: fc.option(text),
  flag: fc.option(fc.boolean()),
  amount: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100)),
  day: fc.option(fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
  at: fc.option(fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true })),
  ref: fc.option(fc.uuid()),
  doc,
});

describe('insertMany', () => {
  it('reads back every value as given', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        await sql`delete from loaded`.execute(db);
        await insertMany(db, 'loaded' as keyof DB, rows.map((r, n) => ({ n, ...r })));
        const { rows: back } = await sql<Record<string, unknown>>`select n, label, flag, amount, day, at, ref, doc from loaded order by n`.execute(db);
        // jsonb keeps -0 as 0 and objects' keys in its own order, which toEqual ignores.
        expect(back).toEqual(rows.map((r, n) => ({ n, ...r, doc: JSON.parse(JSON.stringify(r.doc)) })));
      }),
      { numRuns: 30 },
    );
  });

  it('leaves a column NULL in the rows that lack it, not its default, and inserts across chunks in one go', async () => {
    await sql`delete from loaded`.execute(db);
    const rows = Array.from({ length: 12_000 }, (_, n) => (n % 2 ? { n, note: `row ${n}` } : { n }));
    await insertMany(db, 'loaded' as keyof DB, rows);
    const { rows: counts } = await sql<{ total: number; noted: number }>`select count(*)::int as total, count(note)::int as noted from loaded`.execute(db);
    expect(counts[0]).toEqual({ total: 12_000, noted: 6_000 });
  });

  it('writes nothing of a load that fails, inside its transaction', async () => {
    await sql`delete from loaded`.execute(db);
    const load = db.transaction().execute((trx) => insertMany(trx, 'loaded' as keyof DB, [{ n: 1 }, { n: 1 }]));
    await expect(load).rejects.toThrow(/duplicate key/);
    expect((await sql<{ n: number }>`select count(*)::int as n from loaded`.execute(db)).rows[0].n).toBe(0);
  });
});
