import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationState } from '../../db/migrate.ts';
import type { Database } from '../../db/database.ts';
import { problem } from '../schemas.ts';

const kind = z.enum(['pglite', 'postgres']);

export const healthRoutes = (database: Database): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness, database kind and migration state; 503 while the database cannot be reached',
        response: {
          200: z.object({
            status: z.enum(['ok', 'migrations_pending']),
            database: kind,
            migrations: z.object({ applied: z.array(z.string()), pending: z.array(z.string()) }),
          }),
          // A signed-in caller's session is looked up first: that failing answers the usual problem.
          503: {
            description: 'The database cannot be reached',
            content: {
              'application/json': { schema: z.object({ status: z.literal('database_unreachable'), database: kind }) },
              'application/problem+json': { schema: problem },
            },
          },
        },
      },
    },
    async (request, reply) => {
      // Out of reach, the database says nothing about its migrations: a load balancer must take
      // this hub out, and an operator must not be told to migrate.
      const migrations = await migrationState(database.db).catch((err: unknown) => {
        request.log.warn({ err }, 'health: the database cannot be reached');
        return null;
      });
      if (!migrations) return reply.code(503).send({ status: 'database_unreachable' as const, database: database.kind });
      return {
        status: migrations.pending.length ? ('migrations_pending' as const) : ('ok' as const),
        database: database.kind,
        migrations,
      };
    },
  );
};
