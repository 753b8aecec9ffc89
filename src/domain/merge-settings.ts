// Merge settings: per merge type on/off, enabled terms, source of truth with per-field
// exceptions, real-time and nightly; institution-wide nightly time and the maintenance switch.
// One validated document, versioned as a whole so every change has a history entry. The time zone
// the nightly time is read in is the institution's (institution_settings, src/store/phases.ts),
// not a setting of its own: one institution, one zone for phases, the Course API and the nightly.
// A term's phase in force may override real-time, nightly, the nightly's Send Updates and which
// term-specific types sync for that term (`PhaseMergeSettings`, src/domain/phases.ts).
import { z } from 'zod';
import type { PhaseMergeSettings } from './phases.ts';

export const MERGE_TYPES = ['terms', 'buildings', 'rooms', 'departments', 'instructors', 'courses', 'sections', 'relationships'] as const;
export type MergeType = (typeof MERGE_TYPES)[number];
export const TERM_SPECIFIC_TYPES = ['courses', 'sections', 'relationships'] as const satisfies readonly MergeType[];
export type TermSpecificType = (typeof TERM_SPECIFIC_TYPES)[number];
export const isTermSpecific = (type: MergeType): type is TermSpecificType => (TERM_SPECIFIC_TYPES as readonly string[]).includes(type);

/** Only sections and relationships are ever posted to the SIS. */
export const POSTED_TYPES = ['sections', 'relationships'] as const satisfies readonly MergeType[];

export const SOURCES_OF_TRUTH = ['sis', 'hub', 'none'] as const;
export type SourceOfTruth = (typeof SOURCES_OF_TRUTH)[number];

const typeSettings = z.strictObject({
  enabled: z.boolean(),
  /** Term codes the term-specific types run for; ignored for reference types. */
  enabledTerms: z.array(z.string().min(1).max(20)).max(200),
  /** Who wins a field both sides changed: the SIS, the hub, or nobody (the object stops as a conflict). */
  sourceOfTruth: z.enum(SOURCES_OF_TRUTH),
  fieldExceptions: z.record(z.string().min(1).max(40), z.enum(SOURCES_OF_TRUTH)),
  realTime: z.boolean(),
  nightly: z.boolean(),
});
export type TypeSettings = z.output<typeof typeSettings>;

export const mergeSettings = z
  .strictObject({
    types: z.strictObject(Object.fromEntries(MERGE_TYPES.map((t) => [t, typeSettings])) as Record<MergeType, typeof typeSettings>),
    nightlyTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use 24-hour HH:MM')
      .describe("24-hour HH:MM in the institution's time zone (GET /api/v1/admin/institution)"),
    maintenance: z.strictObject({ on: z.boolean(), comment: z.string().max(1000).nullable() }),
    /** Share of a term's records of one type a merge may delete before it refuses (0.1 = 10 %). */
    deletionThreshold: z.number().min(0).max(1),
    /** Drop a term from enabledTerms automatically once it has ended. */
    removeEndedTerms: z.boolean(),
  })
  .meta({ id: 'MergeSettings' });
export type MergeSettings = z.output<typeof mergeSettings>;

const reference = (): TypeSettings => ({
  enabled: true,
  enabledTerms: [],
  sourceOfTruth: 'sis',
  fieldExceptions: {},
  realTime: false,
  nightly: true,
});

/**
 * Out of the box the SIS wins everything except what schedulers build here: meetings, rooms,
 * instructors, capacity and section status (DESIGN §4). Real-time posting is off until a term is
 * enabled and an admin turns it on.
 */
export function defaultMergeSettings(): MergeSettings {
  const termSpecific = (): TypeSettings => ({ ...reference(), realTime: false });
  return {
    types: {
      terms: reference(),
      buildings: reference(),
      rooms: reference(),
      departments: reference(),
      instructors: reference(),
      courses: termSpecific(),
      sections: {
        ...termSpecific(),
        fieldExceptions: { meetings: 'hub', instructors: 'hub', capacity: 'hub', status: 'hub' },
      },
      relationships: { ...termSpecific(), fieldExceptions: { members: 'hub', sharedCapacity: 'hub' } },
    },
    nightlyTime: '02:00',
    maintenance: { on: false, comment: null },
    deletionThreshold: 0.1,
    removeEndedTerms: false,
  };
}

/**
 * Whether a type runs for a term: the type is on and, if term-specific, the term is enabled for it
 * and not left out by the term's phase in force (`phase`, when the caller applies one).
 */
export function isTermEnabled(settings: MergeSettings, type: MergeType, termCode: string, phase?: PhaseMergeSettings | null): boolean {
  const t = settings.types[type];
  if (!t.enabled) return false;
  if (!isTermSpecific(type)) return true;
  return t.enabledTerms.includes(termCode) && (!phase?.mergeTypes || phase.mergeTypes.includes(type));
}

/**
 * Whether sections or relationships of a term are posted under this trigger: real-time posts only
 * where real time is on; the nightly and Send Updates wherever either is on. `phase`: the overrides
 * of the term's phase in force, which real-time posting and the nightly obey (the nightly also
 * its `sendUpdates`). An admin's own Send Updates or retry ('manual') is explicit: a phase does not
 * hold it back.
 */
export function postingOn(
  settings: MergeSettings,
  type: 'sections' | 'relationships',
  termCode: string,
  trigger: 'real_time' | 'nightly' | 'manual',
  phase?: PhaseMergeSettings | null,
): boolean {
  const inForce = trigger === 'manual' ? null : phase;
  if (!isTermEnabled(settings, type, termCode, inForce)) return false;
  const t = settings.types[type];
  const realTime = inForce?.realTime ?? t.realTime;
  if (trigger === 'real_time') return realTime;
  return (realTime || (inForce?.nightly ?? t.nightly)) && inForce?.sendUpdates !== false;
}

/** Whether the nightly merges this term-specific type for this term, under the term's phase in force. */
export function nightlyMerges(settings: MergeSettings, type: TermSpecificType, termCode: string, phase?: PhaseMergeSettings | null): boolean {
  return isTermEnabled(settings, type, termCode, phase) && (phase?.nightly ?? settings.types[type].nightly);
}

/** Fields the SIS alone maintains: the hub never edits them, so the SIS always wins. */
const SIS_ONLY_FIELDS = new Set(['enrolled', 'sisNumber']);

/**
 * Who owns a field of one record: the record's own override, then the type's field exception,
 * then the type's default. Hub ownership only holds while the record's changes can reach the SIS
 * (its term is enabled for posting); otherwise the SIS's value would be shadowed forever.
 */
export function fieldOwner(
  settings: MergeSettings,
  type: MergeType,
  field: string,
  options: { recordOverride?: SourceOfTruth | null; postingEnabled: boolean },
): SourceOfTruth {
  if (SIS_ONLY_FIELDS.has(field)) return 'sis';
  const t = settings.types[type];
  const owner = options.recordOverride ?? t.fieldExceptions[field] ?? t.sourceOfTruth;
  if (owner === 'hub' && !options.postingEnabled) return 'sis';
  return owner;
}
