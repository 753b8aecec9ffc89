// Sections with their meetings and instructors: read, list (keyset-paged), create, edit with
// optimistic concurrency, cancel and reinstate, delete. Every write is checked by the write guard,
// bumps the version and is audited in the same transaction.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import { changedSectionFields, fieldChanges } from '../domain/changes.ts';
import { ConflictError, DomainError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError, type FieldError } from '../domain/errors.ts';
import { can, reachesDepartment, type Actor } from '../domain/permissions.ts';
import type { MeetingInput, Section, SectionCreate, SectionPatch, InstructorAssignment } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';
import type { SaveHooks } from './save-hooks.ts';
import { checkAnchor, decodeCursor, pageOf, type Page } from './paging.ts';
import { checkSectionWrite } from './write-guard.ts';
import { toClockTime } from '../domain/clock-time.ts';
import { idList } from '../db/id-list.ts';

export const SECTION_SORTS = ['code', '-code', 'updatedAt', '-updatedAt', 'capacity', '-capacity', 'enrolled', '-enrolled'] as const;
export type SectionSort = (typeof SECTION_SORTS)[number];

export interface SectionFilter {
  termId?: string;
  courseId?: string;
  subject?: string;
  departmentId?: string;
  status?: 'active' | 'cancelled';
  q?: string;
  /** Integration status (callers check the permission); with `integrationTermIds`, only in those terms. */
  integrationStatus?: 'not_synced' | 'pending' | 'synced' | 'error';
  integrationTermIds?: readonly string[];
  sort?: SectionSort;
  limit?: number;
  cursor?: string;
}

/** A sort's keys, of the sections (`s`) and courses (`c`) aliases given: the order, and the cursor's row comparison. */
type SortKeys = (s: string, c: string, desc: boolean) => RawBuilder<unknown>[];
const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
const sortKeys: Record<string, SortKeys> = {
  code: (s, c) => [ref(c, 'subject'), ref(c, 'number'), ref(s, 'section_number'), ref(s, 'id')],
  updatedAt: (s) => [ref(s, 'updated_at'), ref(s, 'id')],
  capacity: (s) => [ref(s, 'capacity'), ref(s, 'id')],
  // An unknown count (null) comes last either way: the known ones first, then the count. A row
  // comparison with a null in it is null, so the cursor compares keys that never are.
  enrolled: (s, _c, desc) => [sql`${ref(s, 'enrolled')} is ${desc ? sql`not null` : sql`null`}`, sql`coalesce(${ref(s, 'enrolled')}, 0)`, ref(s, 'id')],
};

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The section's own columns: read with its course and children, and returned by an edit. */
const OWN_COLUMNS = [
  'id',
  'term_id',
  'course_id',
  'section_number',
  'component',
  'status',
  'capacity',
  'enrolled',
  'instruction_mode',
  'campus',
  'part_of_term',
  'title',
  'credits',
  'allow_integration',
  'source_of_truth',
  'sis_number',
  'sis_key',
  'sis_deleted_at',
  'version',
  'created_at',
  'updated_at',
] as const;

// Meetings and instructors ride along as JSON arrays: one statement reads a section whole (a save
// reads it once, twice when it replaces meetings or instructors; a post once), where three did before.
function baseQuery(db: Kysely<DB>) {
  return db
    .selectFrom('sections as s')
    .innerJoin('courses as c', 'c.id', 's.course_id')
    .where('s.deleted_at', 'is', null)
    .select([...OWN_COLUMNS.map((c) => `s.${c}` as const), 'c.subject', 'c.number as course_number', 'c.title as course_title', 'c.department_id'])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('meetings as m')
          .select(['m.days', 'm.start_time', 'm.end_time', 'm.start_date', 'm.end_date', 'm.room_id', 'm.week_interval'])
          .whereRef('m.section_id', '=', 's.id')
          .orderBy('m.position'),
      ).as('meetings'),
      jsonArrayFrom(
        eb.selectFrom('section_instructors as i').select(['i.instructor_id', 'i.role']).whereRef('i.section_id', '=', 's.id').orderBy('i.position'),
      ).as('instructors'),
    ]);
}

type SectionRow = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

type OwnRow = Pick<SectionRow, (typeof OWN_COLUMNS)[number]>;

/** The section's own fields, from its own columns. */
function ownFieldsOf(r: OwnRow) {
  return {
    id: r.id,
    termId: r.term_id,
    courseId: r.course_id,
    sectionNumber: r.section_number,
    component: r.component,
    status: r.status,
    capacity: r.capacity,
    enrolled: r.enrolled,
    instructionMode: r.instruction_mode,
    campus: r.campus,
    partOfTerm: r.part_of_term,
    title: r.title,
    credits: r.credits,
    allowIntegration: r.allow_integration,
    sourceOfTruth: r.source_of_truth,
    sisNumber: r.sis_number,
    sisKey: r.sis_key,
    sisDeletedAt: iso(r.sis_deleted_at),
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function sectionOf(r: SectionRow): Section {
  return {
    ...ownFieldsOf(r),
    subject: r.subject,
    courseNumber: r.course_number,
    courseTitle: r.course_title,
    departmentId: r.department_id,
    meetings: r.meetings.map((m) => ({
      days: m.days,
      startTime: toClockTime(m.start_time),
      endTime: toClockTime(m.end_time),
      startDate: m.start_date,
      endDate: m.end_date,
      roomId: m.room_id,
      weekInterval: m.week_interval,
    })),
    instructors: r.instructors.map((i) => ({ instructorId: i.instructor_id, role: i.role })),
  };
}

export async function getSection(db: Kysely<DB>, actor: Actor | null, id: string): Promise<Section> {
  let query = baseQuery(db).where('s.id', '=', id);
  if (actor?.departmentIds) query = query.where('c.department_id', 'in', idList(actor.departmentIds));
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError('section', id);
  return sectionOf(row);
}

/**
 * A section as an answer shows it, with what decides its integration status: its term's code and
 * the merge settings' version (whether the status shows), and its status row (as JSON; null before
 * its first event). All from the section's own statement: read in a second one, a post committing
 * in between (PostgreSQL) showed the section synced with no SIS key yet, or an old version with a
 * new status.
 */
export interface SectionRead {
  section: Section;
  termCode: string;
  settingsVersion: number;
  statusRow: unknown;
}

function readQuery(db: Kysely<DB>, actor: Actor | null) {
  const query = baseQuery(db)
    .innerJoin('terms as t', 't.id', 's.term_id')
    .select([
      't.code as term_code',
      sql<number>`coalesce((select ms.version from merge_settings ms where ms.id = 1), 0)`.as('settings_version'),
      sql<unknown>`(select row_to_json(st) from integration_status st where st.entity_type = 'section' and st.entity_id = s.id)`.as('status_row'),
    ]);
  return actor?.departmentIds ? query.where('c.department_id', 'in', idList(actor.departmentIds)) : query;
}

type ReadRow = Awaited<ReturnType<ReturnType<typeof readQuery>['executeTakeFirstOrThrow']>>;

const readOf = (r: ReadRow): SectionRead => ({ section: sectionOf(r), termCode: r.term_code, settingsVersion: r.settings_version, statusRow: r.status_row });

/** The sections of these ids the actor may see (null: all), in the order of `ids`; a deleted one is left out. */
export async function readSections(db: Kysely<DB>, actor: Actor | null, ids: readonly string[]): Promise<SectionRead[]> {
  const rows = await readQuery(db, actor).where('s.id', 'in', idList(ids)).execute();
  const byId = new Map(rows.map((r) => [r.id, readOf(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function readSection(db: Kysely<DB>, actor: Actor, id: string): Promise<SectionRead> {
  const [read] = await readSections(db, actor, [id]);
  if (!read) throw new NotFoundError('section', id);
  return read;
}

export async function listSections(db: Kysely<DB>, actor: Actor, filter: SectionFilter): Promise<Page<SectionRead>> {
  const limit = filter.limit ?? 50;
  const sort = filter.sort ?? 'code';
  const desc = sort.startsWith('-');
  const keys = sortKeys[desc ? sort.slice(1) : sort];
  let query = readQuery(db, actor);
  if (filter.termId) query = query.where('s.term_id', '=', filter.termId);
  if (filter.courseId) query = query.where('s.course_id', '=', filter.courseId);
  if (filter.subject) query = query.where('c.subject', '=', filter.subject.toUpperCase());
  if (filter.departmentId) query = query.where('c.department_id', '=', filter.departmentId);
  if (filter.status) query = query.where('s.status', '=', filter.status);
  if (filter.integrationStatus) {
    // No status row: synced when the SIS knows the section, else never synced.
    const status = sql<string>`coalesce((select st.status from integration_status st where st.entity_type = 'section' and st.entity_id = s.id), case when s.sis_key is null then 'not_synced' else 'synced' end)`;
    query = query.where(status, '=', filter.integrationStatus);
    if (filter.integrationTermIds) query = query.where('s.term_id', 'in', idList(filter.integrationTermIds));
  }
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb(sql`c.subject || ' ' || c.number`, 'ilike', like),
        eb('c.title', 'ilike', like),
        eb('s.title', 'ilike', like),
        eb('s.section_number', 'ilike', like),
        // The SIS's numbers are matched whole: "101" finds MATH 101, not every CRN with 101 in it.
        eb('s.sis_number', '=', filter.q!.trim()),
        eb('s.sis_key', '=', filter.q!),
      ]),
    );
  }
  const tuple = sql.join(keys('s', 'c', desc));
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    const anchor = sql`(select ${sql.join(keys('s2', 'c2', desc))} from sections s2 join courses c2 on c2.id = s2.course_id where s2.id = ${after})`;
    query = query.where(desc ? sql<boolean>`(${tuple}) < ${anchor}` : sql<boolean>`(${tuple}) > ${anchor}`);
  }
  for (const key of keys('s', 'c', desc)) query = query.orderBy(key, desc ? 'desc' : 'asc');
  const rows = await query.limit(limit + 1).execute();
  const page = pageOf(rows, limit);
  await checkAnchor(page, filter.cursor, async (id) => !!(await db.selectFrom('sections').select('id').where('id', '=', id).executeTakeFirst()));
  return { items: page.items.map(readOf), nextCursor: page.nextCursor };
}

async function checkReferences(
  db: Kysely<DB>,
  meetings: readonly MeetingInput[] | undefined,
  instructors: readonly InstructorAssignment[] | undefined,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const roomIds = [...new Set((meetings ?? []).map((m) => m.roomId).filter((r): r is string => r !== null))];
  if (roomIds.length) {
    const found = new Set((await db.selectFrom('rooms').select('id').where('id', 'in', roomIds).execute()).map((r) => r.id));
    (meetings ?? []).forEach((m, i) => {
      if (m.roomId && !found.has(m.roomId)) errors.push({ field: `meetings.${i}.roomId`, message: 'No such room' });
    });
  }
  const instructorIds = (instructors ?? []).map((i) => i.instructorId);
  if (new Set(instructorIds).size !== instructorIds.length)
    errors.push({ field: 'instructors', message: 'An instructor is listed twice' });
  if (instructorIds.length) {
    const found = new Set(
      (await db.selectFrom('instructors').select('id').where('id', 'in', instructorIds).execute()).map((r) => r.id),
    );
    (instructors ?? []).forEach((a, i) => {
      if (!found.has(a.instructorId)) errors.push({ field: `instructors.${i}.instructorId`, message: 'No such instructor' });
    });
  }
  return errors;
}

async function writeChildren(
  trx: Transaction<DB>,
  sectionId: string,
  meetings: readonly MeetingInput[] | undefined,
  instructors: readonly InstructorAssignment[] | undefined,
) {
  if (meetings) {
    await trx.deleteFrom('meetings').where('section_id', '=', sectionId).execute();
    if (meetings.length)
      await trx
        .insertInto('meetings')
        .values(
          meetings.map((m, position) => ({
            section_id: sectionId,
            position,
            days: m.days,
            start_time: m.startTime,
            end_time: m.endTime,
            start_date: m.startDate,
            end_date: m.endDate,
            room_id: m.roomId,
            week_interval: m.weekInterval,
          })),
        )
        .execute();
  }
  if (instructors) {
    await trx.deleteFrom('section_instructors').where('section_id', '=', sectionId).execute();
    if (instructors.length)
      await trx
        .insertInto('section_instructors')
        .values(instructors.map((a, position) => ({ section_id: sectionId, instructor_id: a.instructorId, role: a.role, position })))
        .execute();
  }
}

async function assertNumberFree(db: Kysely<DB>, termId: string, courseId: string, number: string, exceptId?: string) {
  let query = db
    .selectFrom('sections')
    .select('id')
    .where('term_id', '=', termId)
    .where('course_id', '=', courseId)
    .where('section_number', '=', number)
    .where('deleted_at', 'is', null);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const existing = await query.executeTakeFirst();
  if (existing)
    throw new ConflictError(`Section number ${number} is already used by this course in this term.`, {
      existingId: existing.id,
      errors: [{ field: 'sectionNumber', message: 'Already used by this course in this term' }],
    });
}

/** `now` picks the phase in force; the HTTP app passes its (injectable) clock. */
export async function createSection(db: Kysely<DB>, actor: Actor, input: SectionCreate, now: Date = new Date(), hooks?: SaveHooks): Promise<Section> {
  return db.transaction().execute(async (trx) => {
    const [term, course] = await Promise.all([
      trx.selectFrom('terms').select('id').where('id', '=', input.termId).executeTakeFirst(),
      trx.selectFrom('courses').select(['id', 'department_id']).where('id', '=', input.courseId).executeTakeFirst(),
    ]);
    const errors: FieldError[] = [];
    if (!term) errors.push({ field: 'termId', message: 'No such term' });
    // Another department's course is not found here, as it is on every read (a 403 would tell it exists).
    if (!course || !reachesDepartment(actor, course.department_id)) errors.push({ field: 'courseId', message: 'No such course' });
    errors.push(...(await checkReferences(trx, input.meetings, input.instructors)));
    if (errors.length) throw new InvalidError('The section refers to records that do not exist.', errors);
    if (input.sourceOfTruth !== null) requireMergeSettingsEdit(actor);
    const guard = await checkSectionWrite(trx, actor, {
      action: 'create',
      termId: input.termId,
      departmentId: course!.department_id,
      fields: [],
      now,
    });
    await assertNumberFree(trx, input.termId, input.courseId, input.sectionNumber);
    const row = await trx
      .insertInto('sections')
      .values({
        term_id: input.termId,
        course_id: input.courseId,
        section_number: input.sectionNumber,
        component: input.component,
        capacity: input.capacity,
        instruction_mode: input.instructionMode,
        campus: input.campus,
        part_of_term: input.partOfTerm,
        title: input.title,
        credits: input.credits,
        allow_integration: input.allowIntegration,
        source_of_truth: input.sourceOfTruth,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeChildren(trx, row.id, input.meetings, input.instructors);
    const created = await getSection(trx, null, row.id);
    await recordAudit(trx, actor, {
      action: 'create',
      entityType: 'section',
      entityId: row.id,
      changes: fieldChanges(null, created),
      context: guard.auditContext,
    });
    await hooks?.sectionSaved(trx, { id: row.id, termId: created.termId, before: null, after: created });
    return created;
  });
}

/** Locks the section row for the transaction, reads it, and checks the caller's version against it. */
async function lockForWrite(trx: Transaction<DB>, actor: Actor, id: string, version: number): Promise<Section> {
  // Lock first, read after: on PostgreSQL a statement that waited for the lock sees the newer row
  // but its meetings and instructors as they were when it began, so one statement could mix them.
  const locked = await trx.selectFrom('sections').select('id').where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
  if (!locked) throw new NotFoundError('section', id);
  const current = await getSection(trx, actor, id);
  if (current.version !== version) throw new StaleVersionError('section', current.version, current);
  return current;
}

export async function updateSection(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  patch: SectionPatch,
  now: Date = new Date(),
  hooks?: SaveHooks,
): Promise<Section> {
  return db.transaction().execute((trx) => updateSectionIn(trx, actor, id, patch, now, hooks));
}

/** A per-record source of truth overrides the merge settings: only those who may edit them set it. */
function requireMergeSettingsEdit(actor: Actor) {
  if (!can(actor, 'mergeSettings.edit'))
    throw new ForbiddenError('Setting a section\'s source of truth needs mergeSettings.edit.', { permission: 'mergeSettings.edit' });
}

/** One section edit inside the caller's transaction: the single and the bulk paths share it. */
export async function updateSectionIn(trx: Transaction<DB>, actor: Actor, id: string, patch: SectionPatch, now: Date, hooks?: SaveHooks): Promise<Section> {
  const current = await lockForWrite(trx, actor, id, patch.version);
  const fields = changedSectionFields(current, patch);
  if (fields.length === 0) return current;
  const guard = await checkSectionWrite(trx, actor, {
    action: 'edit',
    termId: current.termId,
    departmentId: current.departmentId,
    fields,
    now,
  });
  if (fields.includes('sourceOfTruth')) requireMergeSettingsEdit(actor);
  const errors = await checkReferences(trx, patch.meetings, patch.instructors);
  if (errors.length) throw new InvalidError('The section refers to records that do not exist.', errors);
  if (patch.sectionNumber !== undefined && patch.sectionNumber !== current.sectionNumber)
    await assertNumberFree(trx, current.termId, current.courseId, patch.sectionNumber, id);
  const own = await trx
    .updateTable('sections')
    .set({
      ...(patch.sectionNumber !== undefined && { section_number: patch.sectionNumber }),
      ...(patch.component !== undefined && { component: patch.component }),
      ...(patch.capacity !== undefined && { capacity: patch.capacity }),
      ...(patch.instructionMode !== undefined && { instruction_mode: patch.instructionMode }),
      ...(patch.campus !== undefined && { campus: patch.campus }),
      ...(patch.partOfTerm !== undefined && { part_of_term: patch.partOfTerm }),
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.credits !== undefined && { credits: patch.credits }),
      ...(patch.allowIntegration !== undefined && { allow_integration: patch.allowIntegration }),
      ...(patch.sourceOfTruth !== undefined && { source_of_truth: patch.sourceOfTruth }),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .returning(OWN_COLUMNS)
    .executeTakeFirstOrThrow();
  await writeChildren(trx, id, patch.meetings, patch.instructors);
  // The section as the database now holds it: its own columns as the update returned them, and its
  // meetings and instructors read again only where the patch replaced them (the database
  // normalises times).
  const updated = patch.meetings || patch.instructors ? await getSection(trx, null, id) : { ...current, ...ownFieldsOf(own) };
  await recordAudit(trx, actor, {
    action: 'update',
    entityType: 'section',
    entityId: id,
    changes: fieldChanges(current, updated),
    context: guard.auditContext,
  });
  await hooks?.sectionSaved(trx, { id, termId: updated.termId, before: current, after: updated });
  return updated;
}

export const MAX_BULK_EDITS = 1000;

/**
 * Many section edits, all or nothing, in one transaction: the first edit refused (phase,
 * permission, stale version, validation) rolls back every other one, and its problem names the
 * edit's index in `edits` and the section's id.
 */
export async function bulkEditSections(
  db: Kysely<DB>,
  actor: Actor,
  edits: readonly (SectionPatch & { id: string })[],
  now: Date = new Date(),
  hooks?: SaveHooks,
): Promise<Section[]> {
  if (edits.length > MAX_BULK_EDITS)
    throw new InvalidError(`At most ${MAX_BULK_EDITS} edits at once.`, [{ field: 'edits', message: `At most ${MAX_BULK_EDITS}` }]);
  return db.transaction().execute(async (trx) => {
    const results: Section[] = [];
    for (const [index, { id, ...patch }] of edits.entries()) {
      try {
        results.push(await updateSectionIn(trx, actor, id, patch, now, hooks));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const fieldErrors = error.extensions.errors as FieldError[] | undefined;
        throw new DomainError(error.status, error.title, `Edit ${index} (section ${id}): ${error.message} Nothing was saved.`, {
          ...error.extensions,
          index,
          id,
          ...(fieldErrors && { errors: fieldErrors.map((e) => ({ ...e, field: `edits.${index}.${e.field}` })) }),
        });
      }
    }
    return results;
  });
}

/**
 * Cancelling a section and reinstating it (the undo of a cancel) set its status. Both pass the
 * phases' cancel rule (`mayCancel`, permission sections.cancel): a role that may cancel may take it
 * back. Setting the status it already has changes nothing, once the write is allowed.
 */
async function setSectionStatus(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  version: number,
  status: Section['status'],
  now: Date,
  hooks: SaveHooks | undefined,
): Promise<Section> {
  return db.transaction().execute(async (trx) => {
    const current = await lockForWrite(trx, actor, id, version);
    const guard = await checkSectionWrite(trx, actor, { action: 'cancel', termId: current.termId, departmentId: current.departmentId, fields: [], now });
    if (current.status === status) return current;
    await trx
      .updateTable('sections')
      .set({ status, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    const updated = await getSection(trx, null, id);
    const action = status === 'cancelled' ? 'cancel' : 'reinstate';
    await recordAudit(trx, actor, { action, entityType: 'section', entityId: id, changes: fieldChanges(current, updated), context: guard.auditContext });
    await hooks?.sectionSaved(trx, { id, termId: updated.termId, before: current, after: updated });
    return updated;
  });
}

export function cancelSection(db: Kysely<DB>, actor: Actor, id: string, version: number, now: Date = new Date(), hooks?: SaveHooks): Promise<Section> {
  return setSectionStatus(db, actor, id, version, 'cancelled', now, hooks);
}

/** A cancelled section made active again; its post tells the SIS it is active (open) again. */
export function reinstateSection(db: Kysely<DB>, actor: Actor, id: string, version: number, now: Date = new Date(), hooks?: SaveHooks): Promise<Section> {
  return setSectionStatus(db, actor, id, version, 'active', now, hooks);
}

/**
 * Soft delete: the row stays (with `deleted_at`) so the deletion can still reach the SIS, but it
 * leaves every list. A section in a relationship must leave the relationship first.
 */
export async function deleteSection(db: Kysely<DB>, actor: Actor, id: string, version: number, now: Date = new Date(), hooks?: SaveHooks): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await lockForWrite(trx, actor, id, version);
    const guard = await checkSectionWrite(trx, actor, { action: 'delete', termId: current.termId, departmentId: current.departmentId, fields: [], now });
    const membership = await trx
      .selectFrom('relationship_members as m')
      .innerJoin('relationships as r', 'r.id', 'm.relationship_id')
      .select('r.id')
      .where('m.section_id', '=', id)
      .where('r.deleted_at', 'is', null)
      .executeTakeFirst();
    if (membership)
      throw new ConflictError('This section belongs to a relationship; remove it from the relationship first.', {
        relationshipId: membership.id,
      });
    await trx
      .updateTable('sections')
      .set({ deleted_at: sql`now()`, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'section', entityId: id, changes: fieldChanges(current, null), context: guard.auditContext });
    await hooks?.sectionSaved(trx, { id, termId: current.termId, before: current, after: null });
  });
}
