// The departments a record belongs to, as department-scoped reads decide (src/store/sections.ts,
// relationships.ts, courses.ts): a course its own, a section its course's, a relationship those of
// its member sections. A role limited to departments reaches a record one of whose departments is
// theirs (a relationship that includes a section of theirs). Lists filter by it in SQL, so that
// pages stay full (the audit log, Integration health); notifications decide per record.
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { idList } from '../db/id-list.ts';
import type { DB } from '../db/schema.ts';

export type ScopedRecordType = 'course' | 'section' | 'relationship';

/** Each record of this type with each of its departments, as the rows (record_id, department_id) of `rd`. */
function recordDepartments(db: Kysely<DB>, type: ScopedRecordType) {
  const sections = db.selectFrom('sections as s').innerJoin('courses as c', 'c.id', 's.course_id');
  switch (type) {
    case 'course':
      return db.selectFrom(db.selectFrom('courses as c').select(['c.id as record_id', 'c.department_id']).as('rd'));
    case 'section':
      return db.selectFrom(sections.select(['s.id as record_id', 'c.department_id']).as('rd'));
    case 'relationship':
      return db.selectFrom(sections.innerJoin('relationship_members as m', 'm.section_id', 's.id').select(['m.relationship_id as record_id', 'c.department_id']).as('rd'));
  }
}

/** The departments of the record of this type whose id `id` gives, as a JSON array (empty when it has none). */
export function departmentsOf(db: Kysely<DB>, type: ScopedRecordType, id: Expression<string>): RawBuilder<string[]> {
  const departments = recordDepartments(db, type).select('rd.department_id').where('rd.record_id', '=', id).where('rd.department_id', 'is not', null);
  return sql<string[]>`(select coalesce(jsonb_agg(distinct d.department_id), '[]'::jsonb) from (${departments}) d)`;
}

/** Whether a reader limited to `departmentIds` (null: not limited) reaches a record of these departments. */
export const reaches = (departmentIds: readonly string[] | null, departments: readonly string[]): boolean =>
  departmentIds === null || departments.some((d) => departmentIds.includes(d));

/**
 * The ids of the records of this type that a reader limited to `departmentIds` reaches. `ids`: the
 * SQL type they are compared with, uuid (a record's own id) or text (the audit log's, which names
 * records of every kind).
 */
export function reachedRecords(db: Kysely<DB>, type: ScopedRecordType, departmentIds: readonly string[], ids: 'uuid' | 'text' = 'uuid') {
  const records = recordDepartments(db, type).where('rd.department_id', 'in', idList(departmentIds));
  return ids === 'text' ? records.select(sql<string>`rd.record_id::text`.as('id')) : records.select('rd.record_id as id');
}

/**
 * Whether the record that `record` names (its type and id, columns of the caller's query) is one
 * of `types` and reached by a reader limited to `departmentIds`.
 */
export function recordReached(
  db: Kysely<DB>,
  departmentIds: readonly string[],
  types: readonly ScopedRecordType[],
  record: { type: Expression<string>; id: Expression<string>; ids: 'uuid' | 'text' },
): RawBuilder<SqlBool> {
  const reached = types.map((type) => sql`(${record.type} = ${type} and ${record.id} in (${reachedRecords(db, type, departmentIds, record.ids)}))`);
  return sql<SqlBool>`(${sql.join(reached, sql` or `)})`;
}
