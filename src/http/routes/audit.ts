import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { listAudit } from '../../store/audit-log.ts';
import { requirePermission } from '../auth.ts';
import { limit, pageOf, problems } from '../schemas.ts';

const entry = z
  .object({
    id: z.int(),
    at: z.string(),
    actor: z.object({ type: z.enum(['user', 'token', 'system']), id: z.string().nullable(), name: z.string() }),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
    context: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });

export const auditRoutes = (db: Kysely<DB>): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Who changed what, newest first',
        description:
          'A role limited to departments reads only the history of the sections, relationships and courses of its departments; ' +
          'asking for another record type is 403 naming entityType',
        querystring: z.strictObject({
          entityType: z.string().max(50).optional(),
          entityId: z.string().max(100).optional(),
          actorId: z.string().max(100).optional(),
          actorType: z.enum(['user', 'token', 'system']).optional(),
          action: z.string().max(50).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          limit,
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(entry), ...problems },
      },
    },
    async (request) => listAudit(db, requirePermission(request, 'audit.view'), request.query),
  );
};
