// Many rows in one statement, sent as a single JSON parameter and unpacked by
// `jsonb_populate_recordset`: a multi-row VALUES list has one parameter per cell, and binding and
// parsing tens of thousands of them cost more than the rows' writes on PGlite (a merge's first
// import of a 15k-section term inserts ≈ 75k rows). Same SQL on PostgreSQL.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

const CHUNK = 5000;

/**
 * Inserts `rows` into `table`, each chunk in one statement; returns the `returning` columns of
 * every row. Values go through JSON: a `jsonb` column takes the value itself (an object, an array),
 * not a JSON string; dates, times, uuids and numbers are cast from their JSON form by the table's
 * column types. A column some rows lack is NULL in those rows (not its default).
 */
export async function insertMany<R extends Record<string, unknown> = Record<string, unknown>>(
  db: Kysely<DB>,
  table: keyof DB & string,
  rows: Record<string, unknown>[],
  returning: string[] = [],
): Promise<R[]> {
  if (rows.length === 0) return [];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const list = sql.join(columns.map((c) => sql.id(c)));
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = JSON.stringify(rows.slice(i, i + CHUNK));
    const result = await sql<R>`insert into ${sql.table(table)} (${list})
      select ${list} from jsonb_populate_recordset(null::${sql.table(table)}, ${chunk}::jsonb)
      ${returning.length ? sql`returning ${sql.join(returning.map((c) => sql.id(c)))}` : sql``}`.execute(db);
    out.push(...result.rows);
  }
  return out;
}
