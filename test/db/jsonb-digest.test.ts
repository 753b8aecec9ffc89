// The merge trusts a digest computed in JavaScript to equal the one PostgreSQL keeps of the stored
// base (sections.sis_digest): checked here against the database itself, on either backend.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { jsonbDigest, jsonbText } from '../../src/db/jsonb-digest.ts';
import { freshDatabase } from '../helpers/db.ts';

let database: Database;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(() => database?.close());

// What the SIS's fields hold: text in any script and with control characters (but NUL, which
// jsonb refuses), whole numbers, decimals such as credits, flags, nulls, and nested lists and records.
const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'binary' })).filter((s) => !s.includes('\u0000'));
const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100), text);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('record')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  record: fc.dictionary(fc.oneof(text, fc.constantFrom('a', 'b', 'aa', 'ab', 'é', 'z', 'days', 'roomKey')), tie('value'), { maxKeys: 6 }),
}));

async function databaseDigests(values: unknown[]): Promise<string[]> {
  const { rows } = await sql<{ digest: string }>`
    select jsonb_digest(v::jsonb) as digest from unnest(${values.map((v) => JSON.stringify(v))}::text[]) with ordinality as t(v, n) order by n`.execute(database.db);
  return rows.map((r) => r.digest);
}

describe('jsonbDigest', () => {
  it('equals the digest the database computes of the value stored as jsonb, for any value the SIS can send', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 40 }), async (values) => {
        expect(values.map(jsonbDigest)).toEqual(await databaseDigests(values));
      }),
      { numRuns: 25 },
    );
  });

  it('ignores key order and drops undefined members, as storing does', () => {
    expect(jsonbText({ bb: 1, c: [true, null], a: { y: undefined, x: 'é' } })).toBe('{"a": {"x": "é"}, "c": [true, null], "bb": 1}');
    expect(jsonbDigest({ b: 1, a: 2 })).toBe(jsonbDigest({ a: 2, b: 1 }));
  });

  it('differs from the stored digest for a number jsonb writes out in full, which only costs a full comparison', async () => {
    const [stored] = await databaseDigests([{ credits: 1e-7 }]);
    expect(jsonbDigest({ credits: 1e-7 })).not.toBe(stored);
  });
});
