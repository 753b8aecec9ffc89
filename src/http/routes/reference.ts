// Reference data: rooms, buildings, instructors, departments.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import {
  building,
  buildingCreate,
  department,
  departmentCreate,
  instructor,
  instructorCreate,
  room,
  roomCreate,
} from '../../domain/schedule.ts';
import * as reference from '../../store/reference.ts';
import { requirePermission } from '../auth.ts';
import { problems, queryWholeNumber } from '../schemas.ts';

const tags = ['reference data'];
const list = <T extends z.ZodType>(item: T) => ({ 200: z.object({ items: z.array(item) }), ...problems });

export const referenceRoutes = (db: Kysely<DB>): FastifyPluginAsyncZod => async (app) => {
  app.get('/api/v1/departments', { schema: { tags, summary: 'Departments', response: list(department) } }, async (request) => {
    requirePermission(request, 'sections.view');
    return { items: await reference.listDepartments(db) };
  });
  app.post(
    '/api/v1/departments',
    { schema: { tags, summary: 'Add a department', body: departmentCreate, response: { 201: department, ...problems } } },
    async (request, reply) => reply.code(201).send(await reference.createDepartment(db, requirePermission(request, 'referenceData.edit'), request.body)),
  );
  app.get('/api/v1/buildings', { schema: { tags, summary: 'Buildings', response: list(building) } }, async (request) => {
    requirePermission(request, 'sections.view');
    return { items: await reference.listBuildings(db) };
  });
  app.post(
    '/api/v1/buildings',
    { schema: { tags, summary: 'Add a building', body: buildingCreate, response: { 201: building, ...problems } } },
    async (request, reply) => reply.code(201).send(await reference.createBuilding(db, requirePermission(request, 'referenceData.edit'), request.body)),
  );
  app.get(
    '/api/v1/rooms',
    {
      schema: {
        tags,
        summary: 'Rooms, optionally of one building or with at least some capacity',
        querystring: z.strictObject({ buildingId: z.uuid().optional(), minCapacity: queryWholeNumber('minCapacity').optional() }),
        response: list(room),
      },
    },
    async (request) => {
      requirePermission(request, 'sections.view');
      return { items: await reference.listRooms(db, request.query) };
    },
  );
  app.post(
    '/api/v1/rooms',
    { schema: { tags, summary: 'Add a room', body: roomCreate, response: { 201: room, ...problems } } },
    async (request, reply) => reply.code(201).send(await reference.createRoom(db, requirePermission(request, 'referenceData.edit'), request.body)),
  );
  app.get('/api/v1/instructors', { schema: { tags, summary: 'Instructors', response: list(instructor) } }, async (request) => {
    requirePermission(request, 'sections.view');
    return { items: await reference.listInstructors(db) };
  });
  app.post(
    '/api/v1/instructors',
    { schema: { tags, summary: 'Add an instructor', body: instructorCreate, response: { 201: instructor, ...problems } } },
    async (request, reply) => reply.code(201).send(await reference.createInstructor(db, requirePermission(request, 'referenceData.edit'), request.body)),
  );
};
