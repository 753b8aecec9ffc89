// The schedule's records as the API speaks them: one zod schema per shape, the single source for
// validation, TypeScript types and the OpenAPI document. Inputs are strict (unknown fields refused),
// and every input field's messages are written for the person who sees them beside the field.
import { z } from 'zod';
import { email, isoDate, listOf, numberBetween, oneOf, ref, requiredText, text, typeError, version, wholeNumber, yesNo } from './field-schemas.ts';
import { INTEGRATION_STATES } from './integration-status.ts';

const clockTime = z
  .string({ error: 'Use 24-hour HH:MM' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use 24-hour HH:MM')
  .describe('Local time, HH:MM');

export const DAYS = 'MTWRFSU';
const DAYS_FORMAT = 'Days are letters of MTWRFSU in that order, e.g. "MWF" or "TR"';
export const daysSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'Give the meeting days, e.g. "MWF" ("" for an arranged meeting)' : DAYS_FORMAT) })
  .regex(/^M?T?W?R?F?S?U?$/, DAYS_FORMAT)
  .describe('Meeting days, letters of MTWRFSU (R = Thursday, U = Sunday)');

/** A meeting is held every n weeks on its days (a lab every other week: 2), at most once a year. */
export const MAX_WEEK_INTERVAL = 52;
const WEEK_INTERVAL_RANGE = `Give every how many weeks the meeting is held: a whole number from 1 (weekly) to ${MAX_WEEK_INTERVAL}`;
const weekInterval = z
  .int({ error: WEEK_INTERVAL_RANGE })
  .min(1, WEEK_INTERVAL_RANGE)
  .max(MAX_WEEK_INTERVAL, WEEK_INTERVAL_RANGE)
  .describe('The meeting is held every n weeks on its days: 1 weekly (the default), 2 every other week');

export const meetingInput = z
  .strictObject({
    days: daysSchema,
    startTime: clockTime.nullable().default(null),
    endTime: clockTime.nullable().default(null),
    startDate: isoDate('Start date').nullable().default(null),
    endDate: isoDate('End date').nullable().default(null),
    roomId: ref('Room').nullable().default(null).describe('None for arranged or online meetings'),
    weekInterval: weekInterval.default(1),
  })
  .superRefine((m, ctx) => {
    if ((m.startTime === null) !== (m.endTime === null))
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'Give both start and end time, or neither (arranged)' });
    if (m.startTime !== null && m.endTime !== null && m.endTime <= m.startTime)
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'End time must be after start time' });
    if (m.startDate !== null && m.endDate !== null && m.endDate < m.startDate)
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'End date must not be before start date' });
    if (m.days === '' && m.startTime !== null)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'A meeting with times needs at least one day' });
  })
  .meta({ id: 'MeetingWrite' });
export type MeetingInput = z.output<typeof meetingInput>;

export const meeting = z
  .object({
    days: z.string(),
    startTime: z.string().nullable(),
    endTime: z.string().nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    roomId: z.string().nullable(),
    weekInterval: z.int().describe('Every n weeks: 1 weekly, 2 every other week'),
  })
  .meta({ id: 'Meeting' });
export type Meeting = z.output<typeof meeting>;

export const instructorAssignment = z
  .strictObject({ instructorId: ref('Instructor'), role: oneOf('Role', ['primary', 'secondary']).default('primary') })
  .meta({ id: 'InstructorAssignment' });
export type InstructorAssignment = z.output<typeof instructorAssignment>;

export const SECTION_STATUSES = ['active', 'cancelled'] as const;

const SIS_NUMBER = "The section's number in the SIS as registrars know it (Banner CRN, PeopleSoft class number)";
/** The SIS number is the SIS's alone: a write that sends one is refused by name, not as an unknown field. */
const sisNumberRefused = z
  .never({ error: 'The SIS number comes from the SIS and cannot be set in the hub' })
  .optional()
  .describe(`Read-only: ${SIS_NUMBER}, set by the SIS`);
export const INSTRUCTION_MODES = ['in_person', 'online', 'hybrid', 'arranged'] as const;

const sectionFields = {
  sectionNumber: requiredText('Section number', 10),
  component: requiredText('Component', 10).describe('LEC, LAB, DIS, SEM, …'),
  capacity: wholeNumber('Capacity', 100_000),
  instructionMode: oneOf('Instruction mode', INSTRUCTION_MODES),
  campus: text('Campus', 40).nullable(),
  partOfTerm: text('Part of term', 10).nullable(),
  title: text('Title', 100).nullable().describe('Overrides the course title for this section'),
  credits: numberBetween('Credits', 0, 99).nullable().describe('Overrides the course credits for this section'),
  allowIntegration: yesNo('Allow integration').nullable().describe('Blank or true: posted to the SIS; false: never posted'),
  sourceOfTruth: oneOf('Source of truth', ['sis', 'hub', 'none'])
    .nullable()
    .describe('Overrides the merge settings\' source of truth for this section (blank: the settings decide); needs mergeSettings.edit'),
  meetings: listOf(meetingInput, 'Meetings', 20, 'A section'),
  instructors: listOf(instructorAssignment, 'Instructors', 20, 'A section'),
  sisNumber: sisNumberRefused,
};

export const sectionCreate = z
  .strictObject({
    termId: ref('Term'),
    courseId: ref('Course'),
    sectionNumber: sectionFields.sectionNumber,
    component: sectionFields.component,
    capacity: sectionFields.capacity.default(0),
    instructionMode: sectionFields.instructionMode.default('in_person'),
    campus: sectionFields.campus.default(null),
    partOfTerm: sectionFields.partOfTerm.default(null),
    title: sectionFields.title.default(null),
    credits: sectionFields.credits.default(null),
    allowIntegration: sectionFields.allowIntegration.default(null),
    sourceOfTruth: sectionFields.sourceOfTruth.default(null),
    meetings: sectionFields.meetings.default([]),
    instructors: sectionFields.instructors.default([]),
    sisNumber: sectionFields.sisNumber,
  })
  .meta({ id: 'SectionCreate' });
export type SectionCreate = z.output<typeof sectionCreate>;

export const sectionPatch = z
  .strictObject(sectionFields)
  .partial()
  .extend({ version })
  .meta({ id: 'SectionPatch' });
export type SectionPatch = z.output<typeof sectionPatch>;

/** The section fields a change can touch, as phases and audit name them. */
export const SECTION_FIELDS = [
  'sectionNumber',
  'component',
  'capacity',
  'instructionMode',
  'campus',
  'partOfTerm',
  'title',
  'credits',
  'allowIntegration',
  'sourceOfTruth',
  'meetingPatterns',
  'rooms',
  'instructors',
] as const;
export type SectionField = (typeof SECTION_FIELDS)[number];

export const integrationStatusView = z
  .object({
    status: z.enum(INTEGRATION_STATES),
    detail: z.string().nullable().describe('Why, when the status alone does not say: queued, retrying, maintenance, waiting_for_sections, awaiting_sis_key, integration_disabled, section_integration_disabled (a relationship one of whose sections has Allow integration = No), changed_while_sync_off (not_synced: edited while sync was off for its term, by the merge settings or its phase in force; posted once sync is on, in real time, by the nightly sync or by Send Updates), awaiting_nightly (pending: edited in a term posted by the nightly sync only, for now or for good), rejected, conflict, retries_exhausted'),
    attempts: z.int(),
    lastAttemptAt: z.string().nullable(),
    nextRetryAt: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    errorCode: z.string().nullable(),
    messages: z.array(z.object({ message: z.string(), field: z.string().nullable(), code: z.string().nullable() })),
    raw: z.unknown().describe("The SIS's own error payload, as received"),
  })
  .meta({ id: 'IntegrationStatus' });
export type IntegrationStatusView = z.output<typeof integrationStatusView>;

export const section = z
  .object({
    id: z.string(),
    termId: z.string(),
    courseId: z.string(),
    subject: z.string(),
    courseNumber: z.string(),
    courseTitle: z.string(),
    departmentId: z.string().nullable(),
    sectionNumber: z.string(),
    component: z.string(),
    status: z.enum(SECTION_STATUSES),
    capacity: z.int(),
    enrolled: z.int().nullable().describe('Students enrolled as the SIS last reported; null where the SIS does not report enrollment (Ethos sections) or has not yet'),
    instructionMode: z.string(),
    campus: z.string().nullable(),
    partOfTerm: z.string().nullable(),
    title: z.string().nullable(),
    credits: z.number().nullable(),
    allowIntegration: z.boolean().nullable(),
    sourceOfTruth: z.enum(['sis', 'hub', 'none']).nullable(),
    meetings: z.array(meeting),
    instructors: z.array(z.object({ instructorId: z.string(), role: z.enum(['primary', 'secondary']) })),
    sisNumber: z.string().nullable().describe(`${SIS_NUMBER}; null until the SIS has told the hub. Read-only`),
    sisKey: z.string().nullable(),
    sisDeletedAt: z.string().nullable(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    integrationStatus: integrationStatusView
      .optional()
      .describe('Present only for roles with integrationStatus.view, in terms where real-time or nightly sync is on'),
  })
  .meta({ id: 'Section' });
export type Section = z.output<typeof section>;

export const versionOnly = z.strictObject({ version }).meta({ id: 'VersionRef' });

// Terms
const termPart = z
  .strictObject({ code: requiredText('Part code', 10), name: requiredText('Part name', 100), startsOn: isoDate('Part start'), endsOn: isoDate('Part end') })
  .refine((p) => p.endsOn >= p.startsOn, { path: ['endsOn'], message: 'A part of term must not end before it starts' })
  .meta({ id: 'TermPart' });

const termFields = {
  code: requiredText('Term code', 20).describe('e.g. 2026-fa'),
  name: requiredText('Term name', 100),
  startsOn: isoDate('Start date'),
  endsOn: isoDate('End date'),
  parts: listOf(termPart, 'Parts', 30, 'A term')
    .superRefine((parts, ctx) => {
      parts.forEach((p, i) => {
        if (parts.findIndex((q) => q.code === p.code) < i) ctx.addIssue({ code: 'custom', path: [i, 'code'], message: `Part code ${p.code} is used twice` });
      });
    }),
};
const termDates = (t: { startsOn?: string; endsOn?: string }) => !t.startsOn || !t.endsOn || t.endsOn >= t.startsOn;
export const termCreate = z
  .strictObject({ ...termFields, parts: termFields.parts.default([]) })
  .refine(termDates, { path: ['endsOn'], message: 'A term must not end before it starts' })
  .meta({ id: 'TermCreate' });
export type TermCreate = z.output<typeof termCreate>;
export const termPatch = z
  .strictObject({
    version,
    code: termFields.code.optional(),
    name: termFields.name.optional(),
    startsOn: termFields.startsOn.optional(),
    endsOn: termFields.endsOn.optional(),
    parts: termFields.parts.optional(),
  })
  .meta({ id: 'TermPatch' });
export type TermPatch = z.output<typeof termPatch>;
export const term = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    startsOn: z.string(),
    endsOn: z.string(),
    parts: z.array(z.object({ code: z.string(), name: z.string(), startsOn: z.string(), endsOn: z.string() })),
    sisKey: z.string().nullable(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Term' });
export type Term = z.output<typeof term>;

// Courses
const subject = z
  .string({ error: typeError('Subject', 'Subject must be text, e.g. MATH') })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9&]{0,9}$/, 'Subject is 1-10 letters or digits, e.g. MATH');
const courseNumber = z.string({ error: typeError('Course number', 'Course number must be text, e.g. 101') }).trim().toUpperCase().regex(/^[0-9A-Z]{1,10}$/, 'Course number is 1-10 letters or digits');
const courseFields = {
  subject,
  number: courseNumber,
  title: requiredText('Title', 200),
  credits: numberBetween('Credits', 0, 99).describe('Fixed credits, or the least of a variable-credit course'),
  creditsMax: numberBetween('Maximum credits', 0, 99)
    .nullable()
    .describe('The most credits of a variable-credit course ("1 to 5": credits 1, creditsMax 5); null for fixed credits'),
  departmentId: ref('Department').nullable(),
  description: text('Description', 10_000, { trim: false }).nullable(),
};

/** A variable-credit range must not end below its start; `creditsMax` is the field to correct. */
export function creditRangeError(credits: number, creditsMax: number | null): string | null {
  return creditsMax !== null && creditsMax < credits ? `Maximum credits (${creditsMax}) must not be less than credits (${credits})` : null;
}
const creditRange = (c: { credits?: number; creditsMax?: number | null }, ctx: z.RefinementCtx) => {
  const message = c.credits === undefined || c.creditsMax === undefined ? null : creditRangeError(c.credits, c.creditsMax);
  if (message) ctx.addIssue({ code: 'custom', path: ['creditsMax'], message });
};

export const courseCreate = z
  .strictObject({
    ...courseFields,
    credits: courseFields.credits.default(0),
    creditsMax: courseFields.creditsMax.default(null),
    departmentId: courseFields.departmentId.default(null),
    description: courseFields.description.default(null),
  })
  .superRefine(creditRange)
  .meta({ id: 'CourseCreate' });
export type CourseCreate = z.output<typeof courseCreate>;
export const coursePatch = z
  .strictObject({
    version,
    subject: subject.optional(),
    number: courseNumber.optional(),
    title: courseFields.title.optional(),
    credits: courseFields.credits.optional(),
    creditsMax: courseFields.creditsMax.optional(),
    departmentId: courseFields.departmentId.optional(),
    description: courseFields.description.optional(),
  })
  .superRefine(creditRange)
  .meta({ id: 'CoursePatch' });
export type CoursePatch = z.output<typeof coursePatch>;
export const course = z
  .object({
    id: z.string(),
    subject: z.string(),
    number: z.string(),
    code: z.string().describe('Subject and number, e.g. "MATH 101"'),
    title: z.string(),
    credits: z.number().describe('Fixed credits, or the least of a variable-credit course'),
    creditsMax: z.number().nullable().describe('The most credits of a variable-credit course; null for fixed credits'),
    departmentId: z.string().nullable(),
    description: z.string().nullable(),
    sisKey: z.string().nullable(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Course' });
export type Course = z.output<typeof course>;

// Relationships
export const RELATIONSHIP_KINDS = ['crosslist', 'combined'] as const;
const members = listOf(z.strictObject({ sectionId: ref('Section'), primary: yesNo('Primary').default(false) }), 'Members', 50, 'A relationship')
  .min(2, 'A relationship groups at least two sections')
  .superRefine((list, ctx) => {
    if (list.filter((m) => m.primary).length !== 1)
      ctx.addIssue({ code: 'custom', message: 'Exactly one member must be the primary section' });
    if (new Set(list.map((m) => m.sectionId)).size !== list.length)
      ctx.addIssue({ code: 'custom', message: 'A section appears twice' });
  });
export const relationshipCreate = z
  .strictObject({
    termId: ref('Term'),
    kind: oneOf('Kind', RELATIONSHIP_KINDS),
    sharedCapacity: wholeNumber('Shared capacity').nullable().default(null),
    allowIntegration: yesNo('Allow integration').nullable().default(null),
    members,
  })
  .meta({ id: 'RelationshipCreate' });
export type RelationshipCreate = z.output<typeof relationshipCreate>;
export const relationshipPatch = z
  .strictObject({
    version,
    kind: oneOf('Kind', RELATIONSHIP_KINDS).optional(),
    sharedCapacity: wholeNumber('Shared capacity').nullable().optional(),
    allowIntegration: yesNo('Allow integration').nullable().optional(),
    members: members.optional(),
  })
  .meta({ id: 'RelationshipPatch' });
export type RelationshipPatch = z.output<typeof relationshipPatch>;
export const relationship = z
  .object({
    id: z.string(),
    termId: z.string(),
    kind: z.enum(RELATIONSHIP_KINDS),
    sharedCapacity: z.int().nullable(),
    allowIntegration: z.boolean().nullable(),
    members: z.array(z.object({ sectionId: z.string(), primary: z.boolean() })),
    sisKey: z.string().nullable(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    integrationStatus: integrationStatusView.optional(),
  })
  .meta({ id: 'Relationship' });
export type Relationship = z.output<typeof relationship>;

// Reference data: imported from the SIS, never posted; editable by hand for institutions without a feed.
export const departmentCreate = z
  .strictObject({ code: requiredText('Department code', 20), name: requiredText('Department name', 200) })
  .meta({ id: 'DepartmentCreate' });
export const department = z
  .object({ id: z.string(), code: z.string(), name: z.string(), sisKey: z.string().nullable() })
  .meta({ id: 'Department' });
export const buildingCreate = z
  .strictObject({ code: requiredText('Building code', 20), name: requiredText('Building name', 200), campus: text('Campus', 40, { trim: false }).nullable().default(null) })
  .meta({ id: 'BuildingCreate' });
export const building = z
  .object({ id: z.string(), code: z.string(), name: z.string(), campus: z.string().nullable(), sisKey: z.string().nullable() })
  .meta({ id: 'Building' });
export const roomCreate = z
  .strictObject({
    buildingId: ref('Building'),
    number: requiredText('Room number', 20),
    capacity: wholeNumber('Capacity', 100_000).default(0),
    active: yesNo('Active').default(true),
  })
  .meta({ id: 'RoomCreate' });
export const room = z
  .object({
    id: z.string(),
    buildingId: z.string(),
    buildingCode: z.string(),
    number: z.string(),
    capacity: z.int(),
    active: z.boolean(),
    sisKey: z.string().nullable(),
  })
  .meta({ id: 'Room' });
export const instructorCreate = z
  .strictObject({
    name: requiredText('Name', 200),
    email: email('Email').nullable().default(null),
    departmentId: ref('Department').nullable().default(null),
  })
  .meta({ id: 'InstructorCreate' });
export const instructor = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    departmentId: z.string().nullable(),
    sisKey: z.string().nullable(),
  })
  .meta({ id: 'Instructor' });
