// The hub's records in the merge's shape (src/sync/fields.ts): what `ours` and `base` are for the
// three-way merge, and what a post sends.
import type { Kysely, Selectable } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import type { HubRecord } from '../domain/merge-plan.ts';
import type { SourceOfTruth } from '../domain/merge-settings.ts';
import type { Fields } from '../domain/three-way.ts';
import type { SisRelationship } from '../sis/model.ts';
import { meetingsFields, natural, relationshipFields } from './fields.ts';
import { instructorsInOrder } from '../domain/content-order.ts';
import { keyMap, sectionKeyMap, type KeyMap } from './keys.ts';
import { toClockTime } from '../domain/clock-time.ts';
import { idList } from '../db/id-list.ts';

interface Row {
  id: string;
  sis_key: string | null;
  sis_base: Record<string, unknown> | null;
  sis_deleted_at: Date | null;
  version?: number;
}

function hubRecord(row: Row, fields: Fields, nk: (f: Fields) => string | null, label: string, extra: Partial<HubRecord> = {}): HubRecord {
  return {
    id: row.id,
    sisKey: row.sis_key,
    naturalKey: row.sis_key ? null : nk(fields),
    label,
    base: row.sis_base as Fields | null,
    fields,
    sisDeleted: row.sis_deleted_at !== null,
    override: null,
    postingEnabled: false,
    ...(row.version !== undefined && { version: row.version }),
    ...extra,
  };
}

export async function hubTerms(db: Kysely<DB>): Promise<HubRecord[]> {
  const [terms, parts] = await Promise.all([
    db.selectFrom('terms').selectAll().execute(),
    db.selectFrom('term_parts').selectAll().orderBy('code').execute(),
  ]);
  return terms.map((t) =>
    hubRecord(
      t,
      {
        code: t.code,
        name: t.name,
        startsOn: t.starts_on,
        endsOn: t.ends_on,
        parts: parts.filter((p) => p.term_id === t.id).map((p) => ({ code: p.code, name: p.name, startsOn: p.starts_on, endsOn: p.ends_on })),
      },
      natural.term,
      t.code,
    ),
  );
}

export async function hubDepartments(db: Kysely<DB>): Promise<HubRecord[]> {
  return (await db.selectFrom('departments').selectAll().execute()).map((d) => hubRecord(d, { code: d.code, name: d.name }, natural.department, d.code));
}

export async function hubBuildings(db: Kysely<DB>): Promise<HubRecord[]> {
  return (await db.selectFrom('buildings').selectAll().execute()).map((b) =>
    hubRecord(b, { code: b.code, name: b.name, campus: b.campus }, natural.building, b.code),
  );
}

export async function hubRooms(db: Kysely<DB>, buildings: KeyMap): Promise<HubRecord[]> {
  return (await db.selectFrom('rooms').selectAll().execute()).map((r) =>
    hubRecord(
      r,
      { buildingKey: buildings.key(r.building_id), number: r.number, capacity: r.capacity, active: r.active },
      natural.room,
      `room ${r.number}`,
    ),
  );
}

export async function hubInstructors(db: Kysely<DB>, departments: KeyMap): Promise<HubRecord[]> {
  return (await db.selectFrom('instructors').selectAll().execute()).map((i) =>
    hubRecord(i, { name: i.name, email: i.email, departmentKey: departments.key(i.department_id) }, natural.instructor, i.name),
  );
}

export async function hubCourses(db: Kysely<DB>, departments: KeyMap): Promise<HubRecord[]> {
  return (await db.selectFrom('courses').selectAll().execute()).map((c) =>
    hubRecord(
      c,
      {
        subject: c.subject,
        number: c.number,
        title: c.title,
        credits: c.credits,
        creditsMax: c.credits_max,
        departmentKey: departments.key(c.department_id),
        description: c.description,
      },
      natural.course,
      `${c.subject} ${c.number}`,
    ),
  );
}

export interface SectionKeys {
  courses: KeyMap;
  rooms: KeyMap;
  instructors: KeyMap;
}

export async function sectionKeys(db: Kysely<DB>): Promise<SectionKeys> {
  const [courses, rooms, instructors] = await Promise.all([keyMap(db, 'courses'), keyMap(db, 'rooms'), keyMap(db, 'instructors')]);
  return { courses, rooms, instructors };
}

export interface HubSection extends HubRecord {
  allowIntegration: boolean | null;
  version: number;
  termId: string;
}

/** Sections (not deleted in the hub) of a term, or the listed ones. */
type SectionRow = Selectable<DB['sections']> & { subject: string; course_number: string };
interface ChildRows {
  meetings: Selectable<DB['meetings']>[];
  instructors: Selectable<DB['section_instructors']>[];
}

export async function hubSections(db: Kysely<DB>, where: { termId: string } | { ids: string[] }, keys: SectionKeys): Promise<HubSection[]> {
  const base = db
    .selectFrom('sections as s')
    .innerJoin('courses as c', 'c.id', 's.course_id')
    .selectAll('s')
    .select(['c.subject', 'c.number as course_number'])
    .where('s.deleted_at', 'is', null);
  let sections: SectionRow[];
  let meetings: ChildRows['meetings'];
  let instructors: ChildRows['instructors'];
  if ('ids' in where) {
    // A post reads its one section: children ride along as JSON arrays, one statement in all.
    const rows = await base
      .where('s.id', 'in', idList(where.ids))
      .select((eb) => [
        jsonArrayFrom(eb.selectFrom('meetings as m').selectAll('m').whereRef('m.section_id', '=', 's.id').orderBy('m.position')).as('meetings'),
        jsonArrayFrom(eb.selectFrom('section_instructors as i').selectAll('i').whereRef('i.section_id', '=', 's.id').orderBy('i.position')).as('instructors'),
      ])
      .execute();
    sections = rows;
    meetings = rows.flatMap((r) => r.meetings);
    instructors = rows.flatMap((r) => r.instructors);
  } else {
    sections = await base.where('s.term_id', '=', where.termId).execute();
    if (!sections.length) return [];
    // A whole term's children are selected by a subquery, not by a list of its (thousands of) ids:
    // a statement with one parameter per section is slow to send and to parse, above all on PGlite.
    const ids = db.selectFrom('sections').select('id').where('term_id', '=', where.termId).where('deleted_at', 'is', null);
    [meetings, instructors] = await Promise.all([
      db.selectFrom('meetings').selectAll().where('section_id', 'in', ids).orderBy('section_id').orderBy('position').execute(),
      db.selectFrom('section_instructors').selectAll().where('section_id', 'in', ids).orderBy('section_id').orderBy('position').execute(),
    ]);
  }
  const meetingsOf = group(meetings, (m) => m.section_id);
  const instructorsOf = group(instructors, (i) => i.section_id);
  return sections.map((s) => {
    const fields: Fields = {
      courseKey: keys.courses.key(s.course_id),
      sectionNumber: s.section_number,
      component: s.component,
      status: s.status,
      capacity: s.capacity,
      instructionMode: s.instruction_mode,
      campus: s.campus,
      partOfTerm: s.part_of_term,
      title: s.title,
      credits: s.credits,
      meetings: meetingsFields(
        (meetingsOf.get(s.id) ?? []).map((m) => ({
          days: m.days,
          startTime: toClockTime(m.start_time),
          endTime: toClockTime(m.end_time),
          startDate: m.start_date,
          endDate: m.end_date,
          roomKey: keys.rooms.key(m.room_id),
          weekInterval: m.week_interval,
        })),
      ),
      instructors: instructorsInOrder((instructorsOf.get(s.id) ?? []).map((i) => ({ instructorKey: keys.instructors.key(i.instructor_id), role: i.role }))),
      enrolled: s.enrolled,
      sisNumber: s.sis_number,
    };
    return {
      ...hubRecord(s, fields, natural.section, `${s.subject} ${s.course_number} ${s.section_number}`, {
        override: s.source_of_truth as SourceOfTruth | null,
      }),
      allowIntegration: s.allow_integration,
      version: s.version,
      termId: s.term_id,
    };
  });
}

export interface HubRelationship extends HubRecord {
  allowIntegration: boolean | null;
  termId: string;
}

export async function hubRelationships(db: Kysely<DB>, termId: string): Promise<HubRelationship[]> {
  const [relationships, sections] = await Promise.all([
    db.selectFrom('relationships').selectAll().where('term_id', '=', termId).where('deleted_at', 'is', null).execute(),
    sectionKeyMap(db, termId),
  ]);
  if (!relationships.length) return [];
  const members = await db
    .selectFrom('relationship_members')
    .selectAll()
    .where('relationship_id', 'in', relationships.map((r) => r.id))
    .execute();
  const membersOf = group(members, (m) => m.relationship_id);
  return relationships.map((r) => {
    const fields = relationshipFields({
      kind: r.kind as SisRelationship['kind'],
      sharedCapacity: r.shared_capacity,
      members: (membersOf.get(r.id) ?? []).map((m) => ({ sectionKey: sections.key(m.section_id)!, primary: m.is_primary })),
    });
    return {
      ...hubRecord(r, fields, natural.relationship, `${r.kind} relationship`, { override: r.source_of_truth as SourceOfTruth | null }),
      allowIntegration: r.allow_integration,
      termId: r.term_id,
    };
  });
}

function group<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}
