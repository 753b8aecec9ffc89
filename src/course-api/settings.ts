// The Course API's settings (rollover date, time zone, the reference API's hei) and the academic
// year they put the clock in.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { InvalidError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { institutionTimeZone } from '../store/phases.ts';
import type { Clock } from './api-course.ts';
import { academicYear, type AcademicYear, type RolloverDate } from './rules.ts';

export interface CourseApiSettings {
  rolloverMonth: number;
  rolloverDay: number;
  /** The zone set here, or null to use the institution's. */
  timeZone: string | null;
  /** The zone in effect: this setting, else the institution's, else UTC. */
  effectiveTimeZone: string;
  /** The reference API's `hei`; when set, SubmitCourse/AmendCourse calls must name it. */
  hei: number | null;
}

/** The institution's zone, if the institution settings (added with phases) exist yet. */
export async function getSettings(db: Kysely<DB>): Promise<CourseApiSettings> {
  const row = await db.selectFrom('course_api_settings').selectAll().executeTakeFirstOrThrow();
  return {
    rolloverMonth: row.rollover_month,
    rolloverDay: row.rollover_day,
    timeZone: row.time_zone,
    effectiveTimeZone: row.time_zone ?? (await institutionTimeZone(db)),
    hei: row.hei,
  };
}

export interface SettingsPatch {
  rolloverMonth?: number;
  rolloverDay?: number;
  timeZone?: string | null;
  hei?: number | null;
}

export async function updateSettings(db: Kysely<DB>, actor: Actor, patch: SettingsPatch): Promise<CourseApiSettings> {
  return db.transaction().execute(async (trx) => {
    const before = await getSettings(trx);
    const month = patch.rolloverMonth ?? before.rolloverMonth;
    const day = patch.rolloverDay ?? before.rolloverDay;
    const last = new Date(Date.UTC(2024, month, 0)).getUTCDate(); // a leap year: 29 February is allowed
    if (day > last) throw new InvalidError('No such date.', [{ field: 'rolloverDay', message: `Month ${month} has ${last} days` }]);
    await trx
      .updateTable('course_api_settings')
      .set({
        rollover_month: month,
        rollover_day: day,
        ...(patch.timeZone !== undefined && { time_zone: patch.timeZone }),
        ...(patch.hei !== undefined && { hei: patch.hei }),
        updated_at: sql`now()` as never,
      })
      .execute();
    const after = await getSettings(trx);
    await recordAudit(trx, actor, { action: 'update', entityType: 'course_api_settings', entityId: '1', changes: fieldChanges({ ...before }, { ...after }) });
    return after;
  });
}

export async function currentYear(db: Kysely<DB>, clock: Clock): Promise<AcademicYear> {
  const s = await getSettings(db);
  const rollover: RolloverDate = { month: s.rolloverMonth, day: s.rolloverDay };
  return academicYear(clock(), s.effectiveTimeZone, rollover);
}
