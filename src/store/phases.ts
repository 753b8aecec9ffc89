// Phases of terms, phase templates, per-term default rules and the institution's settings (its
// time zone). Every write checks its permissions, runs in one transaction and is audited.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError, type FieldError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import {
  effectiveRules,
  findOverlap,
  overridesAt,
  phaseAt,
  phasesInForce,
  templateLocal,
  type EditRulesView,
  type Phase,
  type PhaseBadge,
  type PhaseCreate,
  type PhaseDef,
  type PhaseMergeSettings,
  type PhaseOverrides,
  type PhasePatch,
  type PhaseTemplate,
  type PhaseTemplateWrite,
  type RoleRule,
  type TemplatePhase,
} from '../domain/phases.ts';
import { zonedToInstant } from '../domain/zoned-time.ts';
import { recordAudit } from './audit.ts';

// ---------------------------------------------------------------------------------------------
// Institution settings

export type InstitutionSettings = {
  timeZone: string;
  version: number;
  updatedAt: string;
};

export async function getInstitutionSettings(db: Kysely<DB>): Promise<InstitutionSettings> {
  const row = await db.selectFrom('institution_settings').selectAll().executeTakeFirstOrThrow();
  return { timeZone: row.time_zone, version: row.version, updatedAt: row.updated_at.toISOString() };
}

export async function institutionTimeZone(db: Kysely<DB>): Promise<string> {
  return (await db.selectFrom('institution_settings').select('time_zone').executeTakeFirstOrThrow()).time_zone;
}

export async function updateInstitutionSettings(db: Kysely<DB>, actor: Actor, input: { timeZone: string }): Promise<InstitutionSettings> {
  if (!can(actor, 'mergeSettings.edit')) throw new ForbiddenError('Your role does not allow this (mergeSettings.edit).', { permission: 'mergeSettings.edit' });
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('institution_settings').select('id').forUpdate().executeTakeFirstOrThrow();
    const before = await getInstitutionSettings(trx);
    if (before.timeZone === input.timeZone) return before;
    await trx
      .updateTable('institution_settings')
      .set({ time_zone: input.timeZone, version: sql`version + 1`, updated_at: sql`now()` })
      .execute();
    const after = await getInstitutionSettings(trx);
    await recordAudit(trx, actor, { action: 'update', entityType: 'institution', entityId: 'settings', changes: fieldChanges(before, after) });
    return after;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading phases

type PhaseRow = Awaited<ReturnType<ReturnType<typeof phaseQuery>['execute']>>[number];
const phaseQuery = (db: Kysely<DB>) => db.selectFrom('term_phases').selectAll();

function toPhase(row: PhaseRow, timeZone: string): Phase {
  return {
    id: row.id,
    termId: row.term_id,
    name: row.name,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    startsAtInstant: zonedToInstant(row.starts_at, timeZone).toISOString(),
    endsAtInstant: zonedToInstant(row.ends_at, timeZone).toISOString(),
    rules: row.rules as RoleRule[],
    mergeSettings: row.merge_settings as PhaseMergeSettings | null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function assertTerm(db: Kysely<DB>, termId: string, lock = false) {
  let query = db.selectFrom('terms').select(['id', 'code', 'starts_on']).where('id', '=', termId);
  if (lock) query = query.forUpdate();
  const term = await query.executeTakeFirst();
  if (!term) throw new NotFoundError('term', termId);
  return term;
}

export async function listPhases(db: Kysely<DB>, termId: string): Promise<Phase[]> {
  await assertTerm(db, termId);
  const [rows, timeZone] = await Promise.all([
    phaseQuery(db).where('term_id', '=', termId).orderBy('starts_at').orderBy('id').execute(),
    institutionTimeZone(db),
  ]);
  return rows.map((r) => toPhase(r, timeZone));
}

export async function getPhase(db: Kysely<DB>, termId: string, id: string): Promise<Phase> {
  const row = await phaseQuery(db).where('id', '=', id).where('term_id', '=', termId).executeTakeFirst();
  if (!row) throw new NotFoundError('phase', id);
  return toPhase(row, await institutionTimeZone(db));
}

/** Everything the write guard needs to decide a term's writes. */
export interface TermRules {
  phases: PhaseDef[];
  defaults: RoleRule[] | null;
  timeZone: string;
}

/** One statement: every save reads these. */
export async function loadTermRules(db: Kysely<DB>, termId: string): Promise<TermRules> {
  const row = await db
    .selectFrom('institution_settings')
    .select('time_zone')
    .select((eb) => [
      jsonArrayFrom(
        eb.selectFrom('term_phases as p').select(['p.id', 'p.name', 'p.starts_at', 'p.ends_at', 'p.rules']).where('p.term_id', '=', termId).orderBy('p.starts_at'),
      ).as('phases'),
      eb.selectFrom('term_edit_defaults as d').select('d.rules').where('d.term_id', '=', termId).as('defaults'),
    ])
    .executeTakeFirstOrThrow();
  return {
    phases: row.phases.map((p) => ({ id: p.id, name: p.name, startsAt: p.starts_at, endsAt: p.ends_at, rules: p.rules as RoleRule[] })),
    defaults: (row.defaults as RoleRule[] | null) ?? null,
    timeZone: row.time_zone,
  };
}

// ---------------------------------------------------------------------------------------------
// Merge-settings overrides of the phases in force

/**
 * As a column of a larger statement: the institution's time zone and the phases that carry
 * merge-settings overrides, with their terms' codes (`where`: more conditions on `p` and `t`).
 * Read by `overridesOf`; hot paths (a save, a post) take it with the row they read anyway.
 */
export const phaseOverridesColumn = (where: RawBuilder<unknown> = sql``) => sql<PhaseOverridesColumn>`(
  select json_build_object(
    'timeZone', (select time_zone from institution_settings),
    'phases', coalesce(json_agg(json_build_object('termCode', t.code, 'name', p.name, 'startsAt', p.starts_at, 'endsAt', p.ends_at, 'mergeSettings', p.merge_settings)), '[]'))
  from term_phases p join terms t on t.id = p.term_id
  where p.merge_settings is not null ${where})`;

export type PhaseOverridesColumn = { timeZone: string; phases: PhaseOverrides[] };

/** Per term code, the overrides of its phase in force at `now`. */
export const overridesOf = (column: PhaseOverridesColumn, now: Date): Map<string, PhaseMergeSettings> => overridesAt(column.phases, now, column.timeZone);

async function readPhaseOverrides(db: Kysely<DB>): Promise<PhaseOverridesColumn> {
  const { rows } = await sql<{ overrides: PhaseOverridesColumn }>`select ${phaseOverridesColumn()} as overrides`.execute(db);
  return rows[0].overrides;
}

/** The overrides of every term's phase in force at `now`, by term code. */
export async function phaseOverridesAt(db: Kysely<DB>, now: Date): Promise<Map<string, PhaseMergeSettings>> {
  return overridesOf(await readPhaseOverrides(db), now);
}

/** The phases in force at `now` that override merge settings, for the merge settings' warnings. */
export async function overridingPhasesAt(db: Kysely<DB>, now: Date): Promise<PhaseOverrides[]> {
  const { phases, timeZone } = await readPhaseOverrides(db);
  return phasesInForce(phases, now, timeZone);
}

/** The badge: the phase in force at `now` for each term (terms without one are absent). */
export async function currentPhases(db: Kysely<DB>, termIds: readonly string[], now: Date): Promise<Map<string, PhaseBadge>> {
  const result = new Map<string, PhaseBadge>();
  if (!termIds.length) return result;
  const [rows, timeZone] = await Promise.all([
    db.selectFrom('term_phases').select(['id', 'term_id', 'name', 'starts_at', 'ends_at']).where('term_id', 'in', [...termIds]).execute(),
    institutionTimeZone(db),
  ]);
  for (const termId of termIds) {
    const inForce = phaseAt(
      rows.filter((r) => r.term_id === termId).map((r) => ({ id: r.id, name: r.name, startsAt: r.starts_at, endsAt: r.ends_at })),
      now,
      timeZone,
    );
    if (inForce) result.set(termId, { id: inForce.id, name: inForce.name, endsAt: zonedToInstant(inForce.endsAt, timeZone).toISOString(), timeZone });
  }
  return result;
}

/** What `actor` may do to the term's sections at `now`: what the UI enables. */
export async function editRulesFor(db: Kysely<DB>, actor: Actor, termId: string, now: Date): Promise<EditRulesView> {
  await assertTerm(db, termId);
  const rules = await loadTermRules(db, termId);
  const effective = effectiveRules({ ...rules, roleId: actor.roleId, permissions: actor.permissions, now });
  return {
    termId,
    at: now.toISOString(),
    timeZone: rules.timeZone,
    phase: effective.phase && { id: effective.phase.id, name: effective.phase.name, startsAt: effective.phase.startsAt, endsAt: effective.phase.endsAt },
    source: effective.source,
    editableFields: [...effective.editableFields],
    mayEdit: effective.mayEdit,
    mayCreate: effective.mayCreate,
    mayCancel: effective.mayCancel,
    mayDelete: effective.mayDelete,
    mayEditRelationships: effective.mayEditRelationships,
    bypass: effective.bypass,
  };
}

// ---------------------------------------------------------------------------------------------
// Permissions for editing phases

function requirePhasesEdit(actor: Actor) {
  if (!can(actor, 'phases.edit')) throw new ForbiddenError('Your role does not allow editing phases (phases.edit).', { permission: 'phases.edit' });
}

/** A phase's per-role rules are role permissions: changing them also needs roles.edit. */
function requireRolesEditFor(actor: Actor, what: string) {
  if (!can(actor, 'roles.edit'))
    throw new ForbiddenError(`Changing ${what} also needs roles.edit: they are role permissions.`, { permission: 'roles.edit' });
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

async function checkRoles(db: Kysely<DB>, rules: readonly RoleRule[] | null | undefined, path: string): Promise<FieldError[]> {
  if (!rules?.length) return [];
  const found = new Set((await db.selectFrom('roles').select('id').where('id', 'in', rules.map((r) => r.roleId)).execute()).map((r) => r.id));
  return rules.flatMap((r, i) => (found.has(r.roleId) ? [] : [{ field: `${path}.${i}.roleId`, message: 'No such role' }]));
}

async function assertNoOverlap(
  trx: Transaction<DB>,
  termId: string,
  window: { startsAt: string; endsAt: string },
  exceptId?: string,
  termCode?: string,
) {
  const existing = await trx.selectFrom('term_phases').select(['id', 'name', 'starts_at', 'ends_at']).where('term_id', '=', termId).execute();
  const other = findOverlap(
    existing.map((p) => ({ id: p.id, name: p.name, startsAt: p.starts_at, endsAt: p.ends_at })),
    window,
    exceptId,
  );
  if (other)
    throw new ConflictError(
      `${termCode ? `In term ${termCode}, t` : 'T'}his phase (${window.startsAt} – ${window.endsAt}) overlaps the phase "${other.name}" (${other.startsAt} – ${other.endsAt}); phases of a term must not overlap.`,
      {
        conflictingPhase: { id: other.id, name: other.name, startsAt: other.startsAt, endsAt: other.endsAt },
        errors: [{ field: 'startsAt', message: `Overlaps phase "${other.name}"` }],
      },
    );
}

// ---------------------------------------------------------------------------------------------
// Writing phases

export async function createPhase(db: Kysely<DB>, actor: Actor, termId: string, input: PhaseCreate): Promise<Phase> {
  requirePhasesEdit(actor);
  if (input.rules.length) requireRolesEditFor(actor, "a phase's role rules");
  return db.transaction().execute(async (trx) => {
    await assertTerm(trx, termId, true); // serialises phase writes per term, so overlaps cannot slip in
    const errors = await checkRoles(trx, input.rules, 'rules');
    if (errors.length) throw new InvalidError('The rules name roles that do not exist.', errors);
    await assertNoOverlap(trx, termId, input);
    const row = await trx
      .insertInto('term_phases')
      .values({
        term_id: termId,
        name: input.name,
        description: input.description,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        rules: JSON.stringify(input.rules),
        merge_settings: input.mergeSettings === null ? null : JSON.stringify(input.mergeSettings),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await getPhase(trx, termId, row.id);
    await recordAudit(trx, actor, { action: 'create', entityType: 'phase', entityId: row.id, changes: fieldChanges(null, created), context: { termId } });
    return created;
  });
}

async function lockPhase(trx: Transaction<DB>, termId: string, id: string, version: number): Promise<Phase> {
  await assertTerm(trx, termId, true);
  const locked = await trx.selectFrom('term_phases').select('version').where('id', '=', id).where('term_id', '=', termId).forUpdate().executeTakeFirst();
  if (!locked) throw new NotFoundError('phase', id);
  const current = await getPhase(trx, termId, id);
  if (locked.version !== version) throw new StaleVersionError('phase', locked.version, current);
  return current;
}

export async function updatePhase(db: Kysely<DB>, actor: Actor, termId: string, id: string, patch: PhasePatch): Promise<Phase> {
  requirePhasesEdit(actor);
  return db.transaction().execute(async (trx) => {
    const current = await lockPhase(trx, termId, id, patch.version);
    if (patch.rules !== undefined && !sameJson(patch.rules, current.rules)) {
      requireRolesEditFor(actor, "a phase's role rules");
      const errors = await checkRoles(trx, patch.rules, 'rules');
      if (errors.length) throw new InvalidError('The rules name roles that do not exist.', errors);
    }
    const window = { startsAt: patch.startsAt ?? current.startsAt, endsAt: patch.endsAt ?? current.endsAt };
    if (window.endsAt <= window.startsAt)
      throw new InvalidError('A phase must end after it starts.', [{ field: 'endsAt', message: 'A phase must end after it starts' }]);
    await assertNoOverlap(trx, termId, window, id);
    await trx
      .updateTable('term_phases')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && { description: patch.description }),
        starts_at: window.startsAt,
        ends_at: window.endsAt,
        ...(patch.rules !== undefined && { rules: JSON.stringify(patch.rules) }),
        ...(patch.mergeSettings !== undefined && { merge_settings: patch.mergeSettings === null ? null : JSON.stringify(patch.mergeSettings) }),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    const updated = await getPhase(trx, termId, id);
    await recordAudit(trx, actor, { action: 'update', entityType: 'phase', entityId: id, changes: fieldChanges(current, updated, ['version', 'updatedAt', 'createdAt', 'startsAtInstant', 'endsAtInstant']), context: { termId } });
    return updated;
  });
}

export async function deletePhase(db: Kysely<DB>, actor: Actor, termId: string, id: string, version: number): Promise<void> {
  requirePhasesEdit(actor);
  await db.transaction().execute(async (trx) => {
    const current = await lockPhase(trx, termId, id, version);
    await trx.deleteFrom('term_phases').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'phase', entityId: id, changes: fieldChanges(current, null), context: { termId } });
  });
}

// ---------------------------------------------------------------------------------------------
// Term defaults: the rules outside every phase

export type TermEditDefaultsView = {
  termId: string;
  rules: RoleRule[] | null;
  version: number;
};

export async function getTermEditDefaults(db: Kysely<DB>, termId: string): Promise<TermEditDefaultsView> {
  await assertTerm(db, termId);
  const row = await db.selectFrom('term_edit_defaults').selectAll().where('term_id', '=', termId).executeTakeFirst();
  return { termId, rules: (row?.rules as RoleRule[] | null | undefined) ?? null, version: row?.version ?? 0 };
}

export async function putTermEditDefaults(db: Kysely<DB>, actor: Actor, termId: string, rules: RoleRule[] | null): Promise<TermEditDefaultsView> {
  requirePhasesEdit(actor);
  requireRolesEditFor(actor, "a term's default rules");
  return db.transaction().execute(async (trx) => {
    await assertTerm(trx, termId, true);
    const errors = await checkRoles(trx, rules, 'rules');
    if (errors.length) throw new InvalidError('The rules name roles that do not exist.', errors);
    const before = await getTermEditDefaults(trx, termId);
    if (sameJson(before.rules, rules)) return before;
    await trx
      .insertInto('term_edit_defaults')
      .values({ term_id: termId, rules: rules === null ? null : JSON.stringify(rules) })
      .onConflict((oc) =>
        oc.column('term_id').doUpdateSet({
          rules: rules === null ? null : JSON.stringify(rules),
          version: sql`term_edit_defaults.version + 1`,
          updated_at: sql`now()`,
        }),
      )
      .execute();
    const after = await getTermEditDefaults(trx, termId);
    await recordAudit(trx, actor, { action: 'update', entityType: 'termEditDefaults', entityId: termId, changes: fieldChanges(before, after) });
    return after;
  });
}

// ---------------------------------------------------------------------------------------------
// Templates

type TemplateRow = Awaited<ReturnType<ReturnType<typeof templateQuery>['execute']>>[number];
const templateQuery = (db: Kysely<DB>) => db.selectFrom('phase_templates').selectAll();
const toTemplate = (r: TemplateRow): PhaseTemplate => ({
  id: r.id,
  name: r.name,
  description: r.description,
  phases: r.phases as TemplatePhase[],
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export const listTemplates = async (db: Kysely<DB>) => (await templateQuery(db).orderBy('name').execute()).map(toTemplate);

export async function getTemplate(db: Kysely<DB>, id: string): Promise<PhaseTemplate> {
  const row = await templateQuery(db).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('phase template', id);
  return toTemplate(row);
}

async function assertTemplateNameFree(db: Kysely<DB>, name: string, exceptId?: string) {
  let query = db.selectFrom('phase_templates').select('id').where('name', '=', name);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const existing = await query.executeTakeFirst();
  if (existing) throw new ConflictError(`A phase template named "${name}" exists.`, { existingId: existing.id, errors: [{ field: 'name', message: 'Already used' }] });
}

async function checkTemplateRoles(db: Kysely<DB>, input: PhaseTemplateWrite) {
  const errors = (await Promise.all(input.phases.map((p, i) => checkRoles(db, p.rules, `phases.${i}.rules`)))).flat();
  if (errors.length) throw new InvalidError('The rules name roles that do not exist.', errors);
}

const hasRules = (phases: readonly TemplatePhase[]) => phases.some((p) => p.rules.length > 0);
const rulesOf = (phases: readonly TemplatePhase[]) => phases.map((p) => p.rules);

export async function createTemplate(db: Kysely<DB>, actor: Actor, input: PhaseTemplateWrite): Promise<PhaseTemplate> {
  requirePhasesEdit(actor);
  if (hasRules(input.phases)) requireRolesEditFor(actor, "phases' role rules");
  return db.transaction().execute(async (trx) => {
    await assertTemplateNameFree(trx, input.name);
    await checkTemplateRoles(trx, input);
    const row = await trx
      .insertInto('phase_templates')
      .values({ name: input.name, description: input.description, phases: JSON.stringify(input.phases) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await getTemplate(trx, row.id);
    await recordAudit(trx, actor, { action: 'create', entityType: 'phaseTemplate', entityId: row.id, changes: fieldChanges(null, created) });
    return created;
  });
}

export async function updateTemplate(db: Kysely<DB>, actor: Actor, id: string, input: PhaseTemplateWrite & { version: number }): Promise<PhaseTemplate> {
  requirePhasesEdit(actor);
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('phase_templates').select('version').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw new NotFoundError('phase template', id);
    const current = await getTemplate(trx, id);
    if (locked.version !== input.version) throw new StaleVersionError('phase template', locked.version, current);
    if (!sameJson(rulesOf(current.phases), rulesOf(input.phases)) && (hasRules(input.phases) || hasRules(current.phases)))
      requireRolesEditFor(actor, "phases' role rules");
    await assertTemplateNameFree(trx, input.name, id);
    await checkTemplateRoles(trx, input);
    await trx
      .updateTable('phase_templates')
      .set({ name: input.name, description: input.description, phases: JSON.stringify(input.phases), version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    const updated = await getTemplate(trx, id);
    await recordAudit(trx, actor, { action: 'update', entityType: 'phaseTemplate', entityId: id, changes: fieldChanges(current, updated) });
    return updated;
  });
}

export async function deleteTemplate(db: Kysely<DB>, actor: Actor, id: string, version: number): Promise<void> {
  requirePhasesEdit(actor);
  await db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('phase_templates').select('version').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw new NotFoundError('phase template', id);
    const current = await getTemplate(trx, id);
    if (locked.version !== version) throw new StaleVersionError('phase template', locked.version, current);
    await trx.deleteFrom('phase_templates').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'phaseTemplate', entityId: id, changes: fieldChanges(current, null) });
  });
}

/**
 * Gives each term the template's phases, dated from the term's start date. All terms or none: an
 * overlap with a term's existing phases refuses the whole application (unless `replace`).
 */
export async function applyTemplate(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  input: { termIds: string[]; replace: boolean },
): Promise<{ terms: { termId: string; phases: Phase[] }[] }> {
  requirePhasesEdit(actor);
  return db.transaction().execute(async (trx) => {
    const template = await getTemplate(trx, id);
    const result: { termId: string; phases: Phase[] }[] = [];
    for (const termId of [...new Set(input.termIds)]) {
      const term = await assertTerm(trx, termId, true);
      if (input.replace) {
        // Each replaced phase is audited whole, as a delete of it alone would be: its dates and rules are gone after.
        const removed = await listPhases(trx, termId);
        await trx.deleteFrom('term_phases').where('term_id', '=', termId).execute();
        for (const phase of removed)
          await recordAudit(trx, actor, { action: 'delete', entityType: 'phase', entityId: phase.id, changes: fieldChanges(phase, null), context: { termId, template: { id, name: template.name } } });
      }
      for (const p of template.phases) {
        const window = { startsAt: templateLocal(term.starts_on, p.startDay, p.startTime), endsAt: templateLocal(term.starts_on, p.endDay, p.endTime) };
        await assertNoOverlap(trx, termId, window, undefined, term.code);
        const row = await trx
          .insertInto('term_phases')
          .values({
            term_id: termId,
            name: p.name,
            description: p.description,
            starts_at: window.startsAt,
            ends_at: window.endsAt,
            rules: JSON.stringify(p.rules),
            merge_settings: p.mergeSettings === null ? null : JSON.stringify(p.mergeSettings),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const created = await getPhase(trx, termId, row.id);
        await recordAudit(trx, actor, { action: 'create', entityType: 'phase', entityId: row.id, changes: fieldChanges(null, created), context: { termId, template: { id, name: template.name } } });
      }
      result.push({ termId, phases: await listPhases(trx, termId) });
    }
    return { terms: result };
  });
}
