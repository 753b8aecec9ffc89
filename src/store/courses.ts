// The course catalog: subject + number, title, credits (a range for variable credits), department.
// A department-scoped actor reaches only the courses of its departments, as it does their sections
// (src/store/sections.ts): another department's course is not found, to read or to change.
import { sql, type Kysely } from 'kysely';
import { idList } from '../db/id-list.ts';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError } from '../domain/errors.ts';
import { can, reachesDepartment, type Actor } from '../domain/permissions.ts';
import { creditRangeError, type Course, type CourseCreate, type CoursePatch } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';
import { checkAnchor, decodeCursor, pageOf, type Page } from './paging.ts';

/** The courses `actor` reaches. */
function coursesQuery(db: Kysely<DB>, actor: Actor) {
  const query = db.selectFrom('courses as c').selectAll('c');
  return actor.departmentIds ? query.where('c.department_id', 'in', idList(actor.departmentIds)) : query;
}

type CourseRow = Awaited<ReturnType<ReturnType<typeof coursesQuery>['executeTakeFirst']>>;

function toCourse(row: NonNullable<CourseRow>): Course {
  return {
    id: row.id,
    subject: row.subject,
    number: row.number,
    code: `${row.subject} ${row.number}`,
    title: row.title,
    credits: row.credits,
    creditsMax: row.credits_max,
    departmentId: row.department_id,
    description: row.description,
    sisKey: row.sis_key,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getCourse(db: Kysely<DB>, actor: Actor, id: string): Promise<Course> {
  const row = await coursesQuery(db, actor).where('c.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('course', id);
  return toCourse(row);
}

export interface CourseFilter {
  subject?: string;
  departmentId?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

export async function listCourses(db: Kysely<DB>, actor: Actor, filter: CourseFilter): Promise<Page<Course>> {
  const limit = filter.limit ?? 50;
  let query = coursesQuery(db, actor);
  if (filter.subject) query = query.where('c.subject', '=', filter.subject.toUpperCase());
  if (filter.departmentId) query = query.where('c.department_id', '=', filter.departmentId);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) => eb.or([eb(sql`c.subject || ' ' || c.number`, 'ilike', like), eb('c.title', 'ilike', like)]));
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    query = query.where(sql<boolean>`(c.subject, c.number, c.id) > (select subject, number, id from courses where id = ${after})`);
  }
  const rows = await query.orderBy('c.subject').orderBy('c.number').orderBy('c.id').limit(limit + 1).execute();
  const page = pageOf(rows, limit);
  await checkAnchor(page, filter.cursor, async (id) => !!(await coursesQuery(db, actor).where('c.id', '=', id).executeTakeFirst()));
  return { items: page.items.map(toCourse), nextCursor: page.nextCursor };
}

function requireCoursesEdit(actor: Actor) {
  if (!can(actor, 'courses.edit')) throw new ForbiddenError('Your role does not allow editing courses (courses.edit).');
}

/** A course the actor creates, or one it moves, must land in one of its departments. */
function requireReach(actor: Actor, departmentId: string | null) {
  if (!reachesDepartment(actor, departmentId))
    throw new ForbiddenError('Your role is limited to departments: a course must be of one of yours.', {
      permission: 'courses.edit',
      errors: [{ field: 'departmentId', message: 'Not a department you are assigned to' }],
    });
}

/** Locks a course the actor reaches for the transaction; one it does not reach is not found. */
async function lockCourse(trx: Kysely<DB>, actor: Actor, id: string, version: number): Promise<Course> {
  const locked = await coursesQuery(trx, actor).where('c.id', '=', id).forUpdate().executeTakeFirst();
  if (!locked) throw new NotFoundError('course', id);
  const current = toCourse(locked);
  if (locked.version !== version) throw new StaleVersionError('course', locked.version, current);
  return current;
}

async function checkDepartment(db: Kysely<DB>, departmentId: string | null | undefined) {
  if (!departmentId) return;
  const found = await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!found) throw new InvalidError('No such department.', [{ field: 'departmentId', message: 'No such department' }]);
}

async function assertCodeFree(db: Kysely<DB>, subject: string, number: string, exceptId?: string) {
  let query = db.selectFrom('courses').select('id').where('subject', '=', subject).where('number', '=', number);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const existing = await query.executeTakeFirst();
  if (existing)
    throw new ConflictError(`Course ${subject} ${number} already exists.`, {
      existingId: existing.id,
      errors: [{ field: 'number', message: 'Already used with this subject' }],
    });
}

export async function createCourse(db: Kysely<DB>, actor: Actor, input: CourseCreate): Promise<Course> {
  requireCoursesEdit(actor);
  requireReach(actor, input.departmentId ?? null);
  return db.transaction().execute(async (trx) => {
    await checkDepartment(trx, input.departmentId);
    await assertCodeFree(trx, input.subject, input.number);
    const row = await trx
      .insertInto('courses')
      .values({
        subject: input.subject,
        number: input.number,
        title: input.title,
        credits: input.credits,
        credits_max: input.creditsMax,
        department_id: input.departmentId,
        description: input.description,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const created = toCourse(row);
    await recordAudit(trx, actor, { action: 'create', entityType: 'course', entityId: row.id, changes: fieldChanges(null, created) });
    return created;
  });
}

export async function updateCourse(db: Kysely<DB>, actor: Actor, id: string, patch: CoursePatch): Promise<Course> {
  requireCoursesEdit(actor);
  return db.transaction().execute(async (trx) => {
    const current = await lockCourse(trx, actor, id, patch.version);
    if (patch.departmentId !== undefined) requireReach(actor, patch.departmentId);
    await checkDepartment(trx, patch.departmentId);
    const subject = patch.subject ?? current.subject;
    const number = patch.number ?? current.number;
    if (subject !== current.subject || number !== current.number) await assertCodeFree(trx, subject, number, id);
    // A patch may change one end of a variable-credit range: the range it leaves must hold.
    const range = creditRangeError(patch.credits ?? current.credits, patch.creditsMax === undefined ? current.creditsMax : patch.creditsMax);
    if (range) throw new InvalidError(`${range}.`, [{ field: patch.creditsMax === undefined ? 'credits' : 'creditsMax', message: range }]);
    const row = await trx
      .updateTable('courses')
      .set({
        subject,
        number,
        ...(patch.title !== undefined && { title: patch.title }),
        ...(patch.credits !== undefined && { credits: patch.credits }),
        ...(patch.creditsMax !== undefined && { credits_max: patch.creditsMax }),
        ...(patch.departmentId !== undefined && { department_id: patch.departmentId }),
        ...(patch.description !== undefined && { description: patch.description }),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const updated = toCourse(row);
    await recordAudit(trx, actor, { action: 'update', entityType: 'course', entityId: id, changes: fieldChanges(current, updated) });
    return updated;
  });
}

/** A course with sections cannot be deleted: its sections would be orphaned. */
export async function deleteCourse(db: Kysely<DB>, actor: Actor, id: string, version: number): Promise<void> {
  requireCoursesEdit(actor);
  await db.transaction().execute(async (trx) => {
    const current = await lockCourse(trx, actor, id, version);
    const used = await trx.selectFrom('sections').select('id').where('course_id', '=', id).limit(1).executeTakeFirst();
    if (used) throw new ConflictError(`${current.code} has sections; it cannot be deleted.`);
    await trx.deleteFrom('courses').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'course', entityId: id, changes: fieldChanges(current, null) });
  });
}
