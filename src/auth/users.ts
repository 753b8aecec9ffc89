// Users: email, name, one role, products, assigned departments. Admin is never a user's only
// product, and holding it is flagged when more than two users do.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, InvalidError, NotFoundError, StaleVersionError } from '../domain/errors.ts';
import type { User, UserCreate, UserPatch } from '../domain/people.ts';
import { adminCountWarning, can, productsProblem, type Actor, type Permission, type Product } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';
import { hashPassword } from './secrets.ts';

const userQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('users as u')
    .innerJoin('roles as r', 'r.id', 'u.role_id')
    .select([
      'u.id',
      'u.email',
      'u.name',
      'u.role_id',
      'r.name as role_name',
      'r.permissions',
      'u.products',
      'u.disabled',
      'u.version',
      'u.created_at',
      (eb) =>
        eb
          .selectFrom('user_departments as d')
          .select(sql<string[]>`coalesce(array_agg(d.department_id::text order by d.department_id), '{}')`.as('ids'))
          .whereRef('d.user_id', '=', 'u.id')
          .as('department_ids'),
    ]);

type UserRow = Awaited<ReturnType<ReturnType<typeof userQuery>['executeTakeFirstOrThrow']>>;
const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  roleId: r.role_id,
  roleName: r.role_name,
  products: r.products as Product[],
  departmentIds: parseTextArray(r.department_ids),
  permissions: r.permissions as Permission[],
  disabled: r.disabled,
  version: r.version,
  createdAt: r.created_at.toISOString(),
});

// pg parses text[] into an array; PGlite may hand back the '{a,b}' literal for an expression.
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string') return value.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return [];
}

function requireManage(actor: Actor) {
  if (!can(actor, 'users.manage')) throw new ForbiddenError('Your role does not allow managing users (users.manage).');
}

export async function getUser(db: Kysely<DB>, id: string): Promise<User> {
  const row = await userQuery(db).where('u.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('user', id);
  return toUser(row);
}

export async function findUserByEmail(db: Kysely<DB>, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function listUsers(db: Kysely<DB>): Promise<{ items: User[]; warnings: string[] }> {
  const items = (await userQuery(db).orderBy('u.email').execute()).map(toUser);
  return { items, warnings: await adminWarnings(db) };
}

export async function adminWarnings(db: Kysely<DB>): Promise<string[]> {
  const { n } = await db
    .selectFrom('users')
    .select(sql<number>`count(*)`.as('n'))
    .where(sql<boolean>`products ? 'admin'`)
    .where('disabled', '=', false)
    .executeTakeFirstOrThrow();
  const warning = adminCountWarning(Number(n));
  return warning ? [warning] : [];
}

async function checkRoleAndDepartments(db: Kysely<DB>, roleId: string | undefined, departmentIds: string[] | undefined) {
  if (roleId) {
    const role = await db.selectFrom('roles').select('id').where('id', '=', roleId).executeTakeFirst();
    if (!role) throw new InvalidError('No such role.', [{ field: 'roleId', message: 'No such role' }]);
  }
  if (departmentIds?.length) {
    const found = await db.selectFrom('departments').select('id').where('id', 'in', departmentIds).execute();
    if (found.length !== new Set(departmentIds).size)
      throw new InvalidError('Some departments do not exist.', [{ field: 'departmentIds', message: 'No such department' }]);
  }
}

export async function createUser(db: Kysely<DB>, actor: Actor, input: UserCreate): Promise<User> {
  requireManage(actor);
  const problem = productsProblem(input.products);
  if (problem) throw new InvalidError(problem, [{ field: 'products', message: problem }]);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction().execute(async (trx) => {
    if (await findUserByEmail(trx, input.email))
      throw new ConflictError(`A user with the email ${input.email} exists.`, { errors: [{ field: 'email', message: 'Already used' }] });
    await checkRoleAndDepartments(trx, input.roleId, input.departmentIds);
    const row = await trx
      .insertInto('users')
      .values({
        email: input.email,
        name: input.name,
        password_hash: passwordHash,
        role_id: input.roleId,
        products: JSON.stringify(input.products),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.departmentIds.length)
      await trx
        .insertInto('user_departments')
        .values([...new Set(input.departmentIds)].map((department_id) => ({ user_id: row.id, department_id })))
        .execute();
    const created = await getUser(trx, row.id);
    await recordAudit(trx, actor, { action: 'create', entityType: 'user', entityId: row.id, changes: fieldChanges(null, created) });
    return created;
  });
}

export async function updateUser(db: Kysely<DB>, actor: Actor, id: string, patch: UserPatch): Promise<User> {
  requireManage(actor);
  if (patch.products) {
    const problem = productsProblem(patch.products);
    if (problem) throw new InvalidError(problem, [{ field: 'products', message: problem }]);
  }
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('users').select('version').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) throw new NotFoundError('user', id);
    const current = await getUser(trx, id);
    if (locked.version !== patch.version) throw new StaleVersionError('user', locked.version, current);
    await checkRoleAndDepartments(trx, patch.roleId, patch.departmentIds);
    await trx
      .updateTable('users')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(passwordHash !== undefined && { password_hash: passwordHash }),
        ...(patch.roleId !== undefined && { role_id: patch.roleId }),
        ...(patch.products !== undefined && { products: JSON.stringify(patch.products) }),
        ...(patch.disabled !== undefined && { disabled: patch.disabled }),
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .execute();
    if (patch.departmentIds) {
      await trx.deleteFrom('user_departments').where('user_id', '=', id).execute();
      if (patch.departmentIds.length)
        await trx
          .insertInto('user_departments')
          .values([...new Set(patch.departmentIds)].map((department_id) => ({ user_id: id, department_id })))
          .execute();
    }
    if (patch.password || patch.disabled) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    const updated = await getUser(trx, id);
    const changes = fieldChanges(current, updated);
    if (patch.password) changes.password = { before: '(hidden)', after: '(changed)' };
    await recordAudit(trx, actor, { action: 'update', entityType: 'user', entityId: id, changes });
    return updated;
  });
}
