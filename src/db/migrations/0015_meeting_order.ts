// A section's meetings and instructors are held in one order by content in the merge's fields
// (src/domain/content-order.ts), the hub's and the SIS's alike. The SIS bases stored before
// (sections.sis_base) and what unacknowledged posts sent (integration_status.sent) hold them in the
// order the SIS or the hub listed them: put here in that order, so they compare, and digest, equal
// to what the SIS sends now and the first merge after the upgrade writes nothing. The order is
// content-order.ts's, in SQL: strings by the "C" collation (by code point), nulls first, days in
// the week's order, a missing interval 1, primary instructors first.
import { sql, type Kysely } from 'kysely';

const C = sql.raw('collate "C" nulls first');
const meetings = (column: string) => sql`(
  select jsonb_agg(m order by m ->> 'startDate' ${C}, translate(m ->> 'days', 'MTWRFSU', '1234567') ${C}, m ->> 'startTime' ${C},
    m ->> 'endTime' ${C}, m ->> 'endDate' ${C}, m ->> 'roomKey' ${C}, coalesce((m ->> 'weekInterval')::integer, 1))
  from jsonb_array_elements(${sql.ref(column)} -> 'meetings') as m)`;
const instructors = (column: string) => sql`(
  select jsonb_agg(i order by i ->> 'role' ${C}, i ->> 'instructorKey' ${C})
  from jsonb_array_elements(${sql.ref(column)} -> 'instructors') as i)`;

/** `column` with its lists in order, where it has lists of more than one to order. */
async function reorder(db: Kysely<any>, table: string, column: string): Promise<void> {
  for (const [list, ordered] of [
    ['meetings', meetings(column)],
    ['instructors', instructors(column)],
  ] as const) {
    const held = sql`${sql.ref(column)} -> ${sql.lit(list)}`;
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = jsonb_set(${sql.ref(column)}, ${sql.lit(`{${list}}`)}, ${ordered})
      where jsonb_typeof(${held}) = 'array' and jsonb_array_length(${held}) > 1 and ${held} <> ${ordered}`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await reorder(db, 'sections', 'sis_base');
  await reorder(db, 'integration_status', 'sent');
}
