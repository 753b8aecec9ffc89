// Turns a user or an API token into the Actor every permission check works with.
import type { Kysely, QueryCreator } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.ts';
import type { ApiToken } from '../domain/people.ts';
import type { Actor, Permission, Product } from '../domain/permissions.ts';
import { sha256 } from './secrets.ts';
import { idleCutoff, SESSION_TOUCH_MS, type SessionPolicy } from './sessions.ts';

/**
 * The session behind a cookie and its user as an Actor, in one statement (every request a browser
 * makes pays for it). A session in force is within its lifetime and was used within the idle
 * limit. Unless `use` is false (a request nobody made: the page polling by itself), the same
 * statement records this use, writing only when the use last recorded is SESSION_TOUCH_MS old.
 * `actor` is undefined when the user is disabled: the session still names itself, so it can be
 * signed out.
 */
export async function sessionActor(
  db: Kysely<DB>,
  sessionId: string,
  policy: SessionPolicy,
  use = true,
): Promise<{ csrfToken: string; actor: Actor | undefined } | undefined> {
  const now = policy.clock();
  const idHash = sha256(sessionId);
  const idle = idleCutoff(policy, now);
  // The update runs whether or not the select reads it; it checks the session is in force, as the
  // select does, so that it never revives one that ended.
  const lookup: QueryCreator<DB> = use
    ? db.with('touched', (cte) =>
        cte
          .updateTable('sessions')
          .set({ last_used_at: now })
          .where('id_hash', '=', idHash)
          .where('expires_at', '>', now)
          .where('last_used_at', '>', idle)
          .where('last_used_at', '<=', new Date(now.getTime() - SESSION_TOUCH_MS))
          .returning('id_hash'),
      )
    : db;
  const row = await lookup
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('roles as r', 'r.id', 'u.role_id')
    .select(['s.csrf_token', 'u.id', 'u.email', 'u.products', 'u.disabled', 'r.id as role_id', 'r.permissions', 'r.department_scoped'])
    .select((eb) => jsonArrayFrom(eb.selectFrom('user_departments as d').select('d.department_id').whereRef('d.user_id', '=', 'u.id')).as('departments'))
    .where('s.id_hash', '=', idHash)
    .where('s.expires_at', '>', now)
    .where('s.last_used_at', '>', idle)
    .executeTakeFirst();
  if (!row) return undefined;
  const actor: Actor | undefined = row.disabled
    ? undefined
    : {
        type: 'user',
        id: row.id,
        name: row.email,
        permissions: new Set(row.permissions as Permission[]),
        products: row.products as Product[],
        departmentIds: row.department_scoped ? row.departments.map((d) => d.department_id) : null,
        roleId: row.role_id,
      };
  return { csrfToken: row.csrf_token, actor };
}

/** The kind an API token was created with; a record-system token reaches the Course API only. */
export type TokenKind = ApiToken['kind'];
export interface TokenActor extends Actor {
  type: 'token';
  kind: TokenKind;
  /** The user who created the token (null: made with the CLI); the token works while they are enabled. */
  creatorId: string | null;
}

const isTokenActor = (actor: Actor): actor is TokenActor => actor.type === 'token' && 'kind' in actor;

/** Whether this actor is a record-system token, whose reach is the Course API's client calls. */
export const isRecordSystemToken = (actor: Actor): boolean => isTokenActor(actor) && actor.kind === 'record_system';

/**
 * The user a token made by this actor answers to: the user, or for a token the user behind it, so
 * that disabling an admin also stops the tokens their tokens made.
 */
export const creatorOf = (actor: Actor): string | null => (actor.type === 'user' ? actor.id : isTokenActor(actor) ? actor.creatorId : null);

/**
 * The token behind a bearer secret as an Actor, or why it is refused. A token stops working when
 * it is revoked, and while the person who created it is disabled: disabling an admin must cut off
 * what they handed out as well as their sessions. Read in the same statement as the token, so a
 * request pays nothing extra for it.
 */
export async function tokenActor(db: Kysely<DB>, tokenHash: string): Promise<{ actor: TokenActor } | { refused: string }> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('roles as r', 'r.id', 't.role_id')
    .leftJoin('users as c', 'c.id', 't.created_by')
    .select(['t.id', 't.name', 't.kind', 't.created_by', 't.revoked_at', 't.last_used_at', 'c.disabled as creator_disabled', 'r.id as role_id', 'r.permissions', 'r.department_scoped'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return { refused: 'This API token is unknown.' };
  if (row.revoked_at) return { refused: 'This API token is revoked.' };
  if (row.creator_disabled) return { refused: 'The user who created this API token is disabled, so the token no longer works: ask an admin for a new one.' };
  // "Last used" is shown to the minute: a busy integration does not write the row on every request.
  const now = new Date();
  if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= 60_000)
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  return {
    actor: {
      type: 'token',
      kind: row.kind,
      creatorId: row.created_by,
      id: row.id,
      name: `token:${row.name}`,
      permissions: new Set(row.permissions as Permission[]),
      // Products are what a person may open in the apps (DESIGN glossary); a token opens none, and
      // its role's permissions alone decide what it reaches (admin routes included).
      products: [],
      // A department-scoped role on a token has no departments to reach: it sees nothing scoped.
      departmentIds: row.department_scoped ? [] : null,
      roleId: row.role_id,
    },
  };
}
