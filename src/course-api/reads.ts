// Reading the Course API's courses: one by code (naming similar codes when it is missing), a
// filtered page of them, and a course's history (who touched it, its numbers per year, each change).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { NotFoundError } from '../domain/errors.ts';
import { checkAnchor, decodeCursor, pageOf, type Page } from '../store/paging.ts';
import { COURSE_ENTITY, toApiCourse, type ApiCourse } from './api-course.ts';
import { codeKey, type CourseStatus } from './rules.ts';

export async function getCourseByCode(db: Kysely<DB>, code: string): Promise<ApiCourse> {
  const row = await db.selectFrom('course_api_courses').selectAll().where('code', '=', code).executeTakeFirst();
  if (!row) {
    const similar = await db.selectFrom('course_api_courses').select('code').where('code_key', '=', codeKey(code)).execute();
    const error = new NotFoundError('course with code', code);
    if (similar.length > 0) {
      error.message = `No course with code ${code}. Similar codes exist: ${similar.map((s) => s.code).join(', ')}.`;
      error.extensions.similar = similar.map((s) => s.code);
    }
    throw error;
  }
  return toApiCourse(row);
}

export interface CourseApiFilter {
  status?: CourseStatus;
  q?: string;
  department?: string;
  subject?: string;
  zeroStudents?: boolean;
  clientId?: string;
  limit?: number;
  cursor?: string;
}

export async function listApiCourses(db: Kysely<DB>, filter: CourseApiFilter): Promise<Page<ApiCourse>> {
  const limit = filter.limit ?? 50;
  let query = db.selectFrom('course_api_courses as c').selectAll('c');
  if (filter.status) query = query.where('c.status', '=', filter.status);
  if (filter.department) query = query.where('c.department', '=', filter.department);
  if (filter.subject) query = query.where('c.subject', '=', filter.subject);
  if (filter.zeroStudents !== undefined) query = query.where('c.number_of_students', filter.zeroStudents ? '=' : '>', 0);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    query = query.where((eb) => eb.or([eb('c.code', 'ilike', like), eb('c.name', 'ilike', like)]));
  }
  if (filter.clientId) {
    const clientId = filter.clientId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('audit_log as a')
          .select('a.id')
          .where('a.entity_type', '=', COURSE_ENTITY)
          .whereRef('a.entity_id', '=', sql<string>`c.id::text`)
          .where('a.actor_id', '=', clientId),
      ),
    );
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    query = query.where(sql<boolean>`(c.code, c.id) > (select code, id from course_api_courses where id = ${after})`);
  }
  const rows = await query.orderBy('c.code').orderBy('c.id').limit(limit + 1).execute();
  const page = pageOf(rows, limit);
  await checkAnchor(page, filter.cursor, async (id) => !!(await db.selectFrom('course_api_courses').select('id').where('id', '=', id).executeTakeFirst()));
  return { items: page.items.map(toApiCourse), nextCursor: page.nextCursor };
}

export interface CourseHistory {
  course: ApiCourse;
  clients: { type: 'user' | 'token' | 'system'; id: string | null; name: string; changes: number; firstAt: string; lastAt: string }[];
  studentNumbers: { academicYear: string; numberOfStudents: number; source: string; updatedAt: string }[];
  changes: { at: string; actor: { type: 'user' | 'token' | 'system'; id: string | null; name: string }; action: string; changes: Record<string, { before: unknown; after: unknown }>; context: Record<string, unknown> }[];
}

/** Who touched a course (each record-system client), its numbers per academic year, and every change. */
export async function courseHistory(db: Kysely<DB>, code: string): Promise<CourseHistory> {
  const course = await getCourseByCode(db, code);
  const entries = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', COURSE_ENTITY)
    .where('entity_id', '=', course.id)
    .orderBy('id', 'desc')
    .limit(1000)
    .execute();
  const clients = new Map<string, CourseHistory['clients'][number]>();
  for (const e of entries) {
    const key = `${e.actor_type}:${e.actor_id ?? e.actor_name}`;
    const at = new Date(e.at).toISOString();
    const c = clients.get(key);
    if (c) {
      c.changes++;
      c.firstAt = at;
    } else clients.set(key, { type: e.actor_type, id: e.actor_id, name: e.actor_name, changes: 1, firstAt: at, lastAt: at });
  }
  const years = await db.selectFrom('course_api_student_numbers').selectAll().where('course_id', '=', course.id).orderBy('academic_year', 'desc').execute();
  return {
    course,
    clients: [...clients.values()],
    studentNumbers: years.map((y) => ({ academicYear: y.academic_year, numberOfStudents: y.number_of_students, source: y.source, updatedAt: new Date(y.updated_at).toISOString() })),
    changes: entries.map((e) => ({
      at: new Date(e.at).toISOString(),
      actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
      action: e.action,
      changes: e.changes,
      context: e.context,
    })),
  };
}
