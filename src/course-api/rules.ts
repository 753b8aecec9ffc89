// The Course API's rules for record-system clients (issue #7), pure: field validation, course-code
// and name normalization (the "similar course" check), the status machine (Deleted is final), what
// an amend changes (omitted fields stay as they are: never reset to 52 weeks or 0 students), the
// academic year and its rollover date in the institution's time zone, and the 0-student guard.
// No I/O: the store applies what these functions decide.
import { z } from 'zod';
import type { FieldError } from '../domain/errors.ts';
import { instantToLocal } from '../domain/zoned-time.ts';

export const COURSE_STATUSES = ['active', 'archived', 'deleted'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

export const DEFAULT_WEEKS = 52;
export const DEFAULT_STUDENTS = 0;
export const MAX_BULK_ROWS = 10_000;
/** The reference system shows "Courses with 0 students" from 3 months before rollover. */
export const ZERO_STUDENT_WINDOW_MONTHS = 3;

const text = (max: number) => z.string().trim().min(1, 'Must not be blank').max(max);
const courseCode = z
  .string()
  .trim()
  .min(1, 'Course code is required')
  .max(100)
  .refine((s) => !s.includes('/'), 'A course code cannot contain "/"')
  .describe('Unique per institution; matched exactly (case, spacing and punctuation count)');
const weeks = z.int('Must be a whole number').min(1, 'Must be between 1 and 52').max(52, 'Must be between 1 and 52');
const students = z.int('Must be a whole number').min(0, 'Must be 0 or more').max(1_000_000);
const email = z.email('Must be a valid email address, name@place').max(254);

const optionalFields = {
  department: text(255).nullable(),
  subject: text(255).nullable(),
  leadLecturer: text(255).nullable().describe('Required when leadLecturerEmail is given'),
  leadLecturerEmail: email.nullable().describe('Required when leadLecturer is given'),
};

export const courseSubmit = z
  .strictObject({
    courseCode,
    courseName: text(255),
    numberOfWeeks: weeks.default(DEFAULT_WEEKS),
    numberOfStudents: students.optional().describe('Default 0; derived from the schedule when the client is set to'),
    department: optionalFields.department.optional(),
    subject: optionalFields.subject.optional(),
    leadLecturer: optionalFields.leadLecturer.optional(),
    leadLecturerEmail: optionalFields.leadLecturerEmail.optional(),
    // Record systems send the status they hold with every row, new courses included.
    status: z
      .literal('active', 'A new course is always active: send active or leave status out')
      .optional()
      .describe('A new course is always active; active is accepted so a record system can send the status it holds'),
    allowSimilar: z.boolean().default(false).describe('Submit even when a course with a similar code or the same name exists'),
  })
  .meta({ id: 'CourseApiSubmit' });
export type CourseSubmit = z.output<typeof courseSubmit>;

export const courseAmend = z
  .strictObject({
    newCourseCode: courseCode.optional().describe('Renames the course; must be unique'),
    courseName: text(255).optional(),
    numberOfWeeks: weeks.optional(),
    numberOfStudents: students.optional(),
    department: optionalFields.department.optional(),
    subject: optionalFields.subject.optional(),
    leadLecturer: optionalFields.leadLecturer.optional(),
    leadLecturerEmail: optionalFields.leadLecturerEmail.optional(),
    status: z
      .enum(COURSE_STATUSES)
      .optional()
      .describe('Left out: unchanged. Deleted is permanent and needs confirm: "delete"; active or archived on a deleted course changes nothing (a warning says so)'),
    confirm: z.literal('delete').optional().describe('Required to move a course to deleted'),
    allowSimilar: z.boolean().default(false).describe('Rename even when a course with a similar code or the same name exists'),
    version: z
      .int('Must be a whole number')
      .positive()
      .optional()
      .describe('The version you read: if the course has changed since, nothing is written and the answer is 409 with currentVersion. Left out: the amend applies to whatever the course now holds'),
  })
  .meta({ id: 'CourseApiAmend' });
export type CourseAmend = z.output<typeof courseAmend>;

export const BULK_MODES = ['submit', 'amend', 'upsert'] as const;
export type BulkMode = (typeof BULK_MODES)[number];

/** One bulk row: the amend fields plus the code to match, and an optional per-row action. */
export const bulkRow = z
  .strictObject({
    courseCode,
    action: z.enum(BULK_MODES).optional().describe('Overrides the request mode for this row'),
    ...courseAmend.shape,
    allowSimilar: z.boolean().optional(),
  })
  .meta({ id: 'CourseApiBulkRow' });
export type BulkRow = z.output<typeof bulkRow>;

/** The stored state of a course the rules look at. */
export interface CourseState {
  courseCode: string;
  courseName: string;
  numberOfWeeks: number;
  numberOfStudents: number;
  department: string | null;
  subject: string | null;
  leadLecturer: string | null;
  leadLecturerEmail: string | null;
  status: CourseStatus;
}

/** "MATH 101", "math-101" and "Math101" share the key "MATH101". */
export function codeKey(code: string): string {
  return code.normalize('NFKC').toUpperCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Names compared without case, punctuation or repeated spaces. */
export function nameKey(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Both lead lecturer fields or neither, on the state the write would leave. */
export function leadLecturerErrors(state: Pick<CourseState, 'leadLecturer' | 'leadLecturerEmail'>): FieldError[] {
  if (state.leadLecturer && !state.leadLecturerEmail)
    return [{ field: 'leadLecturerEmail', message: 'Required when leadLecturer is given' }];
  if (!state.leadLecturer && state.leadLecturerEmail)
    return [{ field: 'leadLecturer', message: 'Required when leadLecturerEmail is given' }];
  return [];
}

export type TransitionVerdict =
  | { ok: true; to: CourseStatus; warning?: string }
  | { ok: false; kind: 'confirm'; field: string; message: string };

/**
 * Active ↔ Archived freely; Active/Archived → Deleted only with confirm "delete"; Deleted is final.
 * Leaving status out keeps it. Asking a deleted course to be active or archived is, as in the
 * reference API, "no change, course remains permanently deleted": a record system that sends
 * its status on every sync must not get an error for each course deleted here.
 */
export function statusTransition(from: CourseStatus, to: CourseStatus | undefined, confirm: string | undefined): TransitionVerdict {
  if (to === undefined || to === from) return { ok: true, to: from };
  if (from === 'deleted')
    return { ok: true, to: from, warning: `Status ${to} was not applied: the course is permanently deleted and stays deleted.` };
  if (to === 'deleted' && confirm !== 'delete')
    return { ok: false, kind: 'confirm', field: 'confirm', message: 'Deleting a course is permanent. Send confirm: "delete" to delete it (or archive it instead).' };
  return { ok: true, to };
}

export type AmendPlan =
  | { ok: true; next: CourseState; changed: (keyof CourseState)[]; warnings: string[] }
  | { ok: false; kind: 'permanent' | 'invalid'; errors: FieldError[]; message: string };

const AMENDABLE = ['courseName', 'numberOfWeeks', 'numberOfStudents', 'department', 'subject', 'leadLecturer', 'leadLecturerEmail'] as const;

/**
 * The state an amend leaves. A field the amend leaves out (undefined) keeps its value; only an
 * explicit null clears an optional text field. A deleted course cannot be amended at all (asking
 * it to be active or archived again is no change, with a warning).
 */
export function planAmend(current: CourseState, amend: Omit<CourseAmend, 'allowSimilar'>): AmendPlan {
  const transition = statusTransition(current.status, amend.status, amend.confirm);
  if (!transition.ok) return { ok: false, kind: 'invalid', errors: [{ field: transition.field, message: transition.message }], message: transition.message };
  const next: CourseState = { ...current, status: transition.to };
  if (amend.newCourseCode !== undefined) next.courseCode = amend.newCourseCode;
  for (const key of AMENDABLE) if (amend[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = amend[key];
  const changed = (Object.keys(next) as (keyof CourseState)[]).filter((k) => next[k] !== current[k]);
  if (current.status === 'deleted' && changed.length > 0) {
    const message = 'This course is deleted, and deletion is permanent: it cannot be amended.';
    return { ok: false, kind: 'permanent', errors: changed.map((field) => ({ field, message: 'The course is permanently deleted' })), message };
  }
  const lecturer = leadLecturerErrors(next);
  if (lecturer.length > 0) return { ok: false, kind: 'invalid', errors: lecturer, message: 'Give the lead lecturer and their email together, or neither.' };
  return { ok: true, next, changed, warnings: transition.warning ? [transition.warning] : [] };
}

// ---- academic year, rollover, time zone ------------------------------------------------------

export interface RolloverDate {
  month: number;
  day: number;
}
export const DEFAULT_ROLLOVER: RolloverDate = { month: 6, day: 15 };


const pad = (n: number) => String(n).padStart(2, '0');
/** The rollover date in a given year; 29 February falls back to the 28th in other years. */
function rolloverOn(year: number, r: RolloverDate): string {
  const last = new Date(Date.UTC(year, r.month, 0)).getUTCDate();
  return `${year}-${pad(r.month)}-${pad(Math.min(r.day, last))}`;
}

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return `${target.getUTCFullYear()}-${pad(target.getUTCMonth() + 1)}-${pad(Math.min(d, last))}`;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface AcademicYear {
  /** "2025-26": the year that started on the last rollover. */
  label: string;
  startsOn: string;
  /** The next rollover date, when the following year starts. */
  nextRolloverOn: string;
  today: string;
  daysUntilRollover: number;
  /** From here until rollover, 0-student courses are listed and drops to 0 are warned about. */
  zeroStudentWindowStartsOn: string;
  inZeroStudentWindow: boolean;
}

export function academicYear(now: Date, timeZone: string, rollover: RolloverDate = DEFAULT_ROLLOVER): AcademicYear {
  const today = instantToLocal(now, timeZone).slice(0, 10);
  const year = Number(today.slice(0, 4));
  const thisYears = rolloverOn(year, rollover);
  const startYear = today >= thisYears ? year : year - 1;
  const startsOn = rolloverOn(startYear, rollover);
  const nextRolloverOn = rolloverOn(startYear + 1, rollover);
  const zeroStudentWindowStartsOn = addMonths(nextRolloverOn, -ZERO_STUDENT_WINDOW_MONTHS);
  return {
    label: `${startYear}-${pad((startYear + 1) % 100)}`,
    startsOn,
    nextRolloverOn,
    today,
    daysUntilRollover: daysBetween(today, nextRolloverOn),
    zeroStudentWindowStartsOn,
    inZeroStudentWindow: today >= zeroStudentWindowStartsOn,
  };
}

/** The reference system's trap: a record system refreshes its numbers before rollover and zeroes every course. */
export function zeroDropWarning(before: number | null, after: number, year: AcademicYear): string | undefined {
  if (after !== 0 || before === null || before === 0 || !year.inZeroStudentWindow) return undefined;
  return (
    `Student numbers dropped from ${before} to 0 within ${ZERO_STUDENT_WINDOW_MONTHS} months of the academic-year rollover on ${year.nextRolloverOn}. ` +
    'If your record system has already refreshed its numbers for next year, send this year\'s numbers instead; a course with 0 students must be archived or given a number before rollover.'
  );
}

/** The rollover guard's warnings for the whole institution. */
export function rolloverWarnings(year: AcademicYear, zeroCount: number, droppedCount: number): string[] {
  if (!year.inZeroStudentWindow) return [];
  const warnings: string[] = [];
  if (droppedCount > 0)
    warnings.push(
      `${droppedCount} course(s) dropped to 0 students since ${year.zeroStudentWindowStartsOn}, shortly before the rollover on ${year.nextRolloverOn}: ` +
        'check that your record system has not already switched to next year\'s (still empty) numbers.',
    );
  if (zeroCount > 0)
    warnings.push(
      `${zeroCount} active course(s) have 0 students. Before the rollover on ${year.nextRolloverOn}, give them their student numbers or archive them (POST /api/v1/course-api/rollover/archive-empty).`,
    );
  return warnings;
}

// ---- the reference API's parameters (SubmitCourse / AmendCourse) -----------------------------

/** Query-string parameter (lower-cased) → our field. */
export const REFERENCE_PARAMETERS: Record<string, string> = {
  coursecode: 'courseCode',
  newcoursecode: 'newCourseCode',
  coursename: 'courseName',
  numberofweeks: 'numberOfWeeks',
  numberofstudents: 'numberOfStudents',
  department: 'department',
  subject: 'subject',
  leadlecturer: 'leadLecturer',
  leadlectureremail: 'leadLecturerEmail',
  status: 'status',
  confirm: 'confirm',
  allowsimilar: 'allowSimilar',
  action: 'action',
};

const NUMERIC = new Set(['numberOfWeeks', 'numberOfStudents']);
const BOOLEAN = new Set(['allowSimilar']);
const LOWERCASE = new Set(['status', 'action', 'confirm']);

/**
 * Flat string fields (a query string, a CSV row) → the JSON the zod schemas validate. Blank means
 * "left out" (the reference API: "blank = unchanged"); names match without case, spaces or
 * punctuation ("Course Code", "CourseCode", "coursecode"). Unknown names are returned apart.
 */
export function fromFlatFields(fields: Record<string, string | undefined>, ignore: readonly string[] = []): { value: Record<string, unknown>; unknown: string[] } {
  const value: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (ignore.includes(key)) continue;
    const field = REFERENCE_PARAMETERS[key];
    if (!field) {
      unknown.push(name);
      continue;
    }
    const trimmed = (raw ?? '').trim();
    if (trimmed === '') continue;
    if (NUMERIC.has(field)) value[field] = /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
    else if (BOOLEAN.has(field)) value[field] = /^(true|yes|1)$/i.test(trimmed) ? true : /^(false|no|0)$/i.test(trimmed) ? false : trimmed;
    else if (LOWERCASE.has(field)) value[field] = trimmed.toLowerCase();
    else value[field] = trimmed;
  }
  return { value, unknown };
}

/** zod issues → field errors, the same shape as problem+json `errors`. */
export function issuesToErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ field: prefix + k, message: 'Unknown field' }));
    const path = issue.path.join('.');
    return [{ field: prefix + (path || '(root)'), message: issue.message }];
  });
}
