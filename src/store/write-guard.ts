// The one check every schedule write passes, on every path (REST, bulk, CLI, web UI): the actor's
// permissions and department scope, then the term's phases — the rules in force at `now` — as
// decided by the pure `decideWrite` (src/domain/phases.ts). A write allowed only through
// `phases.bypass` comes back with the audit context that records the bypass.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { decideWrite, PERMISSION_FOR, refusalMessage, type WriteAction } from '../domain/phases.ts';
import { reachesDepartment, type Actor } from '../domain/permissions.ts';
import type { SectionField } from '../domain/schedule.ts';
import { loadTermRules, type TermRules } from './phases.ts';

export type SectionAction = 'create' | 'edit' | 'cancel' | 'delete';

export interface SectionWrite {
  action: SectionAction;
  termId: string;
  departmentId: string | null;
  /** For edits: the fields the change touches. */
  fields: readonly SectionField[];
  /** The instant the write happens at: picks the phase in force (from the app's clock). */
  now: Date;
}

/** What the store adds to the write's audit entry (a phase bypass), if anything. */
export interface GuardResult {
  auditContext: Record<string, unknown> | undefined;
}

// Within one transaction a term's rules are read once (a bulk edit touches many sections of a
// term); outside a transaction they are read every time.
const rulesCache = new WeakMap<object, Map<string, Promise<TermRules>>>();
function termRules(db: Kysely<DB>, termId: string): Promise<TermRules> {
  if (!db.isTransaction) return loadTermRules(db, termId);
  let perTerm = rulesCache.get(db);
  if (!perTerm) rulesCache.set(db, (perTerm = new Map()));
  let rules = perTerm.get(termId);
  if (!rules) perTerm.set(termId, (rules = loadTermRules(db, termId)));
  return rules;
}

async function checkWrite(
  db: Kysely<DB>,
  actor: Actor,
  termId: string,
  now: Date,
  action: WriteAction,
  fields: readonly SectionField[],
  departmentId: string | null | undefined,
): Promise<GuardResult> {
  // Merge runs and other system work follow the SIS, not the hub's scheduling calendar.
  const rules = actor.type === 'system' ? { phases: [], defaults: null, timeZone: 'UTC' } : await termRules(db, termId);
  const decision = decideWrite({ ...rules, roleId: actor.roleId, permissions: actor.permissions, now }, { action, fields });
  if (!decision.allowed && decision.reason === 'permission')
    throw new ForbiddenError(`Your role does not allow this (${decision.permission}).`, { permission: decision.permission });
  if (departmentId !== undefined && !reachesDepartment(actor, departmentId))
    throw new ForbiddenError('This section belongs to a department you are not assigned to.', { permission: PERMISSION_FOR[action] });
  if (!decision.allowed)
    throw new ForbiddenError(refusalMessage(decision), {
      phase: decision.phase?.name ?? null,
      phaseId: decision.phase?.id ?? null,
      action,
      lockedFields: decision.lockedFields,
    });
  if (decision.bypassed) return { auditContext: { phaseBypass: decision.bypassed } };
  return { auditContext: undefined };
}

export function checkSectionWrite(db: Kysely<DB>, actor: Actor, write: SectionWrite): Promise<GuardResult> {
  return checkWrite(db, actor, write.termId, write.now, write.action, write.fields, write.departmentId);
}

/**
 * Creating, editing or dissolving a relationship of a term. The department scope is the store's
 * to check: a relationship spans sections of many departments (src/store/relationships.ts).
 */
export function checkRelationshipWrite(db: Kysely<DB>, actor: Actor, write: { termId: string; now: Date }): Promise<GuardResult> {
  return checkWrite(db, actor, write.termId, write.now, 'editRelationships', [], undefined);
}
