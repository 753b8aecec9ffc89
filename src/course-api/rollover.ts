// The rollover guard: where the academic year stands and which courses have 0 students, and the
// explicit admin action that archives them.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import type { Actor } from '../domain/permissions.ts';
import { zonedToInstant } from '../domain/zoned-time.ts';
import { recordAudit } from '../store/audit.ts';
import { COURSE_ENTITY, toApiCourse, type ApiCourse, type Clock } from './api-course.ts';
import { academicYear, rolloverWarnings } from './rules.ts';
import { currentYear, getSettings } from './settings.ts';

const ROLLOVER_LIST_LIMIT = 500;

export interface RolloverStatus {
  timeZone: string;
  rolloverMonth: number;
  rolloverDay: number;
  academicYear: string;
  academicYearStartsOn: string;
  nextRolloverOn: string;
  today: string;
  daysUntilRollover: number;
  zeroStudentWindowStartsOn: string;
  inZeroStudentWindow: boolean;
  activeCourses: number;
  zeroStudentCourses: { count: number; items: { courseCode: string; courseName: string; studentsZeroedAt: string | null }[] };
  droppedToZero: { count: number; items: { courseCode: string; courseName: string; studentsZeroedAt: string | null }[] };
  warnings: string[];
}

export async function rolloverStatus(db: Kysely<DB>, clock: Clock): Promise<RolloverStatus> {
  const settings = await getSettings(db);
  const year = academicYear(clock(), settings.effectiveTimeZone, { month: settings.rolloverMonth, day: settings.rolloverDay });
  const windowStart = zonedToInstant(`${year.zeroStudentWindowStartsOn}T00:00`, settings.effectiveTimeZone);
  const active = await db.selectFrom('course_api_courses').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
  const zero = await db
    .selectFrom('course_api_courses')
    .select(['code', 'name', 'students_zeroed_at'])
    .where('status', '=', 'active')
    .where('number_of_students', '=', 0)
    .orderBy('code')
    .execute();
  const dropped = zero.filter((r) => r.students_zeroed_at !== null && new Date(r.students_zeroed_at) >= windowStart);
  const item = (r: (typeof zero)[number]) => ({ courseCode: r.code, courseName: r.name, studentsZeroedAt: r.students_zeroed_at ? new Date(r.students_zeroed_at).toISOString() : null });
  return {
    timeZone: settings.effectiveTimeZone,
    rolloverMonth: settings.rolloverMonth,
    rolloverDay: settings.rolloverDay,
    academicYear: year.label,
    academicYearStartsOn: year.startsOn,
    nextRolloverOn: year.nextRolloverOn,
    today: year.today,
    daysUntilRollover: year.daysUntilRollover,
    zeroStudentWindowStartsOn: year.zeroStudentWindowStartsOn,
    inZeroStudentWindow: year.inZeroStudentWindow,
    activeCourses: Number(active.n),
    zeroStudentCourses: { count: zero.length, items: zero.slice(0, ROLLOVER_LIST_LIMIT).map(item) },
    droppedToZero: { count: dropped.length, items: dropped.slice(0, ROLLOVER_LIST_LIMIT).map(item) },
    warnings: rolloverWarnings(year, zero.length, dropped.length),
  };
}

/** The explicit admin action: archive every active course with 0 students, each audited. */
export async function archiveEmptyCourses(db: Kysely<DB>, actor: Actor, clock: Clock, dryRun: boolean): Promise<{ academicYear: string; dryRun: boolean; archived: ApiCourse[] }> {
  const year = await currentYear(db, clock);
  const now = clock();
  const run = async (trx: Transaction<DB>) => {
    await sql`lock table course_api_courses in share row exclusive mode`.execute(trx);
    const empty = await trx.selectFrom('course_api_courses').selectAll().where('status', '=', 'active').where('number_of_students', '=', 0).orderBy('code').execute();
    const archived: ApiCourse[] = [];
    for (const current of empty) {
      if (dryRun) {
        archived.push({ ...toApiCourse(current), status: 'archived' });
        continue;
      }
      const row = await trx
        .updateTable('course_api_courses')
        .set({ status: 'archived', version: sql`version + 1`, updated_at: now })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const course = toApiCourse(row);
      archived.push(course);
      await recordAudit(trx, actor, {
        action: 'archive_empty_at_rollover',
        entityType: COURSE_ENTITY,
        entityId: row.id,
        changes: fieldChanges({ ...toApiCourse(current) }, { ...course }),
        context: { via: 'rollover', academicYear: year.label, nextRolloverOn: year.nextRolloverOn, courseCode: row.code },
      });
    }
    return { academicYear: year.label, dryRun, archived };
  };
  return db.transaction().execute(run);
}
