import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { relationship, relationshipCreate, relationshipPatch } from '../../domain/schedule.ts';
import {
  createRelationship,
  deleteRelationship,
  getRelationship,
  listRelationships,
  updateRelationship,
} from '../../store/relationships.ts';
import { requirePermission } from '../auth.ts';
import { idParams, problems, versionQuery } from '../schemas.ts';

const tags = ['relationships'];

export const relationshipRoutes = (db: Kysely<DB>, clock: () => Date = () => new Date()): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/v1/relationships',
    {
      schema: {
        tags,
        summary: 'Crosslists and combined sections of a term, or of one section',
        querystring: z.strictObject({ termId: z.uuid().optional(), sectionId: z.uuid().optional() }),
        response: { 200: z.object({ items: z.array(relationship) }), ...problems },
      },
    },
    async (request) => {
      requirePermission(request, 'sections.view');
      return { items: await listRelationships(db, request.query) };
    },
  );
  app.get(
    '/api/v1/relationships/:id',
    { schema: { tags, summary: 'One relationship', params: idParams, response: { 200: relationship, ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return getRelationship(db, request.params.id);
    },
  );
  app.post(
    '/api/v1/relationships',
    { schema: { tags, summary: 'Create a relationship', body: relationshipCreate, response: { 201: relationship, ...problems } } },
    async (request, reply) =>
      reply.code(201).send(await createRelationship(db, requirePermission(request, 'relationships.edit'), request.body, clock())),
  );
  app.patch(
    '/api/v1/relationships/:id',
    { schema: { tags, summary: 'Edit a relationship', params: idParams, body: relationshipPatch, response: { 200: relationship, ...problems } } },
    async (request) => updateRelationship(db, requirePermission(request, 'relationships.edit'), request.params.id, request.body, clock()),
  );
  app.delete(
    '/api/v1/relationships/:id',
    {
      schema: { tags, summary: 'Dissolve a relationship', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await deleteRelationship(db, requirePermission(request, 'relationships.edit'), request.params.id, request.query.version, clock());
      return reply.code(204).send(null);
    },
  );
};
