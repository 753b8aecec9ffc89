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
import type { SaveHooks } from '../../store/save-hooks.ts';
import { withIntegrationStatus } from '../../sync/integration-view.ts';
import { requirePermission } from '../auth.ts';
import { idParams, problems, versionQuery } from '../schemas.ts';

const tags = ['relationships'];

export const relationshipRoutes = (
  db: Kysely<DB>,
  clock: () => Date = () => new Date(),
  hooks?: SaveHooks & { committed?(): void },
): FastifyPluginAsyncZod => async (app) => {
  const saved = async <T>(save: Promise<T>): Promise<T> => {
    const result = await save;
    hooks?.committed?.();
    return result;
  };
  // A relationship and its integration status read in one snapshot: read apart, a post committing
  // between the two showed it synced with no SIS key yet (PostgreSQL; PGlite has one session).
  const snapshot = <T>(read: (trx: Kysely<DB>) => Promise<T>) => db.transaction().setIsolationLevel('repeatable read').execute(read);
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
      const actor = requirePermission(request, 'sections.view');
      return snapshot((trx) => listRelationships(trx, actor, request.query).then(async (items) => ({ items: await withIntegrationStatus(trx, actor, 'relationship', items) })));
    },
  );
  app.get(
    '/api/v1/relationships/:id',
    { schema: { tags, summary: 'One relationship', params: idParams, response: { 200: relationship, ...problems } } },
    async (request) => {
      const actor = requirePermission(request, 'sections.view');
      return snapshot(async (trx) => (await withIntegrationStatus(trx, actor, 'relationship', [await getRelationship(trx, actor, request.params.id)]))[0]);
    },
  );
  app.post(
    '/api/v1/relationships',
    { schema: { tags, summary: 'Create a relationship', body: relationshipCreate, response: { 201: relationship, ...problems } } },
    async (request, reply) =>
      reply.code(201).send(await saved(createRelationship(db, requirePermission(request, 'relationships.edit'), request.body, clock(), hooks))),
  );
  app.patch(
    '/api/v1/relationships/:id',
    { schema: { tags, summary: 'Edit a relationship', params: idParams, body: relationshipPatch, response: { 200: relationship, ...problems } } },
    async (request) => saved(updateRelationship(db, requirePermission(request, 'relationships.edit'), request.params.id, request.body, clock(), hooks)),
  );
  app.delete(
    '/api/v1/relationships/:id',
    {
      schema: { tags, summary: 'Dissolve a relationship', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await saved(deleteRelationship(db, requirePermission(request, 'relationships.edit'), request.params.id, request.query.version, clock(), hooks));
      return reply.code(204).send(null);
    },
  );
};
