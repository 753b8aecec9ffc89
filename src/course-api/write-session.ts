// The write session: one transaction, one lock, an index of the courses it may touch. Every write
// is audited in its own transaction with the acting record-system client (its API token) as the
// actor. Writers take one table lock, so the uniqueness and similarity checks cannot race.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError, type FieldError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { COURSE_ENTITY, toApiCourse, type ApiCourse, type Clock, type CourseRow } from './api-course.ts';
import { CourseIndex } from './course-index.ts';
import {
  codeKey,
  DEFAULT_STUDENTS,
  leadLecturerErrors,
  nameKey,
  planAmend,
  zeroDropWarning,
  type AcademicYear,
  type CourseAmend,
  type CourseState,
  type CourseSubmit,
} from './rules.ts';
import { currentYear } from './settings.ts';

export interface WriteResult {
  outcome: 'created' | 'amended' | 'unchanged';
  course: ApiCourse;
  warnings: string[];
}

const toState = (r: CourseRow): CourseState => ({
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

interface Enrolment {
  enrolled: number;
  sections: number;
  /** Sections whose enrollment the SIS does not report (null): their students are not in `enrolled`. */
  unknown: number;
}

export interface WriteOptions {
  /** Where the call came from, for the audit context: rest, bulk, reference-api. */
  via: string;
  requestId?: number;
}

export class WriteSession {
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

  private conflictIfSimilar(code: string | undefined, name: string | undefined, self?: CourseRow) {
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

  private async saveYear(row: CourseRow) {
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
  private async submitExisting(existing: CourseRow, input: CourseSubmit): Promise<WriteResult> {
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
    await recordAudit(this.trx, this.actor, { action: 'create', entityType: COURSE_ENTITY, entityId: row.id, changes: fieldChanges(null, { ...course }), context: this.context({ courseCode: row.code }) });
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
      entityType: COURSE_ENTITY,
      entityId: row.id,
      changes: fieldChanges({ ...before }, { ...course }),
      context: this.context({ courseCode: row.code, ...(row.code !== current.code && { previousCourseCode: current.code }) }),
    });
    return { outcome: 'amended', course, warnings };
  }
}
