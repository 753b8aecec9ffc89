// Roles: named permission sets. The seeded ones (Registrar, Scheduler, Viewer, Record system) are
// created on first start and can be edited but not deleted.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors.ts';
import type { Role, RoleInput } from '../domain/people.ts';
import { can, SEEDED_ROLES, type Actor, type Permission } from '../domain/permissions.ts';
import { recordAudit } from '../store/audit.ts';

type RoleRow = Awaited<ReturnType<ReturnType<typeof roleQuery>['executeTakeFirstOrThrow']>>;
const roleQuery = (db: Kysely<DB>) => db.selectFrom('roles').selectAll();

export const toRole = (r: RoleRow): Role => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: r.permissions as Permission[],
  departmentScoped: r.department_scoped,
  builtin: r.builtin,
});

export async function seedRoles(db: Kysely<DB>): Promise<void> {
  for (const seeded of SEEDED_ROLES) {
    await db
      .insertInto('roles')
      .values({
        name: seeded.name,
        description: seeded.description,
        permissions: JSON.stringify(seeded.permissions),
        department_scoped: seeded.departmentScoped,
        builtin: true,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
}

export const listRoles = async (db: Kysely<DB>) => (await roleQuery(db).orderBy('name').execute()).map(toRole);

export async function getRole(db: Kysely<DB>, id: string): Promise<Role> {
  const row = await roleQuery(db).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('role', id);
  return toRole(row);
}

export async function roleByName(db: Kysely<DB>, name: string): Promise<Role> {
  const row = await roleQuery(db).where(sql`lower(name)`, '=', name.toLowerCase()).executeTakeFirst();
  if (!row) throw new NotFoundError('role', name);
  return toRole(row);
}

function requireRolesEdit(actor: Actor) {
  if (!can(actor, 'roles.edit')) throw new ForbiddenError('Your role does not allow editing roles (roles.edit).');
}

/** Role names are unique whatever their case; the refusal names the field. */
async function refuseTakenName(db: Kysely<DB>, name: string, exceptId: string | null) {
  let query = db.selectFrom('roles').select('id').where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) query = query.where('id', '<>', exceptId);
  const taken = await query.executeTakeFirst();
  if (taken)
    throw new ConflictError(`A role named ${name} exists.`, { existingId: taken.id, errors: [{ field: 'name', message: `A role named ${name} exists` }] });
}

export async function createRole(db: Kysely<DB>, actor: Actor, input: RoleInput): Promise<Role> {
  requireRolesEdit(actor);
  return db.transaction().execute(async (trx) => {
    await refuseTakenName(trx, input.name, null);
    const row = await trx
      .insertInto('roles')
      .values({
        name: input.name,
        description: input.description,
        permissions: JSON.stringify(input.permissions),
        department_scoped: input.departmentScoped,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const created = toRole(row);
    await recordAudit(trx, actor, { action: 'create', entityType: 'role', entityId: row.id, changes: fieldChanges(null, created) });
    return created;
  });
}

export async function updateRole(db: Kysely<DB>, actor: Actor, id: string, input: RoleInput): Promise<Role> {
  requireRolesEdit(actor);
  return db.transaction().execute(async (trx) => {
    const current = await getRole(trx, id);
    await refuseTakenName(trx, input.name, id);
    const row = await trx
      .updateTable('roles')
      .set({
        name: input.name,
        description: input.description,
        permissions: JSON.stringify(input.permissions),
        department_scoped: input.departmentScoped,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const updated = toRole(row);
    await recordAudit(trx, actor, { action: 'update', entityType: 'role', entityId: id, changes: fieldChanges(current, updated) });
    return updated;
  });
}

export async function deleteRole(db: Kysely<DB>, actor: Actor, id: string): Promise<void> {
  requireRolesEdit(actor);
  await db.transaction().execute(async (trx) => {
    const current = await getRole(trx, id);
    if (current.builtin) throw new ConflictError(`${current.name} is a built-in role; edit it instead of deleting it.`);
    const holder = await trx.selectFrom('users').select('id').where('role_id', '=', id).limit(1).executeTakeFirst();
    const tokenHolder = await trx.selectFrom('api_tokens').select('id').where('role_id', '=', id).where('revoked_at', 'is', null).limit(1).executeTakeFirst();
    if (holder || tokenHolder) throw new ConflictError(`${current.name} is still given to users or tokens.`);
    await trx.deleteFrom('roles').where('id', '=', id).execute();
    await recordAudit(trx, actor, { action: 'delete', entityType: 'role', entityId: id, changes: fieldChanges(current, null) });
  });
}
