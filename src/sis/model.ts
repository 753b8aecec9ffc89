// The normalized model every connector reads into and writes from. Names follow DESIGN §2.
// Every record is keyed by its SIS key (`key`); human codes are attributes only.
import { z } from 'zod';
import { MAX_WEEK_INTERVAL } from '../domain/schedule.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

export const sisTermPart = z.object({
  code: z.string().min(1),
  name: z.string(),
  startsOn: date,
  endsOn: date,
});

export const sisTerm = z.object({
  key: z.string().min(1),
  code: z.string().min(1),
  name: z.string(),
  startsOn: date,
  endsOn: date,
  parts: z.array(sisTermPart),
});

export const sisCourse = z
  .object({
    key: z.string().min(1),
    subject: z.string().min(1),
    number: z.string().min(1),
    title: z.string(),
    /** Fixed credits, or the minimum of a variable-credit course. */
    credits: z.number().nonnegative(),
    /** The maximum of a variable-credit course; null for fixed credits. */
    creditsMax: z.number().nonnegative().nullable(),
    departmentKey: z.string().nullable(),
    description: z.string().nullable(),
  })
  // What the courses table holds (src/db/migrations/0011_sis_values.ts): an inverted range is
  // reported as an invalid record, not left to fail its whole apply.
  .refine((c) => c.creditsMax === null || c.creditsMax >= c.credits, { path: ['creditsMax'], message: 'must not be less than credits' });

export const sisMeeting = z
  .object({
    /** Subset of 'MTWRFSU' in that order; '' for arranged meetings. */
    days: z.string().regex(/^M?T?W?R?F?S?U?$/, "expected a subset of 'MTWRFSU' in order"),
    startTime: time.nullable(),
    endTime: time.nullable(),
    startDate: date.nullable(),
    endDate: date.nullable(),
    roomKey: z.string().nullable(),
    /** Held every n weeks on its days: 1 weekly, 2 every other week. A SIS without intervals says 1. */
    weekInterval: z.int().min(1).max(MAX_WEEK_INTERVAL),
  })
  // What the hub's meetings table holds (src/db/migrations/0001_schedule.ts): a SIS meeting outside
  // it is reported as an invalid record, not left to fail its whole term's apply.
  .refine((m) => (m.startTime === null) === (m.endTime === null), { path: ['endTime'], message: 'a meeting has both a start and an end time, or neither' })
  .refine((m) => m.startTime === null || m.endTime === null || m.endTime > m.startTime, { path: ['endTime'], message: 'must be after the start time' });

export const sisSectionInstructor = z.object({
  instructorKey: z.string().min(1),
  role: z.enum(['primary', 'secondary']),
});

/** What a writer takes: the hub-side view of a section. */
export const sisSectionInput = z.object({
  termKey: z.string().min(1),
  courseKey: z.string().min(1),
  /** May be empty: real Banner data has sections without a number. */
  sectionNumber: z.string(),
  component: z.string().min(1),
  status: z.enum(['active', 'cancelled']),
  capacity: z.number().int().nonnegative(),
  instructionMode: z.string().min(1),
  campus: z.string().nullable(),
  partOfTerm: z.string().nullable(),
  title: z.string().nullable(),
  credits: z.number().nonnegative().nullable(),
  meetings: z.array(sisMeeting),
  instructors: z.array(sisSectionInstructor),
});

/** The SIS's state of a section: the input plus what only the SIS knows. */
export const sisSectionState = sisSectionInput.extend({
  /** Null where the SIS does not expose enrollment through this API (Ethos sections). */
  enrolled: z.number().int().nonnegative().nullable(),
  /**
   * The section's number in the SIS as registrars know it (Banner CRN, PeopleSoft class number);
   * null where the SIS shows none. Not the SIS key: an Ethos section's key is a GUID.
   */
  sisNumber: z.string().min(1).nullable(),
});

/** What a reader yields: a section the SIS has keyed. */
export const sisSection = sisSectionState.extend({ key: z.string().min(1) });

export const sisRelationshipMember = z.object({
  sectionKey: z.string().min(1),
  primary: z.boolean(),
});

export const sisRelationshipInput = z.object({
  termKey: z.string().min(1),
  kind: z.enum(['crosslist', 'combined']),
  members: z.array(sisRelationshipMember).min(2),
  sharedCapacity: z.number().int().nonnegative().nullable(),
});

export const sisRelationship = sisRelationshipInput.extend({ key: z.string().min(1) });

export const sisBuilding = z.object({
  key: z.string().min(1),
  code: z.string().min(1),
  name: z.string(),
  campus: z.string().nullable(),
});

export const sisRoom = z.object({
  key: z.string().min(1),
  buildingKey: z.string().min(1),
  number: z.string().min(1),
  capacity: z.number().int().nonnegative(),
  active: z.boolean(),
});

export const sisInstructor = z.object({
  key: z.string().min(1),
  name: z.string().min(1),
  email: z.string().nullable(),
  departmentKey: z.string().nullable(),
});

export const sisDepartment = z.object({
  key: z.string().min(1),
  code: z.string().min(1),
  name: z.string(),
});

export type SisTermPart = z.infer<typeof sisTermPart>;
export type SisTerm = z.infer<typeof sisTerm>;
export type SisCourse = z.infer<typeof sisCourse>;
export type SisMeeting = z.infer<typeof sisMeeting>;
export type SisSectionInstructor = z.infer<typeof sisSectionInstructor>;
export type SisSectionInput = z.infer<typeof sisSectionInput>;
export type SisSectionState = z.infer<typeof sisSectionState>;
export type SisSection = z.infer<typeof sisSection>;
export type SisRelationshipMember = z.infer<typeof sisRelationshipMember>;
export type SisRelationshipInput = z.infer<typeof sisRelationshipInput>;
export type SisRelationship = z.infer<typeof sisRelationship>;
export type SisBuilding = z.infer<typeof sisBuilding>;
export type SisRoom = z.infer<typeof sisRoom>;
export type SisInstructor = z.infer<typeof sisInstructor>;
export type SisDepartment = z.infer<typeof sisDepartment>;
