// Names schedulers recognise for posted records — "CS 101 A01" for a section, "crosslist
// CS 101 A01 + MATH 101 B" for a relationship — for Integration health and error notifications.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PostedType } from './integration-store.ts';

export async function postedLabels(db: Kysely<DB>, records: { type: PostedType; id: string }[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const ids = (type: PostedType) => records.filter((r) => r.type === type).map((r) => r.id);
  const sectionIds = ids('section');
  if (sectionIds.length)
    for (const s of await db
      .selectFrom('sections as s')
      .innerJoin('courses as c', 'c.id', 's.course_id')
      .select(['s.id', 'c.subject', 'c.number', 's.section_number'])
      .where('s.id', 'in', sectionIds)
      .execute())
      labels.set(s.id, `${s.subject} ${s.number} ${s.section_number}`.trim());
  const relationshipIds = ids('relationship');
  if (relationshipIds.length) {
    const members = await db
      .selectFrom('relationships as r')
      .innerJoin('relationship_members as m', 'm.relationship_id', 'r.id')
      .innerJoin('sections as s', 's.id', 'm.section_id')
      .innerJoin('courses as c', 'c.id', 's.course_id')
      .select(['r.id', 'r.kind', 'm.is_primary', 'c.subject', 'c.number', 's.section_number'])
      .where('r.id', 'in', relationshipIds)
      .execute();
    for (const id of relationshipIds) {
      const own = members.filter((m) => m.id === id).sort((a, b) => Number(b.is_primary) - Number(a.is_primary));
      if (own.length) labels.set(id, `${own[0].kind} ${own.map((m) => `${m.subject} ${m.number} ${m.section_number}`.trim()).join(' + ')}`);
    }
  }
  return labels;
}
