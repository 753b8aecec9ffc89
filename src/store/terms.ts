// Terms and their parts of term.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import type { Term, TermCreate, TermPatch } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';

function requireTermsEdit(actor: Actor) {
  if (!can(actor, 'terms.edit')) throw new ForbiddenError('Your role does not allow editing terms (terms.edit).');
}

export async function getTerm(db: Kysely<DB>, id: string): Promise<Term> {
  const row = await db.selectFrom('terms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('term', id);
  const parts = await db
    .selectFrom('term_parts')
    .select(['code', 'name', 'starts_on', 'ends_on'])
    .where('term_id', '=', id)
    .orderBy('starts_on')
    .orderBy('code')
    .execute();
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    parts: parts.map((p) => ({ code: p.code, name: p.name, startsOn: p.starts_on, endsOn: p.ends_on })),
    sisKey: row.sis_key,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listTerms(db: Kysely<DB>): Promise<Term[]> {
  const rows = await db.selectFrom('terms').select('id').orderBy('starts_on', 'desc').orderBy('code').execute();
  return Promise.all(rows.map((r) => getTerm(db, r.id)));
}

async function assertCodeFree(db: Kysely<DB>, code: string, exceptId?: string) {
  let query = db.selectFrom('terms').select('id').where('code', '=', code);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const existing = await query.executeTakeFirst();
  if (existing)
    throw new ConflictError(`Term code ${code} is already used.`, {
      existingId: existing.id,
      errors: [{ field: 'code', message: 'Already used' }],
    });
}

async function writeParts(trx: Transaction<DB>, termId: string, parts: TermCreate['parts']) {
  await trx.deleteFrom('term_parts').where('term_id', '=', termId).execute();
  if (parts.length)
    await trx
      .insertInto('term_parts')
      .values(parts.map((p) => ({ term_id: termId, code: p.code, name: p.name, starts_on: p.startsOn, ends_on: p.endsOn })))
      .execute();
}

export async function createTerm(db: Kysely<DB>, actor: Actor, input: TermCreate): Promise<Term> {
  requireTermsEdit(actor);
  return db.transaction().execute(async (trx) => {
    await assertCodeFree(trx, input.code);
    const row = await trx
      .insertInto('terms')
      .values({ code: input.code, name: input.name, starts_on: input.startsOn, ends_on: input.endsOn })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeParts(trx, row.id, input.parts);
    const created = await getTerm(trx, row.id);
    await recordAudit(trx, actor, { action: 'create', entityType: 'term', entityId: row.id, changes: fieldChanges(null, created) });
    return created;
  });
}

export async function updateTerm(db: Kysely<DB>, actor: Actor, id: string, patch: TermPatch): Promise<Term> {
  requireTermsEdit(actor);
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('terms').select('version').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw new NotFoundError('term', id);
    const current = await getTerm(trx, id);
    if (locked.version !== patch.version) throw new StaleVersionError('term', locked.version, current);
    const startsOn = patch.startsOn ?? current.startsOn;
    const endsOn = patch.endsOn ?? current.endsOn;
    if (endsOn < startsOn)
      throw new ConflictError('A term must not end before it starts.', { errors: [{ field: 'endsOn', message: 'Before startsOn' }] });
    if (patch.code !== undefined) await assertCodeFree(trx, patch.code, id);
    await trx
      .updateTable('terms')
      .set({
        ...(patch.code !== undefined && { code: patch.code }),
        ...(patch.name !== undefined && { name: patch.name }),
        starts_on: startsOn,
        ends_on: endsOn,
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    if (patch.parts) await writeParts(trx, id, patch.parts);
    const updated = await getTerm(trx, id);
    await recordAudit(trx, actor, { action: 'update', entityType: 'term', entityId: id, changes: fieldChanges(current, updated) });
    return updated;
  });
}

/** Only a term without sections or relationships can be deleted: a schedule is never dropped by accident. */
export async function deleteTerm(db: Kysely<DB>, actor: Actor, id: string, version: number): Promise<void> {
  requireTermsEdit(actor);
  await db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('terms').select('version').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw new NotFoundError('term', id);
    const current = await getTerm(trx, id);
    if (locked.version !== version) throw new StaleVersionError('term', locked.version, current);
    const used = await trx.selectFrom('sections').select('id').where('term_id', '=', id).limit(1).executeTakeFirst();
    if (used) throw new ConflictError('This term has sections; it cannot be deleted.');
    await trx.deleteFrom('relationships').where('term_id', '=', id).execute();
    await trx.deleteFrom('terms').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'term', entityId: id, changes: fieldChanges(current, null) });
  });
}
