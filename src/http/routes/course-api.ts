// The Course API for record systems (issue #7): submit and amend courses by code, read them, bulk
// JSON or CSV uploads with a per-row report, the rollover guard, per-client settings, and the
// reference API's own SubmitCourse / AmendCourse calls (query-string parameters, its envelope).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { DomainError, ForbiddenError, InvalidError } from '../../domain/errors.ts';
import { can, type Actor } from '../../domain/permissions.ts';
import { parseCsv } from '../../sis/csv/csv-parse.ts';
import {
  BULK_MODES,
  COURSE_STATUSES,
  courseAmend,
  courseSubmit,
  fromFlatFields,
  issuesToErrors,
  MAX_BULK_ROWS,
} from '../../course-api/rules.ts';
import type { Clock } from '../../course-api/api-course.ts';
import { bulkWrite } from '../../course-api/bulk.ts';
import { listClients, nextRequestId, updateClient } from '../../course-api/clients.ts';
import { courseHistory, getCourseByCode, listApiCourses } from '../../course-api/reads.ts';
import { archiveEmptyCourses, rolloverStatus } from '../../course-api/rollover.ts';
import { getSettings, updateSettings } from '../../course-api/settings.ts';
import { amendCourse, submitCourse } from '../../course-api/write.ts';
import { actorOf, requireAdmin, requirePermission } from '../auth.ts';
import { limit, pageOf, problem, problems } from '../schemas.ts';
import { isTimeZone } from '../../domain/zoned-time.ts';

const tags = ['course-api'];

const courseApiCourse = z
  .object({
    id: z.string(),
    courseCode: z.string(),
    courseName: z.string(),
    numberOfWeeks: z.int(),
    numberOfStudents: z.int(),
    studentNumbersSource: z.enum(['client', 'schedule']).describe('Sent by the client, or derived from the schedule\'s enrolments'),
    department: z.string().nullable(),
    subject: z.string().nullable(),
    leadLecturer: z.string().nullable(),
    leadLecturerEmail: z.string().nullable(),
    status: z.enum(COURSE_STATUSES),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CourseApiCourse' });

const writeResult = z
  .object({ outcome: z.enum(['created', 'amended', 'unchanged']), course: courseApiCourse, warnings: z.array(z.string()) })
  .meta({ id: 'CourseApiWriteResult' });

const bulkReport = z
  .object({
    mode: z.enum(BULK_MODES),
    dryRun: z.boolean(),
    academicYear: z.string(),
    total: z.int(),
    created: z.int(),
    amended: z.int(),
    unchanged: z.int(),
    failed: z.int(),
    rows: z.array(
      z.object({
        row: z.int().describe('1 = the first row of data (in a CSV, the row after the header)'),
        courseCode: z.string().nullable(),
        action: z.enum(BULK_MODES).nullable(),
        outcome: z.enum(['created', 'amended', 'unchanged', 'error']),
        status: z.int().describe('The HTTP status this row would have had on its own'),
        courseId: z.string().nullable(),
        errors: z.array(z.object({ field: z.string(), message: z.string() })),
        warnings: z.array(z.string()),
      }),
    ),
  })
  .meta({ id: 'CourseApiBulkReport' });

const courseListItem = z
  .object({ courseCode: z.string(), courseName: z.string(), studentsZeroedAt: z.string().nullable() })
  .meta({ id: 'CourseApiRolloverItem' });
const rollover = z
  .object({
    timeZone: z.string(),
    rolloverMonth: z.int(),
    rolloverDay: z.int(),
    academicYear: z.string(),
    academicYearStartsOn: z.string(),
    nextRolloverOn: z.string(),
    today: z.string(),
    daysUntilRollover: z.int(),
    zeroStudentWindowStartsOn: z.string(),
    inZeroStudentWindow: z.boolean(),
    activeCourses: z.int(),
    zeroStudentCourses: z.object({ count: z.int(), items: z.array(courseListItem) }),
    droppedToZero: z.object({ count: z.int(), items: z.array(courseListItem) }),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'CourseApiRollover' });

const actorShape = z.object({ type: z.enum(['user', 'token', 'system']), id: z.string().nullable(), name: z.string() });
const history = z
  .object({
    course: courseApiCourse,
    clients: z.array(actorShape.extend({ changes: z.int(), firstAt: z.string(), lastAt: z.string() })).describe('Everyone (record-system clients and people) who changed this course'),
    studentNumbers: z.array(z.object({ academicYear: z.string(), numberOfStudents: z.int(), source: z.string(), updatedAt: z.string() })),
    changes: z.array(
      z.object({
        at: z.string(),
        actor: actorShape,
        action: z.string(),
        changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
        context: z.record(z.string(), z.unknown()),
      }),
    ),
  })
  .meta({ id: 'CourseApiHistory' });

const client = z
  .object({
    id: z.string().describe('The API token id'),
    name: z.string(),
    prefix: z.string(),
    revoked: z.boolean(),
    deriveStudentNumbers: z.boolean(),
    lastUsedAt: z.string().nullable(),
    coursesTouched: z.int(),
    lastChangeAt: z.string().nullable(),
  })
  .meta({ id: 'RecordSystemClient' });

const settings = z
  .object({
    rolloverMonth: z.int(),
    rolloverDay: z.int(),
    timeZone: z.string().nullable(),
    effectiveTimeZone: z.string(),
    hei: z.int().nullable(),
  })
  .meta({ id: 'CourseApiSettings' });
const settingsPatch = z
  .strictObject({
    rolloverMonth: z.int().min(1).max(12).optional(),
    rolloverDay: z.int().min(1).max(31).optional(),
    timeZone: z.string().refine(isTimeZone, 'Not an IANA time zone').nullable().optional().describe('Null: use the institution\'s zone'),
    hei: z.int().positive().nullable().optional().describe('The institution id the reference API\'s calls must name; null accepts any'),
  })
  .meta({ id: 'CourseApiSettingsPatch' });

const codeParams = z.strictObject({ courseCode: z.string().min(1).max(100) });
const bulkQuery = z.strictObject({
  mode: z.enum(BULK_MODES).default('amend').describe('amend (default: only existing codes), submit (only new ones) or upsert'),
  allowSimilar: z.stringbool().default(false),
  dryRun: z.stringbool().default(false).describe('Validate and report without writing'),
});
const bulkBody = z
  .strictObject({ rows: z.array(z.record(z.string(), z.unknown())).max(MAX_BULK_ROWS).describe('CourseApiBulkRow objects, each validated on its own') })
  .meta({ id: 'CourseApiBulk' });

/** Reading is for record systems and for anyone who may view the schedule. */
function requireRead(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (!can(actor, 'courseApi.write') && !can(actor, 'sections.view'))
    throw new ForbiddenError('Your role does not allow reading the Course API (courseApi.write or sections.view).', { permission: 'sections.view' });
  return actor;
}

// The reference API's envelope: {status, status-code, status-message, request-id}.
const envelope = z
  .object({ status: z.string(), 'status-code': z.int(), 'status-message': z.string(), 'request-id': z.int() })
  .meta({ id: 'ReferenceCourseApiResponse' });

/**
 * An error the reference call answers itself comes in its envelope, as application/json; one found
 * before the call reaches the handler (a bad token, a malformed request) stays problem+json.
 */
const referenceError = {
  description: 'The reference envelope (application/json), or problem details (RFC 9457) for a bad token or a malformed request',
  content: { 'application/json': { schema: envelope }, 'application/problem+json': { schema: problem } },
};

const CSV_FLAG = Symbol('courseApiCsv');

export const courseApiRoutes = (db: Kysely<DB>, clock: Clock): FastifyPluginAsyncZod => async (app) => {
  // A CSV upload becomes the same { rows } a JSON request sends; the report numbers its data rows.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (request, body, done) => {
    const [header, ...records] = parseCsv(String(body).replace(/^\uFEFF/, ''));
    if (!header) return done(new InvalidError('The CSV is empty: send a header row and one row per course.', [{ field: '(body)', message: 'Empty CSV' }]));
    if (records.length > MAX_BULK_ROWS)
      return done(new InvalidError(`At most ${MAX_BULK_ROWS} rows per upload; this one has ${records.length}.`, [{ field: 'rows', message: `More than ${MAX_BULK_ROWS} rows` }]));
    const converted = records.map((cells) => fromFlatFields(Object.fromEntries(header.map((name, i) => [name.trim(), cells[i] ?? '']))));
    const unknown = [...new Set(converted.flatMap((c) => c.unknown))];
    if (unknown.length > 0)
      return done(new InvalidError(`Unknown column(s): ${unknown.join(', ')}.`, unknown.map((field) => ({ field, message: 'Unknown column' }))));
    (request as unknown as Record<symbol, boolean>)[CSV_FLAG] = true;
    done(null, { rows: converted.map((c) => c.value) });
  });

  app.post(
    '/api/v1/course-api/courses',
    {
      schema: {
        tags,
        summary:
          'Submit a new course (active; 201). The same fields again for an existing active course are a safe retry: 200, outcome unchanged. ' +
          '409 when the code exists with other fields, or a similar code or the same name does (unless allowSimilar)',
        body: courseSubmit,
        response: { 201: writeResult, 200: writeResult, ...problems },
      },
    },
    async (request, reply) => {
      const result = await submitCourse(db, requirePermission(request, 'courseApi.write'), clock, request.body);
      return reply.code(result.outcome === 'created' ? 201 : 200).send(result);
    },
  );

  app.patch(
    '/api/v1/course-api/courses/:courseCode',
    {
      schema: {
        tags,
        summary:
          'Amend a course by its exact code; omitted fields stay as they are. 404 when no course has this code; ' +
          '409 with currentVersion when a version is sent and the course has changed since',
        params: codeParams,
        body: courseAmend,
        response: { 200: writeResult, ...problems },
      },
    },
    async (request) => amendCourse(db, requirePermission(request, 'courseApi.write'), clock, request.params.courseCode, request.body),
  );

  app.get(
    '/api/v1/course-api/courses/:courseCode',
    { schema: { tags, summary: 'One course by its exact code', params: codeParams, response: { 200: courseApiCourse, ...problems } } },
    async (request) => {
      requireRead(request);
      return getCourseByCode(db, request.params.courseCode);
    },
  );

  app.get(
    '/api/v1/course-api/courses/:courseCode/history',
    {
      schema: {
        tags,
        summary: 'Which clients changed a course, its student numbers per academic year, and every change',
        params: codeParams,
        response: { 200: history, ...problems },
      },
    },
    async (request) => {
      requireRead(request);
      return courseHistory(db, request.params.courseCode);
    },
  );

  app.get(
    '/api/v1/course-api/courses',
    {
      schema: {
        tags,
        summary: 'List courses by code, filtered and cursor-paginated',
        querystring: z.strictObject({
          status: z.enum(COURSE_STATUSES).optional(),
          q: z.string().max(100).optional().describe('Text in the code or name'),
          department: z.string().max(255).optional(),
          subject: z.string().max(255).optional(),
          zeroStudents: z.stringbool().optional(),
          clientId: z.uuid().optional().describe('Only courses this record-system client (token id) changed'),
          limit,
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(courseApiCourse), ...problems },
      },
    },
    async (request) => {
      requireRead(request);
      return listApiCourses(db, request.query);
    },
  );

  app.post(
    '/api/v1/course-api/courses/bulk',
    {
      schema: {
        tags,
        summary: `Submit or amend up to ${MAX_BULK_ROWS} courses: JSON { rows } or a text/csv upload (header row with the field names); a report per row`,
        consumes: ['application/json', 'text/csv'],
        querystring: bulkQuery,
        body: bulkBody,
        response: { 200: bulkReport, ...problems },
      },
    },
    async (request) => {
      const actor = requirePermission(request, 'courseApi.write');
      const csv = (request as unknown as Record<symbol, boolean>)[CSV_FLAG] === true;
      return bulkWrite(db, actor, clock, request.body.rows, { ...request.query, via: csv ? 'bulk-csv' : 'bulk' });
    },
  );

  app.get(
    '/api/v1/course-api/rollover',
    {
      schema: {
        tags,
        summary: 'The academic year, the next rollover, courses with 0 students and the guard\'s warnings',
        response: { 200: rollover, ...problems },
      },
    },
    async (request) => {
      requireRead(request);
      return rolloverStatus(db, clock);
    },
  );

  app.post(
    '/api/v1/course-api/rollover/archive-empty',
    {
      schema: {
        tags,
        summary: 'Archive every active course with 0 students (an audited admin action; dryRun lists them only)',
        body: z.strictObject({ confirm: z.literal('archive').optional(), dryRun: z.boolean().default(false) }).meta({ id: 'CourseApiArchiveEmpty' }),
        response: { 200: z.object({ academicYear: z.string(), dryRun: z.boolean(), archived: z.array(courseApiCourse) }), ...problems },
      },
    },
    async (request) => {
      const actor = requireAdmin(request, 'courses.edit');
      if (!request.body.dryRun && request.body.confirm !== 'archive')
        throw new InvalidError('Archiving every empty course needs confirm: "archive" (or dryRun: true to see which).', [
          { field: 'confirm', message: 'Send "archive"' },
        ]);
      return archiveEmptyCourses(db, actor, clock, request.body.dryRun);
    },
  );

  app.get(
    '/api/v1/course-api/settings',
    { schema: { tags, summary: 'Rollover date, time zone and the reference API\'s institution id', response: { 200: settings, ...problems } } },
    async (request) => {
      requireRead(request);
      return getSettings(db);
    },
  );

  app.patch(
    '/api/v1/course-api/settings',
    { schema: { tags, summary: 'Change the rollover date, time zone or institution id', body: settingsPatch, response: { 200: settings, ...problems } } },
    async (request) => updateSettings(db, requireAdmin(request, 'courses.edit'), request.body),
  );

  app.get(
    '/api/v1/course-api/clients',
    { schema: { tags, summary: 'Record-system clients (tokens of kind record_system), their settings and the courses they touched', response: { 200: z.array(client), ...problems } } },
    async (request) => {
      requireAdmin(request, 'tokens.manage');
      return listClients(db);
    },
  );

  app.patch(
    '/api/v1/course-api/clients/:id',
    {
      schema: {
        tags,
        summary: 'Set whether this client\'s student numbers are derived from the schedule\'s enrolments',
        params: z.strictObject({ id: z.uuid() }),
        body: z.strictObject({ deriveStudentNumbers: z.boolean() }).meta({ id: 'RecordSystemClientPatch' }),
        response: { 200: client, ...problems },
      },
    },
    async (request) => updateClient(db, requireAdmin(request, 'tokens.manage'), request.params.id, request.body),
  );

  // ---- the reference API (CLA DCS): SubmitCourse and AmendCourse, parameters in the query string --

  const referenceQuery = z.record(z.string(), z.string()).describe('hei, coursecode, coursename, numberofweeks, numberofstudents, department, subject, leadlecturer, leadlectureremail, status (SubmitCourse: Active only); AmendCourse also newcoursecode and confirm=delete');

  async function reference(request: FastifyRequest, reply: FastifyReply, call: 'SubmitCourse' | 'AmendCourse') {
    const requestId = await nextRequestId(db);
    const answer = (code: number, message: string) =>
      reply.code(code).send({ status: code < 300 ? 'Success' : 'Error', 'status-code': code, 'status-message': message, 'request-id': requestId });
    try {
      const actor = requirePermission(request, 'courseApi.write');
      const query = request.query as Record<string, string>;
      const heiRaw = Object.entries(query).find(([k]) => k.toLowerCase() === 'hei')?.[1];
      const { hei } = await getSettings(db);
      if (heiRaw === undefined || !/^\d+$/.test(heiRaw.trim())) throw new InvalidError('hei is required: your institution id.', [{ field: 'hei', message: 'Required, an integer' }]);
      if (hei !== null && Number(heiRaw) !== hei) throw new ForbiddenError(`This client is not subscribed to institution ${heiRaw}.`);
      const { value, unknown } = fromFlatFields(query, ['hei']);
      if (unknown.length > 0) throw new InvalidError(`Unknown parameter(s): ${unknown.join(', ')}.`, unknown.map((field) => ({ field, message: 'Unknown parameter' })));
      const options = { via: 'reference-api', requestId };
      if (call === 'SubmitCourse') {
        const parsed = courseSubmit.safeParse(value);
        if (!parsed.success) throw new InvalidError('Invalid parameters.', issuesToErrors(parsed.error));
        const result = await submitCourse(db, actor, clock, parsed.data, options);
        const done = result.outcome === 'unchanged' ? `Course ${result.course.courseCode} already exists with these fields: no change.` : `Course ${result.course.courseCode} submitted.`;
        return answer(200, [done, ...result.warnings].join(' '));
      }
      const { courseCode, ...rest } = value;
      if (typeof courseCode !== 'string') throw new InvalidError('coursecode is required: the code of the course to amend.', [{ field: 'coursecode', message: 'Required' }]);
      const parsed = courseAmend.safeParse(rest);
      if (!parsed.success) throw new InvalidError('Invalid parameters.', issuesToErrors(parsed.error));
      const result = await amendCourse(db, actor, clock, courseCode, parsed.data, options);
      const done = result.outcome === 'unchanged' ? `Course ${courseCode}: no change.` : `Course ${result.course.courseCode} amended.`;
      return answer(200, [done, ...result.warnings].join(' '));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const fields = (error.extensions.errors as { field: string; message: string }[] | undefined) ?? [];
      const detail = fields.length > 0 && !error.message.includes(fields[0].message) ? ` (${fields.map((f) => `${f.field}: ${f.message}`).join('; ')})` : '';
      return answer(error.status, error.message + detail);
    }
  }

  for (const call of ['SubmitCourse', 'AmendCourse'] as const) {
    app.route({
      method: call === 'SubmitCourse' ? ['POST', 'PUT'] : ['PUT', 'POST'],
      url: `/api/v1/course-api/reference/${call}`,
      schema: {
        tags,
        summary: `The reference Course API's ${call} (query-string parameters, its response envelope). Send the token as Bearer, Basic password or Ocp-Apim-Subscription-Key`,
        querystring: referenceQuery,
        response: { 200: envelope, 400: referenceError, 401: referenceError, 403: referenceError, 404: referenceError, 409: referenceError, 422: referenceError },
      },
      handler: (request, reply) => reference(request, reply, call),
    });
  }
};
