// Turns a user or an API token into the Actor every permission check works with.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor, Permission, Product } from '../domain/permissions.ts';

export async function userActor(db: Kysely<DB>, userId: string): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('roles as r', 'r.id', 'u.role_id')
    .select(['u.id', 'u.email', 'u.name', 'u.products', 'u.disabled', 'r.id as role_id', 'r.permissions', 'r.department_scoped'])
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!row || row.disabled) return undefined;
  const departments = row.department_scoped
    ? (await db.selectFrom('user_departments').select('department_id').where('user_id', '=', userId).execute()).map((d) => d.department_id)
    : null;
  return {
    type: 'user',
    id: row.id,
    name: row.email,
    permissions: new Set(row.permissions as Permission[]),
    products: row.products as Product[],
    departmentIds: departments,
    roleId: row.role_id,
  };
}

export async function tokenActor(db: Kysely<DB>, tokenHash: string): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('roles as r', 'r.id', 't.role_id')
    .select(['t.id', 't.name', 't.kind', 't.revoked_at', 'r.id as role_id', 'r.permissions', 'r.department_scoped'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.revoked_at) return undefined;
  await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  return {
    type: 'token',
    id: row.id,
    name: `token:${row.name}`,
    permissions: new Set(row.permissions as Permission[]),
    // Machine clients use the API, not the apps; products gate only what a person may open.
    products: ['scheduling'],
    // A department-scoped role on a token has no departments to reach: it sees nothing scoped.
    departmentIds: row.department_scoped ? [] : null,
    roleId: row.role_id,
  };
}
