// Terms and their parts of term.
import { sql, type Kysely, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import type { Term, TermCreate, TermPatch } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';

function requireTermsEdit(actor: Actor) {
  if (!can(actor, 'terms.edit')) throw new ForbiddenError('Your role does not allow editing terms (terms.edit).');
}

// A term with its parts (as a JSON array) in one statement, so the list is one query, not 1 + N.
const termQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('terms as t')
    .selectAll('t')
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('term_parts as p').select(['p.code', 'p.name', 'p.starts_on', 'p.ends_on']).whereRef('p.term_id', '=', 't.id').orderBy('p.starts_on').orderBy('p.code'),
      ).as('parts'),
    );

function termOf(row: Awaited<ReturnType<ReturnType<typeof termQuery>['executeTakeFirstOrThrow']>>): Term {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    parts: row.parts.map((p) => ({ code: p.code, name: p.name, startsOn: p.starts_on, endsOn: p.ends_on })),
    sisKey: row.sis_key,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getTerm(db: Kysely<DB>, id: string): Promise<Term> {
  const row = await termQuery(db).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('term', id);
  return termOf(row);
}

export async function listTerms(db: Kysely<DB>): Promise<Term[]> {
  return (await termQuery(db).orderBy('t.starts_on', 'desc').orderBy('t.code').execute()).map(termOf);
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
