// API tokens for machine clients (integrations, record systems): shown once, stored hashed,
// scoped to a role's permissions, revocable.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ForbiddenError, InvalidError, NotFoundError } from '../domain/errors.ts';
import type { ApiToken, TokenCreate } from '../domain/people.ts';
import { can, type Actor } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { creatorOf } from './actor.ts';
import { randomSecret, sha256 } from './secrets.ts';

export const TOKEN_PREFIX = 'cbt_';

type TokenRow = Awaited<ReturnType<ReturnType<typeof tokenQuery>['executeTakeFirstOrThrow']>>;
const tokenQuery = (db: Kysely<DB>) => db.selectFrom('api_tokens').selectAll();
const toToken = (t: TokenRow): ApiToken => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  roleId: t.role_id,
  kind: t.kind,
  createdAt: t.created_at.toISOString(),
  lastUsedAt: t.last_used_at ? new Date(t.last_used_at).toISOString() : null,
  revokedAt: t.revoked_at ? new Date(t.revoked_at).toISOString() : null,
});

function requireManage(actor: Actor) {
  if (!can(actor, 'tokens.manage')) throw new ForbiddenError('Your role does not allow managing API tokens (tokens.manage).');
}

/**
 * Creates a token; the returned secret is the only time anyone sees it. A record_system token may
 * carry any role: its kind, checked on every request (src/http/auth.ts), confines it to the Course
 * API. Refusing broad roles here instead would not hold, since a role gains permissions whenever
 * someone edits it, long after its tokens were made.
 */
export async function createToken(db: Kysely<DB>, actor: Actor, input: TokenCreate): Promise<{ token: ApiToken; secret: string }> {
  requireManage(actor);
  const secret = randomSecret(TOKEN_PREFIX);
  return db.transaction().execute(async (trx) => {
    const role = await trx.selectFrom('roles').select('id').where('id', '=', input.roleId).executeTakeFirst();
    if (!role) throw new InvalidError('No such role.', [{ field: 'roleId', message: 'No such role' }]);
    const row = await trx
      .insertInto('api_tokens')
      .values({
        name: input.name,
        token_hash: sha256(secret),
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        role_id: input.roleId,
        kind: input.kind,
        created_by: creatorOf(actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const token = toToken(row);
    await recordAudit(trx, actor, { action: 'create', entityType: 'api_token', entityId: row.id, changes: fieldChanges(null, token) });
    return { token, secret };
  });
}

export async function listTokens(db: Kysely<DB>): Promise<ApiToken[]> {
  return (await tokenQuery(db).orderBy('created_at', 'desc').orderBy('id').execute()).map(toToken);
}

export async function revokeToken(db: Kysely<DB>, actor: Actor, id: string): Promise<ApiToken> {
  requireManage(actor);
  return db.transaction().execute(async (trx) => {
    const current = await tokenQuery(trx).where('id', '=', id).executeTakeFirst();
    if (!current) throw new NotFoundError('API token', id);
    if (current.revoked_at) return toToken(current);
    const row = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` as never })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const revoked = toToken(row);
    await recordAudit(trx, actor, { action: 'revoke', entityType: 'api_token', entityId: id, changes: fieldChanges(toToken(current), revoked) });
    return revoked;
  });
}

export const hashToken = sha256;
