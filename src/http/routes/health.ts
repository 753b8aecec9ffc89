import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationState } from '../../db/migrate.ts';
import type { Database } from '../../db/database.ts';

export const healthRoutes = (database: Database): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness, database kind and migration state',
        response: {
          200: z.object({
            status: z.enum(['ok', 'migrations_pending']),
            database: z.enum(['pglite', 'postgres']),
            migrations: z.object({ applied: z.array(z.string()), pending: z.array(z.string()) }),
          }),
        },
      },
    },
    async () => {
      const migrations = await migrationState(database.db);
      return {
        status: migrations.pending.length ? ('migrations_pending' as const) : ('ok' as const),
        database: database.kind,
        migrations,
      };
    },
  );
};
