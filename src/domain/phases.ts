// Phases: named, dated stretches of a term's scheduling cycle (Planning, Locked, Room Assignment,
// …) that say, per role, what of a section may change now. Pure: the write guard loads the term's
// phases, defaults and the institution's time zone and asks `decideWrite`; nothing here does I/O.
//
// Rules of the game:
// - A phase runs from `startsAt` (inclusive) to `endsAt` (exclusive), both wall-clock times
//   'YYYY-MM-DDTHH:MM' in the institution's time zone. A term's phases never overlap, so at most
//   one is in force at an instant.
// - A rule set (a phase's, or a term's configured defaults) lists per role what may change; a
//   role it does not list may change nothing. A term without configured defaults falls back to
//   each role's own permissions outside its phases.
// - Rules narrow a role, never widen it: a phase that lets Schedulers create sections does not
//   give a Scheduler without `sections.create` that permission.
// - `phases.bypass` lifts the phase / default rules (not the role's permissions); the caller
//   audits such a write as a bypass.
import { z } from 'zod';
import { ref, requiredText, text, version } from './field-schemas.ts';
import { TERM_SPECIFIC_TYPES } from './merge-settings.ts';
import type { Permission } from './permissions.ts';
import { SECTION_FIELDS, term, type SectionField } from './schedule.ts';
import { addDays, isTimeZone, LOCAL_DATE_TIME, zonedToInstant } from './zoned-time.ts';

// ---------------------------------------------------------------------------------------------
// Shapes

export const localDateTime = z
  .string()
  .regex(LOCAL_DATE_TIME, 'Use a local date-time YYYY-MM-DDTHH:MM (institution time zone)')
  .refine((s) => {
    const m = LOCAL_DATE_TIME.exec(s);
    if (!m) return true;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }, 'No such calendar date')
  .describe("Wall-clock time in the institution's time zone, YYYY-MM-DDTHH:MM");

export const editableFields = z
  .union([z.literal('all'), z.array(z.enum(SECTION_FIELDS)).max(SECTION_FIELDS.length)])
  .describe('"all", or the section fields this role may change (meetingPatterns and rooms are separate)');
export type EditableFields = z.output<typeof editableFields>;

export const roleRule = z
  .strictObject({
    roleId: ref('Role'),
    editableFields: editableFields.default([]),
    mayCreate: z.boolean().default(false),
    mayCancel: z.boolean().default(false),
    mayDelete: z.boolean().default(false),
    mayEditRelationships: z.boolean().default(false),
  })
  .meta({ id: 'RoleRule' });
export type RoleRule = z.output<typeof roleRule>;

const roleRules = z
  .array(roleRule)
  .max(200)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.roleId)) ctx.addIssue({ code: 'custom', path: [i, 'roleId'], message: 'This role already has a rule' });
      seen.add(r.roleId);
    });
  });

/**
 * Merge-settings overrides while a phase is in force, for its term only (an unset field leaves the
 * merge settings' own value). Real-time posting and the nightly obey them; a manual Execute Merge
 * or Send Updates is the admin's explicit choice and does not.
 */
export const phaseMergeSettings = z
  .strictObject({
    realTime: z.boolean().optional().describe("Post the term's sections and relationships in real time on save"),
    nightly: z.boolean().optional().describe('Merge (and post) the term in the nightly sync'),
    sendUpdates: z.boolean().optional().describe("Whether the nightly posts the term's pending changes after pulling"),
    mergeTypes: z
      .array(z.enum(TERM_SPECIFIC_TYPES))
      .max(3)
      .optional()
      .describe("The term-specific types that sync (merge and post) for the term while the phase is in force; the others wait for the phase's end"),
  })
  .describe("Merge-settings overrides for the phase's term while it is in force; null = the merge settings as they are.")
  .meta({ id: 'PhaseMergeSettings' });
export type PhaseMergeSettings = z.output<typeof phaseMergeSettings>;

const name = requiredText('Name', 100);
const description = text('Description', 2000);
const later = (p: { startsAt?: string; endsAt?: string }) => !p.startsAt || !p.endsAt || p.endsAt > p.startsAt;

export const phaseCreate = z
  .strictObject({
    name,
    description: description.default(''),
    startsAt: localDateTime,
    endsAt: localDateTime,
    rules: roleRules.default([]),
    mergeSettings: phaseMergeSettings.nullable().default(null),
  })
  .refine(later, { path: ['endsAt'], message: 'A phase must end after it starts' })
  .meta({ id: 'PhaseCreate' });
export type PhaseCreate = z.output<typeof phaseCreate>;

export const phasePatch = z
  .strictObject({
    version,
    name: name.optional(),
    description: description.optional(),
    startsAt: localDateTime.optional(),
    endsAt: localDateTime.optional(),
    rules: roleRules.optional(),
    mergeSettings: phaseMergeSettings.nullable().optional(),
  })
  .meta({ id: 'PhasePatch' });
export type PhasePatch = z.output<typeof phasePatch>;

export const phase = z
  .object({
    id: z.string(),
    termId: z.string(),
    name: z.string(),
    description: z.string(),
    startsAt: z.string().describe('Local wall-clock start (inclusive)'),
    endsAt: z.string().describe('Local wall-clock end (exclusive)'),
    startsAtInstant: z.string().describe('The start as a UTC instant, in the current institution time zone'),
    endsAtInstant: z.string(),
    rules: z.array(roleRule),
    mergeSettings: phaseMergeSettings.nullable(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Phase' });
export type Phase = z.output<typeof phase>;

export const termEditDefaults = z
  .strictObject({
    rules: roleRules
      .nullable()
      .describe("Rules outside every phase; null: each role's own permissions"),
  })
  .meta({ id: 'TermEditDefaults' });
export type TermEditDefaults = z.output<typeof termEditDefaults>;

// Templates: reusable phase lists, dated relative to the start date of the term they are applied to.
const dayOffset = z.int().min(-1000).max(1000).describe('Days after (negative: before) the term start date');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use 24-hour HH:MM').default('00:00');
export const templatePhase = z
  .strictObject({
    name,
    description: description.default(''),
    startDay: dayOffset,
    startTime: clock,
    endDay: dayOffset,
    endTime: clock,
    rules: roleRules.default([]),
    mergeSettings: phaseMergeSettings.nullable().default(null),
  })
  .refine((p) => p.endDay * 1440 + minutes(p.endTime) > p.startDay * 1440 + minutes(p.startTime), {
    path: ['endDay'],
    message: 'A phase must end after it starts',
  })
  .meta({ id: 'TemplatePhase' });
export type TemplatePhase = z.output<typeof templatePhase>;
function minutes(hhmm: string) {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export const phaseTemplateWrite = z
  .strictObject({
    name,
    description: description.default(''),
    phases: z
      .array(templatePhase)
      .max(50)
      .superRefine((list, ctx) => {
        const dated = list.map((p, i) => ({ i, name: p.name, startsAt: templateLocal('2000-01-01', p.startDay, p.startTime), endsAt: templateLocal('2000-01-01', p.endDay, p.endTime) }));
        dated.forEach((p) => {
          const other = dated.find((o) => o.i !== p.i && o.i < p.i && overlaps(o, p));
          if (other) ctx.addIssue({ code: 'custom', path: [p.i, 'startDay'], message: `Overlaps phase "${other.name}"` });
        });
      }),
  })
  .meta({ id: 'PhaseTemplateWrite' });
export type PhaseTemplateWrite = z.output<typeof phaseTemplateWrite>;

export const phaseTemplate = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    phases: z.array(templatePhase),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PhaseTemplate' });
export type PhaseTemplate = z.output<typeof phaseTemplate>;

export const templateApply = z
  .strictObject({
    termIds: z.array(z.uuid()).min(1).max(100),
    replace: z.boolean().default(false).describe("Remove each term's existing phases first; otherwise an overlap is refused"),
  })
  .meta({ id: 'PhaseTemplateApply' });

/** A template phase's wall-clock time in a term starting on `termStart`. */
export function templateLocal(termStart: string, day: number, time: string): string {
  return `${addDays(termStart, day)}T${time}`;
}

export const phaseBadge = z
  .object({
    id: z.string(),
    name: z.string(),
    endsAt: z.string().describe('When the phase ends, as a UTC instant'),
    // Everyone sees the badge, not only those who may read admin/institution: a client shows the end in this zone, as the phase calendar does.
    timeZone: z.string().describe("The institution's time zone, the one the phase calendar's times are in"),
  })
  .meta({ id: 'PhaseBadge' });
export type PhaseBadge = z.output<typeof phaseBadge>;

export const termWithPhase = term.extend({ currentPhase: phaseBadge.nullable() }).meta({ id: 'TermWithPhase' });

export const editRules = z
  .object({
    termId: z.string(),
    at: z.string().describe('The instant these rules are for'),
    timeZone: z.string(),
    phase: z.object({ id: z.string(), name: z.string(), startsAt: z.string(), endsAt: z.string() }).nullable(),
    source: z.enum(['phase', 'termDefaults', 'role']).describe('Where the rules come from'),
    editableFields: z.array(z.enum(SECTION_FIELDS)),
    mayEdit: z.boolean(),
    mayCreate: z.boolean(),
    mayCancel: z.boolean(),
    mayDelete: z.boolean(),
    mayEditRelationships: z.boolean(),
    bypass: z.boolean().describe('The caller holds phases.bypass: locked fields can still be changed, audited as a bypass'),
  })
  .meta({ id: 'EditRules' });
export type EditRulesView = z.output<typeof editRules>;

export const institutionSettings = z
  .object({ timeZone: z.string(), version: z.int(), updatedAt: z.string() })
  .meta({ id: 'InstitutionSettings' });
export const institutionSettingsWrite = z
  .strictObject({
    timeZone: z.string().refine(isTimeZone, 'Use an IANA time zone name, e.g. America/Chicago'),
  })
  .meta({ id: 'InstitutionSettingsWrite' });

// ---------------------------------------------------------------------------------------------
// The decision

export interface PhaseWindow {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
}
export interface PhaseDef extends PhaseWindow {
  rules: readonly RoleRule[];
}

/** Half-open windows [startsAt, endsAt) overlap. Wall-clock strings compare in time order. */
export function overlaps(a: { startsAt: string; endsAt: string }, b: { startsAt: string; endsAt: string }): boolean {
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

/** The first of `phases` (other than `exceptId`) that `candidate` overlaps. */
export function findOverlap<T extends PhaseWindow>(phases: readonly T[], candidate: { startsAt: string; endsAt: string }, exceptId?: string): T | undefined {
  return phases.find((p) => p.id !== exceptId && overlaps(p, candidate));
}

/** Whether a phase is in force at `now`: its start ≤ now < its end, in the zone. */
function inForce(p: { startsAt: string; endsAt: string }, now: Date, timeZone: string): boolean {
  const t = now.getTime();
  return zonedToInstant(p.startsAt, timeZone).getTime() <= t && t < zonedToInstant(p.endsAt, timeZone).getTime();
}

/** The phase in force at `now`, or null. */
export function phaseAt<T extends PhaseWindow>(phases: readonly T[], now: Date, timeZone: string): T | null {
  return phases.find((p) => inForce(p, now, timeZone)) ?? null;
}

/** A phase that carries merge-settings overrides, with its term's code. */
export interface PhaseOverrides {
  termCode: string;
  name: string;
  startsAt: string;
  endsAt: string;
  mergeSettings: PhaseMergeSettings;
}

/** Those of `phases` in force at `now`: at most one per term, since a term's phases never overlap. */
export function phasesInForce(phases: readonly PhaseOverrides[], now: Date, timeZone: string): PhaseOverrides[] {
  return phases.filter((p) => inForce(p, now, timeZone));
}

/** Per term code, the merge-settings overrides in force at `now`. */
export function overridesAt(phases: readonly PhaseOverrides[], now: Date, timeZone: string): Map<string, PhaseMergeSettings> {
  return new Map(phasesInForce(phases, now, timeZone).map((p) => [p.termCode, p.mergeSettings]));
}

/** The overrides in words, for a warning: "real-time posting off, only sections sync". */
export function describeOverrides(o: PhaseMergeSettings): string {
  const onOff = (v: boolean) => (v ? 'on' : 'off');
  const parts = [
    o.realTime !== undefined && `real-time posting ${onOff(o.realTime)}`,
    o.nightly !== undefined && `nightly sync ${onOff(o.nightly)}`,
    o.sendUpdates !== undefined && (o.sendUpdates ? 'the nightly sends updates' : 'the nightly sends no updates'),
    o.mergeTypes && (o.mergeTypes.length ? `only ${o.mergeTypes.join(' and ')} sync` : 'no term type syncs'),
  ];
  return parts.filter(Boolean).join(', ') || 'no change';
}

export type WriteAction = 'create' | 'edit' | 'cancel' | 'delete' | 'editRelationships';

export interface WriteRequest {
  action: WriteAction;
  /** For edits: the section fields the change touches. */
  fields: readonly SectionField[];
}

export interface RuleContext {
  phases: readonly PhaseDef[];
  /** The term's rules outside every phase; null: each role's own permissions. */
  defaults: readonly RoleRule[] | null;
  roleId: string | null;
  permissions: ReadonlySet<Permission>;
  now: Date;
  timeZone: string;
}

export interface EffectiveRules {
  phase: PhaseDef | null;
  source: 'phase' | 'termDefaults' | 'role';
  editableFields: readonly SectionField[];
  mayEdit: boolean;
  mayCreate: boolean;
  mayCancel: boolean;
  mayDelete: boolean;
  mayEditRelationships: boolean;
  bypass: boolean;
}

export const PERMISSION_FOR: Record<WriteAction, Permission> = {
  create: 'sections.create',
  edit: 'sections.edit',
  cancel: 'sections.cancel',
  delete: 'sections.delete',
  editRelationships: 'relationships.edit',
};

const NO_RULE: RoleRule = {
  roleId: '',
  editableFields: [],
  mayCreate: false,
  mayCancel: false,
  mayDelete: false,
  mayEditRelationships: false,
};
const ALL_RULE: RoleRule = {
  roleId: '',
  editableFields: 'all',
  mayCreate: true,
  mayCancel: true,
  mayDelete: true,
  mayEditRelationships: true,
};

/** What the rules in force at `now` let this role do, before `phases.bypass` (role permissions applied). */
export function effectiveRules(ctx: RuleContext): EffectiveRules {
  const phase = phaseAt(ctx.phases, ctx.now, ctx.timeZone);
  const source = phase ? 'phase' : ctx.defaults ? 'termDefaults' : 'role';
  const ruleSet = phase ? phase.rules : ctx.defaults;
  const rule = ruleSet === null ? ALL_RULE : (ruleSet.find((r) => r.roleId === ctx.roleId) ?? NO_RULE);
  const has = (p: Permission) => ctx.permissions.has(p);
  const fields = !has('sections.edit') ? [] : rule.editableFields === 'all' ? [...SECTION_FIELDS] : SECTION_FIELDS.filter((f) => (rule.editableFields as readonly string[]).includes(f));
  return {
    phase,
    source,
    editableFields: fields,
    mayEdit: fields.length > 0,
    mayCreate: rule.mayCreate && has('sections.create'),
    mayCancel: rule.mayCancel && has('sections.cancel'),
    mayDelete: rule.mayDelete && has('sections.delete'),
    mayEditRelationships: rule.mayEditRelationships && has('relationships.edit'),
    bypass: has('phases.bypass'),
  };
}

export type Decision =
  | { allowed: true; phase: PhaseDef | null; bypassed: null }
  | {
      allowed: true;
      phase: PhaseDef | null;
      /** Allowed only through phases.bypass: what the rules would have refused. */
      bypassed: { phase: string | null; lockedFields: SectionField[]; action: WriteAction };
    }
  | { allowed: false; reason: 'permission'; permission: Permission }
  | { allowed: false; reason: 'phase'; phase: PhaseDef | null; lockedFields: SectionField[]; action: WriteAction };

/**
 * The one decision every schedule write passes: the role's permission first, then the rules in
 * force at `now` (the phase's, else the term's defaults, else the role's own), then the bypass.
 */
export function decideWrite(ctx: RuleContext, write: WriteRequest): Decision {
  const permission = PERMISSION_FOR[write.action];
  if (!ctx.permissions.has(permission)) return { allowed: false, reason: 'permission', permission };
  const rules = effectiveRules(ctx);
  let lockedFields: SectionField[] = [];
  let actionAllowed: boolean;
  switch (write.action) {
    case 'edit':
      lockedFields = [...new Set(write.fields)].filter((f) => !rules.editableFields.includes(f));
      actionAllowed = lockedFields.length === 0;
      break;
    case 'create':
      actionAllowed = rules.mayCreate;
      break;
    case 'cancel':
      actionAllowed = rules.mayCancel;
      break;
    case 'delete':
      actionAllowed = rules.mayDelete;
      break;
    case 'editRelationships':
      actionAllowed = rules.mayEditRelationships;
      break;
  }
  if (actionAllowed) return { allowed: true, phase: rules.phase, bypassed: null };
  if (rules.bypass)
    return { allowed: true, phase: rules.phase, bypassed: { phase: rules.phase?.name ?? null, lockedFields, action: write.action } };
  return { allowed: false, reason: 'phase', phase: rules.phase, lockedFields, action: write.action };
}

const ACTION_WORDS: Record<WriteAction, string> = {
  create: 'create sections',
  edit: 'edit sections',
  cancel: 'cancel or reinstate sections',
  delete: 'delete sections',
  editRelationships: 'edit relationships',
};

/** The sentence a refused write answers with. */
export function refusalMessage(decision: Extract<Decision, { reason: 'phase' }>): string {
  const where = decision.phase ? `During the phase "${decision.phase.name}"` : "Under this term's default rules";
  if (decision.action === 'edit')
    return `${where} your role may not change ${decision.lockedFields.join(', ')}.`;
  return `${where} your role may not ${ACTION_WORDS[decision.action]}.`;
}
