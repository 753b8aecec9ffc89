// Reference data: departments, buildings, rooms, instructors. Imported from the SIS and never
// posted back; created by hand only where an institution has no feed for them.
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { ConflictError, ForbiddenError, InvalidError } from '../domain/errors.ts';
import { can, type Actor } from '../domain/permissions.ts';
import type { buildingCreate, departmentCreate, instructorCreate, roomCreate } from '../domain/schedule.ts';
import { recordAudit } from './audit.ts';

function requireEdit(actor: Actor) {
  if (!can(actor, 'referenceData.edit'))
    throw new ForbiddenError('Your role does not allow editing reference data (referenceData.edit).');
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

async function audited<T extends { id: string }>(db: Kysely<DB>, actor: Actor, entityType: string, insert: (trx: Kysely<DB>) => Promise<T>) {
  requireEdit(actor);
  try {
    return await db.transaction().execute(async (trx) => {
      const created = await insert(trx);
      await recordAudit(trx, actor, { action: 'create', entityType, entityId: created.id, changes: fieldChanges(null, created) });
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`This ${entityType} already exists.`);
    throw error;
  }
}

export const listDepartments = async (db: Kysely<DB>) =>
  (await db.selectFrom('departments').selectAll().orderBy('code').execute()).map((d) => ({
    id: d.id,
    code: d.code,
    name: d.name,
    sisKey: d.sis_key,
  }));

export const createDepartment = (db: Kysely<DB>, actor: Actor, input: z.output<typeof departmentCreate>) =>
  audited(db, actor, 'department', async (trx) => {
    const d = await trx.insertInto('departments').values(input).returningAll().executeTakeFirstOrThrow();
    return { id: d.id, code: d.code, name: d.name, sisKey: d.sis_key };
  });

export const listBuildings = async (db: Kysely<DB>) =>
  (await db.selectFrom('buildings').selectAll().orderBy('code').execute()).map((b) => ({
    id: b.id,
    code: b.code,
    name: b.name,
    campus: b.campus,
    sisKey: b.sis_key,
  }));

export const createBuilding = (db: Kysely<DB>, actor: Actor, input: z.output<typeof buildingCreate>) =>
  audited(db, actor, 'building', async (trx) => {
    const b = await trx.insertInto('buildings').values(input).returningAll().executeTakeFirstOrThrow();
    return { id: b.id, code: b.code, name: b.name, campus: b.campus, sisKey: b.sis_key };
  });

const roomsQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('rooms as r')
    .innerJoin('buildings as b', 'b.id', 'r.building_id')
    .select(['r.id', 'r.building_id', 'b.code as building_code', 'r.number', 'r.capacity', 'r.active', 'r.sis_key'])
    .orderBy('b.code')
    .orderBy('r.number');
type RoomRow = Awaited<ReturnType<ReturnType<typeof roomsQuery>['execute']>>[number];
const toRoom = (r: RoomRow) => ({
  id: r.id,
  buildingId: r.building_id,
  buildingCode: r.building_code,
  number: r.number,
  capacity: r.capacity,
  active: r.active,
  sisKey: r.sis_key,
});

export async function listRooms(db: Kysely<DB>, filter: { buildingId?: string; minCapacity?: number }) {
  let query = roomsQuery(db);
  if (filter.buildingId) query = query.where('r.building_id', '=', filter.buildingId);
  if (filter.minCapacity !== undefined) query = query.where('r.capacity', '>=', filter.minCapacity);
  return (await query.execute()).map(toRoom);
}

export const createRoom = (db: Kysely<DB>, actor: Actor, input: z.output<typeof roomCreate>) =>
  audited(db, actor, 'room', async (trx) => {
    const building = await trx.selectFrom('buildings').select('id').where('id', '=', input.buildingId).executeTakeFirst();
    if (!building) throw new InvalidError('No such building.', [{ field: 'buildingId', message: 'No such building' }]);
    const r = await trx
      .insertInto('rooms')
      .values({ building_id: input.buildingId, number: input.number, capacity: input.capacity, active: input.active })
      .returning('id')
      .executeTakeFirstOrThrow();
    return toRoom(await roomsQuery(trx).where('r.id', '=', r.id).executeTakeFirstOrThrow());
  });

export const listInstructors = async (db: Kysely<DB>) =>
  (await db.selectFrom('instructors').selectAll().orderBy('name').orderBy('id').execute()).map((i) => ({
    id: i.id,
    name: i.name,
    email: i.email,
    departmentId: i.department_id,
    sisKey: i.sis_key,
  }));

export const createInstructor = (db: Kysely<DB>, actor: Actor, input: z.output<typeof instructorCreate>) =>
  audited(db, actor, 'instructor', async (trx) => {
    const i = await trx
      .insertInto('instructors')
      .values({ name: input.name, email: input.email, department_id: input.departmentId })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: i.id, name: i.name, email: i.email, departmentId: i.department_id, sisKey: i.sis_key };
  });
