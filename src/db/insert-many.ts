// Many rows in few statements. A multi-row VALUES list has one parameter per cell, and binding
// and parsing tens of thousands of them cost more than the rows' writes on PGlite (a merge's first
// import of a 15k-section term inserts ≈ 75k rows). So:
// - on PGlite, COPY from a blob of text: parsing the rows as JSON took about half of each insert
//   (15k audit entries: 0.33 s of 0.43–0.65 s), and with COPY's text format a merge's first import
//   applies a 15k-section term in 2.0–2.9 s instead of 2.5–3.5 s;
// - on PostgreSQL, whose `pg` driver sends no COPY data without another package, one JSON
//   parameter per chunk unpacked by `jsonb_populate_recordset`.
// Both give a row the same values.
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { loadsFromBlob } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

const CHUNK = 5000;

/**
 * Inserts `rows` into `table`, each chunk in one statement. A `jsonb` column takes the value itself
 * (an object, an array, a string), not its JSON text; dates, times, uuids and numbers are cast
 * from their plain form by the table's column types. A column some rows lack is NULL in those rows
 * (not its default).
 */
export async function insertMany(db: Kysely<DB>, table: keyof DB & string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const copy = loadsFromBlob(db);
  const json = copy ? await jsonColumns(db, table) : null;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    if (json) {
      const text = chunk.map((row) => columns.map((c) => copyValue(row[c], json.has(c))).join('\t')).join('\n') + '\n';
      await db.executeQuery(CompiledQuery.raw(`copy ${quote(table)} (${columns.map(quote).join(', ')}) from '/dev/blob'`, [text]));
    } else {
      const list = sql.join(columns.map((c) => sql.id(c)));
      await sql`insert into ${sql.table(table)} (${list})
        select ${list} from jsonb_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(chunk)}::jsonb)`.execute(db);
    }
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

// COPY's text format: a backslash, tab, newline or carriage return in a value is written escaped.
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escape = (text: string) => text.replace(ESCAPED, (c) => ESCAPES[c]);

function copyValue(value: unknown, json: boolean): string {
  if (value === null || value === undefined) return '\\N';
  if (json) return escape(JSON.stringify(value));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Date) return value.toISOString();
  return escape(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

// A table's json and jsonb columns, from the catalog, once per table: migrations run before anything loads rows.
const jsonColumnsOf = new Map<string, Promise<Set<string>>>();
function jsonColumns(db: Kysely<DB>, table: string): Promise<Set<string>> {
  let columns = jsonColumnsOf.get(table);
  if (!columns) {
    columns = sql<{ name: string }>`select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} and data_type in ('json', 'jsonb')`
      .execute(db)
      .then((r) => new Set(r.rows.map((row) => row.name)));
    jsonColumnsOf.set(table, columns);
    columns.catch(() => jsonColumnsOf.delete(table));
  }
  return columns;
}
