// The Course API's store: submit, amend, read, bulk, rollover, clients and settings. Every write
// is audited in its own transaction with the acting record-system client (its API token) as the
// actor. Writers take one table lock, so the uniqueness and similarity checks cannot race.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CourseApiCoursesTable, DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, DomainError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError, type FieldError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { checkAnchor, decodeCursor, pageOf, type Page } from '../store/paging.ts';
import { institutionTimeZone } from '../store/phases.ts';
import {
  academicYear,
  bulkRow,
  codeKey,
  courseAmend,
  courseSubmit,
  DEFAULT_STUDENTS,
  issuesToErrors,
  leadLecturerErrors,
  nameKey,
  planAmend,
  rolloverWarnings,
  zeroDropWarning,
  type AcademicYear,
  type BulkMode,
  type CourseAmend,
  type CourseState,
  type CourseStatus,
  type CourseSubmit,
  type RolloverDate,
} from './rules.ts';

export type Clock = () => Date;
type Row = Selectable<CourseApiCoursesTable>;
const ENTITY = 'course_api_course';

export interface ApiCourse {
  id: string;
  courseCode: string;
  courseName: string;
  numberOfWeeks: number;
  numberOfStudents: number;
  studentNumbersSource: 'client' | 'schedule';
  department: string | null;
  subject: string | null;
  leadLecturer: string | null;
  leadLecturerEmail: string | null;
  status: CourseStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface WriteResult {
  outcome: 'created' | 'amended' | 'unchanged';
  course: ApiCourse;
  warnings: string[];
}

export const toApiCourse = (r: Row): ApiCourse => ({
  id: r.id,
  courseCode: r.code,
  courseName: r.name,
  numberOfWeeks: r.number_of_weeks,
  numberOfStudents: r.number_of_students,
  studentNumbersSource: r.students_source,
  department: r.department,
  subject: r.subject,
  leadLecturer: r.lead_lecturer,
  leadLecturerEmail: r.lead_lecturer_email,
  status: r.status,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const toState = (r: Row): CourseState => ({
  courseCode: r.code,
  courseName: r.name,
  numberOfWeeks: r.number_of_weeks,
  numberOfStudents: r.number_of_students,
  department: r.department,
  subject: r.subject,
  leadLecturer: r.lead_lecturer,
  leadLecturerEmail: r.lead_lecturer_email,
  status: r.status,
});

const amendPath = (code: string) => `/api/v1/course-api/courses/${encodeURIComponent(code)}`;

function requireWrite(actor: Actor) {
  if (!can(actor, 'courseApi.write')) throw new ForbiddenError('Your role does not allow writing through the Course API (courseApi.write).', { permission: 'courseApi.write' });
}

// ---- settings -----------------------------------------------------------------------------------

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

async function currentYear(db: Kysely<DB>, clock: Clock): Promise<AcademicYear> {
  const s = await getSettings(db);
  const rollover: RolloverDate = { month: s.rolloverMonth, day: s.rolloverDay };
  return academicYear(clock(), s.effectiveTimeZone, rollover);
}

// ---- the write session: one transaction, one lock, an index of the courses it may touch ----------

class CourseIndex {
  byCode = new Map<string, Row>();
  byKey = new Map<string, Set<Row>>();
  byName = new Map<string, Set<Row>>();
  add(row: Row) {
    this.byCode.set(row.code, row);
    for (const [map, key] of [[this.byKey, row.code_key], [this.byName, row.name_key]] as const) {
      if (!map.has(key)) map.set(key, new Set());
      map.get(key)!.add(row);
    }
  }
  remove(row: Row) {
    if (this.byCode.get(row.code) === row) this.byCode.delete(row.code);
    this.byKey.get(row.code_key)?.delete(row);
    this.byName.get(row.name_key)?.delete(row);
  }
  /** Live courses (not deleted) with the same code key or name key, other than `self`. */
  similar(code: string | undefined, name: string | undefined, self?: Row) {
    const found: { row: Row; reason: 'code' | 'name' }[] = [];
    const seen = new Set<Row>();
    const push = (rows: Set<Row> | undefined, reason: 'code' | 'name') => {
      for (const row of rows ?? []) {
        if (row === self || row.status === 'deleted' || seen.has(row)) continue;
        seen.add(row);
        found.push({ row, reason });
      }
    };
    if (code !== undefined) push(this.byKey.get(codeKey(code)), 'code');
    if (name !== undefined) push(this.byName.get(nameKey(name)), 'name');
    return found;
  }
}

interface Enrolment {
  enrolled: number;
  sections: number;
  /** Sections whose enrollment the SIS does not report (null): their students are not in `enrolled`. */
  unknown: number;
}

interface WriteOptions {
  /** Where the call came from, for the audit context: rest, bulk, reference-api. */
  via: string;
  requestId?: number;
}

class WriteSession {
  readonly trx: Transaction<DB>;
  readonly actor: Actor;
  readonly now: Date;
  readonly year: AcademicYear;
  readonly derive: boolean;
  readonly index = new CourseIndex();
  readonly options: WriteOptions;
  private enrolment: Map<string, Enrolment> | null = null;

  constructor(trx: Transaction<DB>, actor: Actor, now: Date, year: AcademicYear, derive: boolean, options: WriteOptions) {
    this.trx = trx;
    this.actor = actor;
    this.now = now;
    this.year = year;
    this.derive = derive;
    this.options = options;
  }

  static async open(trx: Transaction<DB>, actor: Actor, clock: Clock, options: WriteOptions): Promise<WriteSession> {
    requireWrite(actor);
    await sql`lock table course_api_courses in share row exclusive mode`.execute(trx);
    const year = await currentYear(trx, clock);
    const client =
      actor.type === 'token' && actor.id
        ? await trx.selectFrom('course_api_clients').select('derive_student_numbers').where('token_id', '=', actor.id).executeTakeFirst()
        : undefined;
    return new WriteSession(trx, actor, clock(), year, client?.derive_student_numbers ?? false, options);
  }

  /** Loads the courses a set of codes and names could collide with (or all of them, for bulk). */
  async load(codes: string[] | 'all', names: string[] = []) {
    let query = this.trx.selectFrom('course_api_courses').selectAll();
    if (codes !== 'all') {
      const nameKeys = names.map(nameKey);
      query = query.where((eb) =>
        eb.or([eb('code', 'in', codes), eb('code_key', 'in', codes.map(codeKey)), ...(nameKeys.length > 0 ? [eb('name_key', 'in', nameKeys)] : [])]),
      );
    }
    for (const row of await query.execute()) if (!this.index.byCode.has(row.code)) this.index.add(row);
  }

  /** Enrolled students of the schedule's sections of each hub course this academic year, by code key. */
  private async scheduleEnrolment(): Promise<Map<string, Enrolment>> {
    if (this.enrolment) return this.enrolment;
    const rows = await this.trx
      .selectFrom('courses as c')
      .innerJoin('sections as s', 's.course_id', 'c.id')
      .innerJoin('terms as t', 't.id', 's.term_id')
      .select(['c.subject', 'c.number'])
      .select((eb) => [eb.fn.sum<number>('s.enrolled').as('enrolled'), eb.fn.count<number>('s.id').as('sections'), eb.fn.count<number>('s.enrolled').as('known')])
      .where('s.deleted_at', 'is', null)
      .where('s.status', '=', 'active')
      .where('t.starts_on', '>=', this.year.startsOn)
      .where('t.starts_on', '<', this.year.nextRolloverOn)
      .groupBy(['c.subject', 'c.number'])
      .execute();
    const map = new Map<string, Enrolment>();
    for (const r of rows) {
      const key = codeKey(`${r.subject}${r.number}`);
      const prev = map.get(key) ?? { enrolled: 0, sections: 0, unknown: 0 };
      map.set(key, {
        enrolled: prev.enrolled + Number(r.enrolled ?? 0),
        sections: prev.sections + Number(r.sections),
        unknown: prev.unknown + Number(r.sections) - Number(r.known),
      });
    }
    this.enrolment = map;
    return map;
  }

  /** The schedule's number for a course code when this client derives its numbers, with a note when it cannot. */
  private async derived(code: string): Promise<{ students?: number; warning?: string }> {
    if (!this.derive) return {};
    const found = (await this.scheduleEnrolment()).get(codeKey(code));
    if (!found)
      return { warning: `Student numbers were not derived: no course of the schedule with sections in ${this.year.label} matches ${code}.` };
    // A sum that leaves sections out would be too low, and a course could read as 0 students.
    if (found.unknown > 0)
      return { warning: `Student numbers were not derived: the SIS does not report the enrollment of ${found.unknown} of the ${found.sections} sections of ${code} in ${this.year.label}.` };
    return { students: found.enrolled };
  }

  private conflictIfSimilar(code: string | undefined, name: string | undefined, self?: Row) {
    const similar = this.index.similar(code, name, self);
    if (similar.length === 0) return;
    const list = similar.map((s) => `${s.row.code} (${s.row.name}; same ${s.reason === 'code' ? 'code apart from case, spacing or punctuation' : 'name'})`);
    throw new ConflictError(
      `A similar course already exists: ${list.join(', ')}. Amend that course, or send allowSimilar: true if this really is a different course.`,
      {
        similar: similar.map((s) => ({ courseCode: s.row.code, courseName: s.row.name, status: s.row.status, matchedOn: s.reason })),
        errors: [...new Set(similar.map((s) => s.reason))].map((r) =>
          r === 'code' ? { field: code === undefined ? 'courseCode' : 'courseCode', message: 'Similar to an existing course code' } : { field: 'courseName', message: 'Same name as an existing course' },
        ),
      },
    );
  }

  private async saveYear(row: Row) {
    await this.trx
      .insertInto('course_api_student_numbers')
      .values({ course_id: row.id, academic_year: this.year.label, number_of_students: row.number_of_students, source: row.students_source, updated_at: this.now })
      .onConflict((oc) =>
        oc.columns(['course_id', 'academic_year']).doUpdateSet({ number_of_students: row.number_of_students, source: row.students_source, updated_at: this.now }),
      )
      .execute();
  }

  private context(extra: Record<string, unknown> = {}) {
    return { via: this.options.via, academicYear: this.year.label, ...(this.options.requestId !== undefined && { requestId: this.options.requestId }), ...extra };
  }

  /** The course a submit asks for; its student numbers come from the schedule when left out and the client derives them. */
  private async submitted(input: CourseSubmit): Promise<{ state: CourseState; source: 'client' | 'schedule'; warnings: string[] }> {
    const warnings: string[] = [];
    let students = input.numberOfStudents;
    let source: 'client' | 'schedule' = 'client';
    if (students === undefined) {
      const d = await this.derived(input.courseCode);
      if (d.warning) warnings.push(d.warning);
      if (d.students !== undefined) {
        students = d.students;
        source = 'schedule';
      }
    }
    const state: CourseState = {
      courseCode: input.courseCode,
      courseName: input.courseName,
      numberOfWeeks: input.numberOfWeeks,
      numberOfStudents: students ?? DEFAULT_STUDENTS,
      department: input.department ?? null,
      subject: input.subject ?? null,
      leadLecturer: input.leadLecturer ?? null,
      leadLecturerEmail: input.leadLecturerEmail ?? null,
      status: 'active',
    };
    return { state, source, warnings };
  }

  /**
   * A submit of a code that exists. The same fields again, on the active course, is a retry whose
   * answer was lost: no change, so a record system can resend safely. Anything else is a 409.
   */
  private async submitExisting(existing: Row, input: CourseSubmit): Promise<WriteResult> {
    let differs = '';
    if (existing.status === 'active') {
      const { state, warnings } = await this.submitted(input);
      const current = toState(existing);
      const different = (Object.keys(state) as (keyof CourseState)[]).filter((k) => state[k] !== current[k]);
      if (different.length === 0) return { outcome: 'unchanged', course: toApiCourse(existing), warnings };
      differs = ` with a different ${different.join(', ')}`;
    }
    const permanent = existing.status === 'deleted' ? ' It is permanently deleted, so this code cannot be used again.' : ` Amend it with PATCH ${amendPath(existing.code)}.`;
    throw new ConflictError(`Course ${existing.code} (${existing.name}) already exists${differs}.${permanent}`, {
      existing: toApiCourse(existing),
      amend: amendPath(existing.code),
      errors: [{ field: 'courseCode', message: 'Already used by another course' }],
    });
  }

  async submit(input: CourseSubmit): Promise<WriteResult> {
    const existing = this.index.byCode.get(input.courseCode);
    if (existing) return this.submitExisting(existing, input);
    if (!input.allowSimilar) this.conflictIfSimilar(input.courseCode, input.courseName);
    const { state, source, warnings } = await this.submitted(input);
    const lecturerErrors = leadLecturerErrors(state);
    if (lecturerErrors.length > 0) throw new InvalidError('Give the lead lecturer and their email together, or neither.', lecturerErrors);
    const row = await this.trx
      .insertInto('course_api_courses')
      .values({
        code: input.courseCode,
        code_key: codeKey(input.courseCode),
        name: input.courseName,
        name_key: nameKey(input.courseName),
        number_of_weeks: input.numberOfWeeks,
        number_of_students: state.numberOfStudents,
        students_source: source,
        department: state.department,
        subject: state.subject,
        lead_lecturer: state.leadLecturer,
        lead_lecturer_email: state.leadLecturerEmail,
        status: state.status,
        created_at: this.now,
        updated_at: this.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.index.add(row);
    await this.saveYear(row);
    const course = toApiCourse(row);
    await recordAudit(this.trx, this.actor, { action: 'create', entityType: ENTITY, entityId: row.id, changes: fieldChanges(null, { ...course }), context: this.context({ courseCode: row.code }) });
    return { outcome: 'created', course, warnings };
  }

  notFound(code: string): NotFoundError {
    const similar = [...(this.index.byKey.get(codeKey(code)) ?? [])].filter((r) => r.code !== code);
    const hint = similar.length > 0 ? ` Similar codes exist: ${similar.map((r) => r.code).join(', ')}.` : '';
    const error = new NotFoundError('course with code', code);
    error.message = `No course with code ${code}: an amend only changes a course whose code matches exactly, and nothing was changed.${hint} Submit it first if it is new.`;
    Object.assign(error.extensions, { similar: similar.map((r) => ({ courseCode: r.code, courseName: r.name, status: r.status })), errors: [{ field: 'courseCode', message: 'No course with this code' }] });
    return error;
  }

  async amend(code: string, amend: CourseAmend): Promise<WriteResult> {
    const current = this.index.byCode.get(code);
    if (!current) throw this.notFound(code);
    // Optional, so a record system that is the only writer need not read first; two writers send it.
    if (amend.version !== undefined && amend.version !== current.version) {
      const stale = new StaleVersionError('course', current.version, toApiCourse(current));
      stale.extensions.errors = [{ field: 'version', message: `The course is now at version ${current.version}` }];
      throw stale;
    }
    const warnings: string[] = [];
    let request = amend;
    let source = current.students_source;
    if (amend.numberOfStudents !== undefined) source = 'client';
    else if (this.derive && current.status !== 'deleted') {
      const d = await this.derived(amend.newCourseCode ?? current.code);
      if (d.warning) warnings.push(d.warning);
      if (d.students !== undefined) {
        request = { ...amend, numberOfStudents: d.students };
        source = 'schedule';
      }
    }
    const plan = planAmend(toState(current), request);
    if (!plan.ok) {
      if (plan.kind === 'permanent') throw new ConflictError(plan.message, { courseStatus: current.status, errors: plan.errors });
      throw new InvalidError(plan.message, plan.errors);
    }
    const { next, changed } = plan;
    warnings.push(...plan.warnings);
    if (next.courseCode !== current.code) {
      const taken = this.index.byCode.get(next.courseCode);
      if (taken)
        throw new ConflictError(`Course code ${next.courseCode} is already used by ${taken.name}.`, {
          existing: toApiCourse(taken),
          errors: [{ field: 'newCourseCode', message: 'Already used by another course' }],
        });
    }
    if (!amend.allowSimilar) {
      const codeChanged = codeKey(next.courseCode) !== current.code_key ? next.courseCode : undefined;
      const nameChanged = nameKey(next.courseName) !== current.name_key ? next.courseName : undefined;
      try {
        this.conflictIfSimilar(codeChanged, nameChanged, current);
      } catch (error) {
        if (error instanceof ConflictError && codeChanged !== undefined)
          (error.extensions.errors as FieldError[]).forEach((e) => e.field === 'courseCode' && (e.field = 'newCourseCode'));
        throw error;
      }
    }
    if (changed.length === 0 && source === current.students_source) return { outcome: 'unchanged', course: toApiCourse(current), warnings };
    const drop = zeroDropWarning(current.number_of_students, next.numberOfStudents, this.year);
    if (drop) warnings.push(drop);
    const zeroed = next.numberOfStudents === 0 && current.number_of_students > 0 ? this.now : next.numberOfStudents > 0 ? null : current.students_zeroed_at;
    const row = await this.trx
      .updateTable('course_api_courses')
      .set({
        code: next.courseCode,
        code_key: codeKey(next.courseCode),
        name: next.courseName,
        name_key: nameKey(next.courseName),
        number_of_weeks: next.numberOfWeeks,
        number_of_students: next.numberOfStudents,
        students_source: source,
        department: next.department,
        subject: next.subject,
        lead_lecturer: next.leadLecturer,
        lead_lecturer_email: next.leadLecturerEmail,
        status: next.status,
        students_zeroed_at: zeroed,
        version: sql`version + 1`,
        updated_at: this.now,
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.index.remove(current);
    this.index.add(row);
    if (changed.includes('numberOfStudents') || source !== current.students_source) await this.saveYear(row);
    const before = toApiCourse(current);
    const course = toApiCourse(row);
    await recordAudit(this.trx, this.actor, {
      action: next.status !== current.status ? `status_${next.status}` : 'update',
      entityType: ENTITY,
      entityId: row.id,
      changes: fieldChanges({ ...before }, { ...course }),
      context: this.context({ courseCode: row.code, ...(row.code !== current.code && { previousCourseCode: current.code }) }),
    });
    return { outcome: 'amended', course, warnings };
  }
}

/** Turns a unique violation that slipped past the checks into a 409 instead of a 500. */
function uniqueToConflict(error: unknown): never {
  if (error && typeof error === 'object' && (error as { code?: string }).code === '23505')
    throw new ConflictError('Another course with this code was written at the same time; read it and try again.', {
      errors: [{ field: 'courseCode', message: 'Already used by another course' }],
    });
  throw error;
}

export async function submitCourse(db: Kysely<DB>, actor: Actor, clock: Clock, input: CourseSubmit, options: WriteOptions = { via: 'rest' }): Promise<WriteResult> {
  return db
    .transaction()
    .execute(async (trx) => {
      const session = await WriteSession.open(trx, actor, clock, options);
      await session.load([input.courseCode], [input.courseName]);
      return session.submit(input);
    })
    .catch(uniqueToConflict);
}

export async function amendCourse(db: Kysely<DB>, actor: Actor, clock: Clock, code: string, amend: CourseAmend, options: WriteOptions = { via: 'rest' }): Promise<WriteResult> {
  return db
    .transaction()
    .execute(async (trx) => {
      const session = await WriteSession.open(trx, actor, clock, options);
      await session.load([code, ...(amend.newCourseCode ? [amend.newCourseCode] : [])], amend.courseName ? [amend.courseName] : []);
      return session.amend(code, amend);
    })
    .catch(uniqueToConflict);
}

// ---- bulk ---------------------------------------------------------------------------------------

export interface BulkRowResult {
  row: number;
  courseCode: string | null;
  action: BulkMode | null;
  outcome: 'created' | 'amended' | 'unchanged' | 'error';
  status: number;
  courseId: string | null;
  errors: FieldError[];
  warnings: string[];
}

export interface BulkReport {
  mode: BulkMode;
  dryRun: boolean;
  academicYear: string;
  total: number;
  created: number;
  amended: number;
  unchanged: number;
  failed: number;
  rows: BulkRowResult[];
}

class DryRunRollback extends Error {
  readonly report: BulkReport;
  constructor(report: BulkReport) {
    super('dry run');
    this.report = report;
  }
}

const SUBMIT_FIELDS = Object.keys(courseSubmit.shape);

/** Every row validated and applied on its own; one report line per row. Rows that fail change nothing. */
export async function bulkWrite(
  db: Kysely<DB>,
  actor: Actor,
  clock: Clock,
  rows: readonly Record<string, unknown>[],
  options: { mode: BulkMode; allowSimilar: boolean; dryRun: boolean; via?: string },
): Promise<BulkReport> {
  const run = async (trx: Transaction<DB>): Promise<BulkReport> => {
    const session = await WriteSession.open(trx, actor, clock, { via: options.via ?? 'bulk' });
    await session.load('all');
    const results: BulkRowResult[] = [];
    for (const [i, raw] of rows.entries()) {
      const result: BulkRowResult = { row: i + 1, courseCode: null, action: null, outcome: 'error', status: 400, courseId: null, errors: [], warnings: [] };
      results.push(result);
      if (typeof raw?.courseCode === 'string') result.courseCode = raw.courseCode.trim();
      const parsed = bulkRow.safeParse(raw);
      if (!parsed.success) {
        result.errors = issuesToErrors(parsed.error);
        continue;
      }
      const row = parsed.data;
      const allowSimilar = row.allowSimilar ?? options.allowSimilar;
      const action: BulkMode = row.action ?? (options.mode === 'upsert' ? (session.index.byCode.has(row.courseCode) ? 'amend' : 'submit') : options.mode);
      result.action = action;
      try {
        let written: WriteResult;
        if (action === 'submit') {
          const extra = Object.keys(row).filter((k) => !SUBMIT_FIELDS.includes(k) && k !== 'action' && row[k as keyof typeof row] !== undefined);
          if (extra.length > 0)
            throw new InvalidError('A new course has no new code, version or delete confirmation.', extra.map((field) => ({ field, message: 'Not allowed when submitting a new course' })));
          const submit = courseSubmit.safeParse({ ...Object.fromEntries(Object.entries(row).filter(([k]) => SUBMIT_FIELDS.includes(k))), allowSimilar });
          if (!submit.success) throw new InvalidError('Invalid row.', issuesToErrors(submit.error));
          written = await session.submit(submit.data);
        } else {
          const { courseCode, action: _action, ...rest } = row;
          written = await session.amend(courseCode, courseAmend.parse({ ...rest, allowSimilar }));
        }
        Object.assign(result, { outcome: written.outcome, status: written.outcome === 'created' ? 201 : 200, courseId: written.course.id, warnings: written.warnings });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        result.status = error.status;
        result.errors = (error.extensions.errors as FieldError[] | undefined) ?? [{ field: '(row)', message: error.message }];
        if (!result.errors.some((e) => e.message === error.message)) result.errors.push({ field: '(row)', message: error.message });
      }
    }
    const count = (o: BulkRowResult['outcome']) => results.filter((r) => r.outcome === o).length;
    const report: BulkReport = {
      mode: options.mode,
      dryRun: options.dryRun,
      academicYear: session.year.label,
      total: results.length,
      created: count('created'),
      amended: count('amended'),
      unchanged: count('unchanged'),
      failed: count('error'),
      rows: results,
    };
    if (options.dryRun) throw new DryRunRollback(report);
    return report;
  };
  try {
    return await db.transaction().execute(run);
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}

// ---- reads ----------------------------------------------------------------------------------------

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
          .where('a.entity_type', '=', ENTITY)
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
    .where('entity_type', '=', ENTITY)
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

// ---- rollover -----------------------------------------------------------------------------------

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
  const windowStart = zonedMidnight(year.zeroStudentWindowStartsOn, settings.effectiveTimeZone);
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

/** Midnight of a local date in a zone, as an instant (two probes settle the offset, DST included). */
function zonedMidnight(date: string, timeZone: string): Date {
  const asUtc = Date.parse(`${date}T00:00:00Z`);
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at;
  };
  let at = asUtc - offset(asUtc);
  at = asUtc - offset(at);
  return new Date(at);
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
        entityType: ENTITY,
        entityId: row.id,
        changes: fieldChanges({ ...toApiCourse(current) }, { ...course }),
        context: { via: 'rollover', academicYear: year.label, nextRolloverOn: year.nextRolloverOn, courseCode: row.code },
      });
    }
    return { academicYear: year.label, dryRun, archived };
  };
  return db.transaction().execute(run);
}

// ---- record-system clients ------------------------------------------------------------------------

export interface RecordSystemClient {
  id: string;
  name: string;
  prefix: string;
  revoked: boolean;
  deriveStudentNumbers: boolean;
  lastUsedAt: string | null;
  coursesTouched: number;
  lastChangeAt: string | null;
}

export async function listClients(db: Kysely<DB>): Promise<RecordSystemClient[]> {
  const rows = await db
    .selectFrom('api_tokens as t')
    .leftJoin('course_api_clients as c', 'c.token_id', 't.id')
    .select(['t.id', 't.name', 't.prefix', 't.revoked_at', 't.last_used_at', 'c.derive_student_numbers'])
    .select((eb) => [
      eb
        .selectFrom('audit_log as a')
        .select(sql<number>`count(distinct a.entity_id)::int`.as('n'))
        .where('a.entity_type', '=', ENTITY)
        .whereRef('a.actor_id', '=', sql<string>`t.id::text`)
        .as('courses_touched'),
      eb
        .selectFrom('audit_log as a')
        .select((e) => e.fn.max('a.at').as('m'))
        .where('a.entity_type', '=', ENTITY)
        .whereRef('a.actor_id', '=', sql<string>`t.id::text`)
        .as('last_change_at'),
    ])
    .where('t.kind', '=', 'record_system')
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    revoked: r.revoked_at !== null,
    deriveStudentNumbers: r.derive_student_numbers ?? false,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    coursesTouched: Number(r.courses_touched ?? 0),
    lastChangeAt: r.last_change_at ? new Date(r.last_change_at as Date).toISOString() : null,
  }));
}

export async function updateClient(db: Kysely<DB>, actor: Actor, tokenId: string, patch: { deriveStudentNumbers: boolean }): Promise<RecordSystemClient> {
  await db.transaction().execute(async (trx) => {
    const token = await trx.selectFrom('api_tokens').select(['id', 'kind']).where('id', '=', tokenId).executeTakeFirst();
    if (!token || token.kind !== 'record_system') throw new NotFoundError('record-system client', tokenId);
    const before = await trx.selectFrom('course_api_clients').select('derive_student_numbers').where('token_id', '=', tokenId).executeTakeFirst();
    await trx
      .insertInto('course_api_clients')
      .values({ token_id: tokenId, derive_student_numbers: patch.deriveStudentNumbers, updated_at: sql`now()` as never })
      .onConflict((oc) => oc.column('token_id').doUpdateSet({ derive_student_numbers: patch.deriveStudentNumbers, updated_at: sql`now()` as never }))
      .execute();
    await recordAudit(trx, actor, {
      action: 'update',
      entityType: 'course_api_client',
      entityId: tokenId,
      changes: fieldChanges({ deriveStudentNumbers: before?.derive_student_numbers ?? false }, { deriveStudentNumbers: patch.deriveStudentNumbers }),
    });
  });
  return (await listClients(db)).find((c) => c.id === tokenId)!;
}

/** The reference API's request ids: integers, one per call. */
export async function nextRequestId(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ id: string }>`select nextval('course_api_request_ids') as id`.execute(db);
  return Number(r.rows[0].id);
}

