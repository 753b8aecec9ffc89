// The departments a record belongs to, as department-scoped reads decide (src/store/sections.ts,
// src/store/relationships.ts): a course its own, a section its course's, a relationship those of
// its member sections (a scoped reader sees one that includes a section of theirs). Notifications
// tell a department-scoped subscriber only of records one of whose departments is theirs.
import { sql, type Expression, type RawBuilder } from 'kysely';

export type ScopedKind = 'course' | 'section' | 'relationship';

/** The departments of the `kind` record whose id `id` gives, as a JSON array (empty when it has none). */
export function departmentsOf(kind: ScopedKind, id: Expression<string>): RawBuilder<string[]> {
  const rows = {
    course: sql`select c.department_id from courses c where c.id = ${id}`,
    section: sql`select c.department_id from sections s join courses c on c.id = s.course_id where s.id = ${id}`,
    relationship: sql`select c.department_id from relationship_members m join sections s on s.id = m.section_id join courses c on c.id = s.course_id where m.relationship_id = ${id}`,
  }[kind];
  return sql<string[]>`(select coalesce(jsonb_agg(distinct d.department_id), '[]'::jsonb) from (${rows}) d where d.department_id is not null)`;
}

/** Whether a subscriber limited to `departmentIds` (null: not limited) is told of a record of these departments. */
export const reaches = (departmentIds: readonly string[] | null, departments: readonly string[]): boolean =>
  departmentIds === null || departments.some((d) => departmentIds.includes(d));
