import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { termWithPhase as term } from '../../domain/phases.ts';
import { termCreate, termPatch, type Term } from '../../domain/schedule.ts';
import { currentPhases } from '../../store/phases.ts';
import { createTerm, deleteTerm, getTerm, listTerms, updateTerm } from '../../store/terms.ts';
import { requirePermission } from '../auth.ts';
import { idParams, problems, versionQuery } from '../schemas.ts';

const tags = ['terms'];

export const termRoutes = (db: Kysely<DB>, clock: () => Date = () => new Date()): FastifyPluginAsyncZod => async (app) => {
  /** Each term with its badge: the phase in force now, or null. */
  const withPhase = async <T extends Term>(terms: T[]) => {
    const badges = await currentPhases(db, terms.map((t) => t.id), clock());
    return terms.map((t) => ({ ...t, currentPhase: badges.get(t.id) ?? null }));
  };
  const oneWithPhase = async (t: Term) => (await withPhase([t]))[0];

  app.get(
    '/api/v1/terms',
    { schema: { tags, summary: 'All terms, newest first', response: { 200: z.object({ items: z.array(term) }), ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return { items: await withPhase(await listTerms(db)) };
    },
  );
  app.get(
    '/api/v1/terms/:id',
    { schema: { tags, summary: 'One term', params: idParams, response: { 200: term, ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return oneWithPhase(await getTerm(db, request.params.id));
    },
  );
  app.post(
    '/api/v1/terms',
    { schema: { tags, summary: 'Create a term', body: termCreate, response: { 201: term, ...problems } } },
    async (request, reply) => reply.code(201).send(await oneWithPhase(await createTerm(db, requirePermission(request, 'terms.edit'), request.body))),
  );
  app.patch(
    '/api/v1/terms/:id',
    { schema: { tags, summary: 'Edit a term', params: idParams, body: termPatch, response: { 200: term, ...problems } } },
    async (request) => oneWithPhase(await updateTerm(db, requirePermission(request, 'terms.edit'), request.params.id, request.body)),
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
