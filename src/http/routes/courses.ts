import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { course, courseCreate, coursePatch } from '../../domain/schedule.ts';
import { createCourse, deleteCourse, getCourse, listCourses, updateCourse } from '../../store/courses.ts';
import { requirePermission } from '../auth.ts';
import { idParams, limit, pageOf, problems, versionQuery } from '../schemas.ts';

const tags = ['courses'];

export const courseRoutes = (db: Kysely<DB>): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/v1/courses',
    {
      schema: {
        tags,
        summary: 'List courses by code, filtered and cursor-paginated',
        querystring: z.strictObject({
          subject: z.string().max(10).optional(),
          departmentId: z.uuid().optional(),
          q: z.string().max(100).optional(),
          limit,
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(course), ...problems },
      },
    },
    async (request) => listCourses(db, requirePermission(request, 'sections.view'), request.query),
  );
  app.get(
    '/api/v1/courses/:id',
    { schema: { tags, summary: 'One course', params: idParams, response: { 200: course, ...problems } } },
    async (request) => getCourse(db, requirePermission(request, 'sections.view'), request.params.id),
  );
  app.post(
    '/api/v1/courses',
    { schema: { tags, summary: 'Create a course', body: courseCreate, response: { 201: course, ...problems } } },
    async (request, reply) => reply.code(201).send(await createCourse(db, requirePermission(request, 'courses.edit'), request.body)),
  );
  app.patch(
    '/api/v1/courses/:id',
    { schema: { tags, summary: 'Edit a course', params: idParams, body: coursePatch, response: { 200: course, ...problems } } },
    async (request) => updateCourse(db, requirePermission(request, 'courses.edit'), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/courses/:id',
    {
      schema: { tags, summary: 'Delete a course without sections', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await deleteCourse(db, requirePermission(request, 'courses.edit'), request.params.id, request.query.version);
      return reply.code(204).send(null);
    },
  );
};
