// Record-system clients (API tokens of kind record_system): what each has touched, whether the hub
// derives its student numbers, and the reference API's request ids.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { COURSE_ENTITY } from './api-course.ts';

export interface RecordSystemClient {
  id: string;
  name: string;
  prefix: string;
  revoked: boolean;
  deriveStudentNumbers: boolean;
  lastUsedAt: string | null;
  coursesTouched: number;
  lastChangeAt: string | null;
}

export async function listClients(db: Kysely<DB>): Promise<RecordSystemClient[]> {
  const rows = await db
    .selectFrom('api_tokens as t')
    .leftJoin('course_api_clients as c', 'c.token_id', 't.id')
    .select(['t.id', 't.name', 't.prefix', 't.revoked_at', 't.last_used_at', 'c.derive_student_numbers'])
    .select((eb) => [
      eb
        .selectFrom('audit_log as a')
        .select(sql<number>`count(distinct a.entity_id)::int`.as('n'))
        .where('a.entity_type', '=', COURSE_ENTITY)
        .whereRef('a.actor_id', '=', sql<string>`t.id::text`)
        .as('courses_touched'),
      eb
        .selectFrom('audit_log as a')
        .select((e) => e.fn.max('a.at').as('m'))
        .where('a.entity_type', '=', COURSE_ENTITY)
        .whereRef('a.actor_id', '=', sql<string>`t.id::text`)
        .as('last_change_at'),
    ])
    .where('t.kind', '=', 'record_system')
    .orderBy('t.name')
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    revoked: r.revoked_at !== null,
    deriveStudentNumbers: r.derive_student_numbers ?? false,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    coursesTouched: Number(r.courses_touched ?? 0),
    lastChangeAt: r.last_change_at ? new Date(r.last_change_at as Date).toISOString() : null,
  }));
}

export async function updateClient(db: Kysely<DB>, actor: Actor, tokenId: string, patch: { deriveStudentNumbers: boolean }): Promise<RecordSystemClient> {
  await db.transaction().execute(async (trx) => {
    const token = await trx.selectFrom('api_tokens').select(['id', 'kind']).where('id', '=', tokenId).executeTakeFirst();
    if (!token || token.kind !== 'record_system') throw new NotFoundError('record-system client', tokenId);
    const before = await trx.selectFrom('course_api_clients').select('derive_student_numbers').where('token_id', '=', tokenId).executeTakeFirst();
    await trx
      .insertInto('course_api_clients')
      .values({ token_id: tokenId, derive_student_numbers: patch.deriveStudentNumbers, updated_at: sql`now()` as never })
      .onConflict((oc) => oc.column('token_id').doUpdateSet({ derive_student_numbers: patch.deriveStudentNumbers, updated_at: sql`now()` as never }))
      .execute();
    await recordAudit(trx, actor, {
      action: 'update',
      entityType: 'course_api_client',
      entityId: tokenId,
      changes: fieldChanges({ deriveStudentNumbers: before?.derive_student_numbers ?? false }, { deriveStudentNumbers: patch.deriveStudentNumbers }),
    });
  });
  return (await listClients(db)).find((c) => c.id === tokenId)!;
}

/** The reference API's request ids: integers, one per call. */
export async function nextRequestId(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ id: string }>`select nextval('course_api_request_ids') as id`.execute(db);
  return Number(r.rows[0].id);
}
