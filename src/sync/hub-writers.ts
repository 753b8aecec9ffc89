// How the merge's fields become hub rows, per merge type: the columns of the record and the child
// rows (term parts, meetings, section instructors, relationship members) rewritten when their
// field changes. SIS keys are translated to hub ids here; a key the hub does not know makes that
// record fail with a message naming the merge to run first.
import type { Transaction } from 'kysely';
import { insertMany } from '../db/insert-many.ts';
import type { DB } from '../db/schema.ts';
import type { Fields } from '../domain/three-way.ts';
import type { MergeType } from '../domain/merge-settings.ts';
import { sisMeeting, type MeetingFields } from './fields.ts';
import { requireId, type KeyMap } from './keys.ts';

export interface WriteKeys {
  buildings?: KeyMap;
  departments?: KeyMap;
  courses?: KeyMap;
  rooms?: KeyMap;
  instructors?: KeyMap;
  sections?: KeyMap;
  termId?: string;
}

export interface ChildSpec {
  field: string;
  table: 'term_parts' | 'meetings' | 'section_instructors' | 'relationship_members';
  fk: 'term_id' | 'section_id' | 'relationship_id';
  rows(fields: Fields, keys: WriteKeys): Record<string, unknown>[];
}

export interface TypeWriter {
  table: 'terms' | 'departments' | 'buildings' | 'rooms' | 'instructors' | 'courses' | 'sections' | 'relationships';
  entityType: string;
  versioned: boolean;
  /** Columns for the fields present (absent fields are left alone on update). */
  columns(fields: Fields, keys: WriteKeys): Record<string, unknown>;
  /** Columns only a new row needs (its term). */
  insertColumns?(keys: WriteKeys): Record<string, unknown>;
  children: ChildSpec[];
}

const has = (fields: Fields, name: string) => Object.hasOwn(fields, name);
function pick(fields: Fields, map: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(map)) if (has(fields, field)) out[column] = fields[field];
  return out;
}
const key = (value: unknown) => (value === null || value === undefined ? null : String(value));

export const writers: Record<MergeType, TypeWriter> = {
  terms: {
    table: 'terms',
    entityType: 'term',
    versioned: true,
    columns: (f) => pick(f, { code: 'code', name: 'name', startsOn: 'starts_on', endsOn: 'ends_on' }),
    children: [
      {
        field: 'parts',
        table: 'term_parts',
        fk: 'term_id',
        rows: (f) =>
          (f.parts as { code: string; name: string; startsOn: string; endsOn: string }[]).map((p) => ({
            code: p.code,
            name: p.name,
            starts_on: p.startsOn,
            ends_on: p.endsOn,
          })),
      },
    ],
  },
  departments: { table: 'departments', entityType: 'department', versioned: false, columns: (f) => pick(f, { code: 'code', name: 'name' }), children: [] },
  buildings: {
    table: 'buildings',
    entityType: 'building',
    versioned: false,
    columns: (f) => pick(f, { code: 'code', name: 'name', campus: 'campus' }),
    children: [],
  },
  rooms: {
    table: 'rooms',
    entityType: 'room',
    versioned: false,
    columns: (f, k) => ({
      ...pick(f, { number: 'number', capacity: 'capacity', active: 'active' }),
      ...(has(f, 'buildingKey') && { building_id: requireId(k.buildings!, 'buildingKey', key(f.buildingKey), 'merge buildings first') }),
    }),
    children: [],
  },
  instructors: {
    table: 'instructors',
    entityType: 'instructor',
    versioned: false,
    columns: (f, k) => ({
      ...pick(f, { name: 'name', email: 'email' }),
      ...(has(f, 'departmentKey') && { department_id: requireId(k.departments!, 'departmentKey', key(f.departmentKey), 'merge departments first') }),
    }),
    children: [],
  },
  courses: {
    table: 'courses',
    entityType: 'course',
    versioned: true,
    columns: (f, k) => ({
      ...pick(f, { subject: 'subject', number: 'number', title: 'title', credits: 'credits', creditsMax: 'credits_max', description: 'description' }),
      ...(has(f, 'departmentKey') && { department_id: requireId(k.departments!, 'departmentKey', key(f.departmentKey), 'merge departments first') }),
    }),
    children: [],
  },
  sections: {
    table: 'sections',
    entityType: 'section',
    versioned: true,
    // `enrolled` and `sisNumber` have no column to write: the database takes them from the stored
    // base (migration 0011).
    columns: (f, k) => ({
      ...pick(f, {
        sectionNumber: 'section_number',
        component: 'component',
        status: 'status',
        capacity: 'capacity',
        instructionMode: 'instruction_mode',
        campus: 'campus',
        partOfTerm: 'part_of_term',
        title: 'title',
        credits: 'credits',
      }),
      ...(has(f, 'courseKey') && { course_id: requireId(k.courses!, 'courseKey', key(f.courseKey), 'merge courses first') }),
    }),
    insertColumns: (k) => ({ term_id: k.termId }),
    children: [
      {
        field: 'meetings',
        table: 'meetings',
        fk: 'section_id',
        rows: (f, k) =>
          (f.meetings as MeetingFields[]).map(sisMeeting).map(
            (m, position) => ({
              position,
              days: m.days,
              start_time: m.startTime,
              end_time: m.endTime,
              start_date: m.startDate,
              end_date: m.endDate,
              room_id: requireId(k.rooms!, `meetings.${position}.roomKey`, m.roomKey, 'merge rooms first'),
              week_interval: m.weekInterval,
            }),
          ),
      },
      {
        field: 'instructors',
        table: 'section_instructors',
        fk: 'section_id',
        rows: (f, k) =>
          (f.instructors as { instructorKey: string; role: string }[]).map((i, position) => ({
            position,
            role: i.role,
            instructor_id: requireId(k.instructors!, `instructors.${position}.instructorKey`, i.instructorKey, 'merge instructors first'),
          })),
      },
    ],
  },
  relationships: {
    table: 'relationships',
    entityType: 'relationship',
    versioned: true,
    columns: (f) => pick(f, { kind: 'kind', sharedCapacity: 'shared_capacity' }),
    insertColumns: (k) => ({ term_id: k.termId }),
    children: [
      {
        field: 'members',
        table: 'relationship_members',
        fk: 'relationship_id',
        rows: (f, k) =>
          (f.members as { sectionKey: string; primary: boolean }[]).map((m, i) => ({
            section_id: requireId(k.sections!, `members.${i}.sectionKey`, m.sectionKey, 'merge sections first'),
            is_primary: m.primary,
          })),
      },
    ],
  },
};

/** A record's columns and the child rows of the changed child fields, translated to hub ids. */
export interface PreparedWrite {
  columns: Record<string, unknown>;
  children: { spec: ChildSpec; rows: Record<string, unknown>[] }[];
}

/**
 * Translates `fields` before anything is written, so a record that cannot be applied (a key the
 * hub does not know: UnknownReferenceError) is skipped whole.
 */
export function prepareWrite(type: MergeType, fields: Fields, keys: WriteKeys, childChanged: (field: string) => boolean): PreparedWrite {
  const writer = writers[type];
  return {
    columns: writer.columns(fields, keys),
    children: writer.children.filter((c) => childChanged(c.field)).map((c) => ({ spec: c, rows: c.rows(fields, keys) })),
  };
}

/** Inserts the child rows of many records, batched per table. */
export async function insertChildren(trx: Transaction<DB>, records: { id: string; children: PreparedWrite['children'] }[]): Promise<void> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const record of records)
    for (const { spec, rows } of record.children) {
      const list = byTable.get(spec.table) ?? [];
      for (const row of rows) list.push({ ...row, [spec.fk]: record.id });
      byTable.set(spec.table, list);
    }
  for (const [table, rows] of byTable) await insertMany(trx, table as keyof DB, rows);
}

/** Replaces one record's child rows of the prepared child fields. */
export async function replaceChildren(trx: Transaction<DB>, id: string, children: PreparedWrite['children']): Promise<void> {
  for (const { spec } of children) await trx.deleteFrom(spec.table).where(spec.fk as never, '=', id as never).execute();
  await insertChildren(trx, [{ id, children }]);
}
