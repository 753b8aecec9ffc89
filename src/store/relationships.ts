// Relationships: sections taught together, as a crosslist (one class under several codes) or a
// combined section (meets together), with an optional shared capacity.
import { sql, type Kysely, type Transaction } from 'kysely';
import { idList } from '../db/id-list.ts';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ForbiddenError, InvalidError, NotFoundError, StaleVersionError, type FieldError } from '../domain/errors.ts';
import { can, reachesDepartment, type Actor } from '../domain/permissions.ts';
import type { Relationship, RelationshipCreate, RelationshipPatch } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';
import type { SaveHooks } from './save-hooks.ts';
import { checkRelationshipWrite } from './write-guard.ts';

// A department-scoped actor sees only the sections of its departments (src/store/sections.ts): it
// sees a relationship that includes one of them, and changes one only when it reaches them all.
type Row = Awaited<ReturnType<ReturnType<typeof rowsQuery>['execute']>>[number];
function rowsQuery(db: Kysely<DB>, actor: Actor | null) {
  const query = db.selectFrom('relationships').selectAll().where('deleted_at', 'is', null);
  if (!actor?.departmentIds) return query;
  const reached = db
    .selectFrom('relationship_members as m')
    .innerJoin('sections as s', 's.id', 'm.section_id')
    .innerJoin('courses as c', 'c.id', 's.course_id')
    .select('m.relationship_id')
    .where('c.department_id', 'in', idList(actor.departmentIds));
  return query.where('id', 'in', reached);
}

/** `actor` null: every relationship, as the store reads its own writes. */
export async function getRelationship(db: Kysely<DB>, actor: Actor | null, id: string): Promise<Relationship> {
  const row = await rowsQuery(db, actor).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('relationship', id);
  return (await hydrate(db, [row]))[0];
}

async function hydrate(db: Kysely<DB>, rows: Row[]): Promise<Relationship[]> {
  if (!rows.length) return [];
  const members = await db
    .selectFrom('relationship_members as m')
    .innerJoin('sections as s', 's.id', 'm.section_id')
    .innerJoin('courses as c', 'c.id', 's.course_id')
    .select(['m.relationship_id', 'm.section_id', 'm.is_primary'])
    .where('m.relationship_id', 'in', rows.map((r) => r.id))
    .orderBy('m.is_primary', 'desc')
    .orderBy('c.subject')
    .orderBy('c.number')
    .orderBy('s.section_number')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    termId: row.term_id,
    kind: row.kind,
    sharedCapacity: row.shared_capacity,
    allowIntegration: row.allow_integration,
    members: members
      .filter((m) => m.relationship_id === row.id)
      .map((m) => ({ sectionId: m.section_id, primary: m.is_primary })),
    sisKey: row.sis_key,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  }));
}

export async function listRelationships(db: Kysely<DB>, actor: Actor, filter: { termId?: string; sectionId?: string }): Promise<Relationship[]> {
  let query = rowsQuery(db, actor);
  if (filter.termId) query = query.where('term_id', '=', filter.termId);
  if (filter.sectionId)
    query = query.where('id', 'in', db.selectFrom('relationship_members').select('relationship_id').where('section_id', '=', filter.sectionId));
  return hydrate(db, await query.orderBy('created_at').orderBy('id').execute());
}

function requireEdit(actor: Actor) {
  if (!can(actor, 'relationships.edit'))
    throw new ForbiddenError('Your role does not allow editing relationships (relationships.edit).');
}

/** The sections among `ids` of departments the actor does not reach. */
async function outOfReach(trx: Transaction<DB>, actor: Actor, ids: readonly string[]): Promise<Set<string>> {
  if (actor.departmentIds === null || !ids.length) return new Set();
  const sections = await trx
    .selectFrom('sections as s')
    .innerJoin('courses as c', 'c.id', 's.course_id')
    .select(['s.id', 'c.department_id'])
    .where('s.id', 'in', [...ids])
    .execute();
  return new Set(sections.filter((s) => !reachesDepartment(actor, s.department_id)).map((s) => s.id));
}

async function checkMembers(trx: Transaction<DB>, actor: Actor, termId: string, members: RelationshipCreate['members'], exceptId?: string) {
  const ids = members.map((m) => m.sectionId);
  // First, so that nothing below tells about sections the actor may not see.
  const foreign = await outOfReach(trx, actor, ids);
  if (foreign.size)
    throw new ForbiddenError('Some members are sections of departments you are not assigned to.', {
      permission: 'relationships.edit',
      errors: members.flatMap((m, i) =>
        foreign.has(m.sectionId) ? [{ field: `members.${i}.sectionId`, message: 'Section of a department you are not assigned to' }] : [],
      ),
    });
  const sections = await trx
    .selectFrom('sections')
    .select(['id', 'term_id'])
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute();
  const byId = new Map(sections.map((s) => [s.id, s]));
  const errors: FieldError[] = [];
  members.forEach((m, i) => {
    const found = byId.get(m.sectionId);
    if (!found) errors.push({ field: `members.${i}.sectionId`, message: 'No such section' });
    else if (found.term_id !== termId) errors.push({ field: `members.${i}.sectionId`, message: 'Section is in another term' });
  });
  let taken = trx
    .selectFrom('relationship_members as m')
    .innerJoin('relationships as r', 'r.id', 'm.relationship_id')
    .select(['m.section_id', 'r.id'])
    .where('m.section_id', 'in', ids)
    .where('r.deleted_at', 'is', null);
  if (exceptId) taken = taken.where('r.id', '<>', exceptId);
  const takenBy = new Map((await taken.execute()).map((t) => [t.section_id, t.id]));
  members.forEach((m, i) => {
    const other = takenBy.get(m.sectionId);
    if (other) errors.push({ field: `members.${i}.sectionId`, message: `Already in relationship ${other}` });
  });
  if (errors.length) throw new InvalidError('Some members cannot join this relationship.', errors);
}

async function writeMembers(trx: Transaction<DB>, id: string, members: RelationshipCreate['members']) {
  await trx.deleteFrom('relationship_members').where('relationship_id', '=', id).execute();
  await trx
    .insertInto('relationship_members')
    .values(members.map((m) => ({ relationship_id: id, section_id: m.sectionId, is_primary: m.primary })))
    .execute();
}

/** `now` picks the phase in force (may the role edit relationships now?); the HTTP app passes its clock. */
export async function createRelationship(db: Kysely<DB>, actor: Actor, input: RelationshipCreate, now: Date = new Date(), hooks?: SaveHooks): Promise<Relationship> {
  requireEdit(actor);
  return db.transaction().execute(async (trx) => {
    const term = await trx.selectFrom('terms').select('id').where('id', '=', input.termId).executeTakeFirst();
    if (!term) throw new InvalidError('No such term.', [{ field: 'termId', message: 'No such term' }]);
    const guard = await checkRelationshipWrite(trx, actor, { termId: input.termId, now });
    await checkMembers(trx, actor, input.termId, input.members);
    const row = await trx
      .insertInto('relationships')
      .values({ term_id: input.termId, kind: input.kind, shared_capacity: input.sharedCapacity, allow_integration: input.allowIntegration })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeMembers(trx, row.id, input.members);
    const created = await getRelationship(trx, null, row.id);
    await recordAudit(trx, actor, { action: 'create', entityType: 'relationship', entityId: row.id, changes: fieldChanges(null, created), context: guard.auditContext });
    await hooks?.relationshipSaved(trx, { id: row.id, termId: created.termId, before: null, after: created });
    return created;
  });
}

async function lock(trx: Transaction<DB>, actor: Actor, id: string, version: number) {
  const locked = await trx.selectFrom('relationships').select('version').where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
  if (!locked) throw new NotFoundError('relationship', id);
  const current = await getRelationship(trx, actor, id);
  if ((await outOfReach(trx, actor, current.members.map((m) => m.sectionId))).size)
    throw new ForbiddenError('This relationship includes sections of departments you are not assigned to.', { permission: 'relationships.edit' });
  if (locked.version !== version) throw new StaleVersionError('relationship', locked.version, current);
  return current;
}

export async function updateRelationship(db: Kysely<DB>, actor: Actor, id: string, patch: RelationshipPatch, now: Date = new Date(), hooks?: SaveHooks): Promise<Relationship> {
  requireEdit(actor);
  return db.transaction().execute(async (trx) => {
    const current = await lock(trx, actor, id, patch.version);
    const guard = await checkRelationshipWrite(trx, actor, { termId: current.termId, now });
    if (patch.members) await checkMembers(trx, actor, current.termId, patch.members, id);
    await trx
      .updateTable('relationships')
      .set({
        ...(patch.kind !== undefined && { kind: patch.kind }),
        ...(patch.sharedCapacity !== undefined && { shared_capacity: patch.sharedCapacity }),
        ...(patch.allowIntegration !== undefined && { allow_integration: patch.allowIntegration }),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    if (patch.members) await writeMembers(trx, id, patch.members);
    const updated = await getRelationship(trx, null, id);
    await recordAudit(trx, actor, { action: 'update', entityType: 'relationship', entityId: id, changes: fieldChanges(current, updated), context: guard.auditContext });
    await hooks?.relationshipSaved(trx, { id, termId: updated.termId, before: current, after: updated });
    return updated;
  });
}

export async function deleteRelationship(db: Kysely<DB>, actor: Actor, id: string, version: number, now: Date = new Date(), hooks?: SaveHooks): Promise<void> {
  requireEdit(actor);
  await db.transaction().execute(async (trx) => {
    const current = await lock(trx, actor, id, version);
    const guard = await checkRelationshipWrite(trx, actor, { termId: current.termId, now });
    await trx.updateTable('relationships').set({ deleted_at: sql`now()`, version: sql`version + 1`, updated_at: sql`now()` }).where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'relationship', entityId: id, changes: fieldChanges(current, null), context: guard.auditContext });
    await hooks?.relationshipSaved(trx, { id, termId: current.termId, before: current, after: null });
  });
}
