import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { term, termCreate, termPatch } from '../../domain/schedule.ts';
import { createTerm, deleteTerm, getTerm, listTerms, updateTerm } from '../../store/terms.ts';
import { requirePermission } from '../auth.ts';
import { idParams, problems, versionQuery } from '../schemas.ts';

const tags = ['terms'];

export const termRoutes = (db: Kysely<DB>): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/v1/terms',
    { schema: { tags, summary: 'All terms, newest first', response: { 200: z.object({ items: z.array(term) }), ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return { items: await listTerms(db) };
    },
  );
  app.get(
    '/api/v1/terms/:id',
    { schema: { tags, summary: 'One term', params: idParams, response: { 200: term, ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return getTerm(db, request.params.id);
    },
  );
  app.post(
    '/api/v1/terms',
    { schema: { tags, summary: 'Create a term', body: termCreate, response: { 201: term, ...problems } } },
    async (request, reply) => reply.code(201).send(await createTerm(db, requirePermission(request, 'terms.edit'), request.body)),
  );
  app.patch(
    '/api/v1/terms/:id',
    { schema: { tags, summary: 'Edit a term', params: idParams, body: termPatch, response: { 200: term, ...problems } } },
    async (request) => updateTerm(db, requirePermission(request, 'terms.edit'), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/terms/:id',
    {
      schema: { tags, summary: 'Delete a term without sections', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await deleteTerm(db, requirePermission(request, 'terms.edit'), request.params.id, request.query.version);
      return reply.code(204).send(null);
    },
  );
};
