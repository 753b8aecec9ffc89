// GET /api/v1/admin/backup: the embedded database as a download, taken while the hub runs
// (src/db/backup.ts). PostgreSQL has its own tools for this, which the refusal names.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { backupImage, fileTimestamp } from '../../db/backup.ts';
import type { Database } from '../../db/database.ts';
import { ConflictError } from '../../domain/errors.ts';
import { recordAudit } from '../../store/audit.ts';
import { requireAdmin } from '../auth.ts';
import { problems } from '../schemas.ts';

export const backupRoutes = (database: Database, clock: () => Date): FastifyPluginAsyncZod => async (app) => {
  app.get(
    '/api/v1/admin/backup',
    {
      schema: {
        tags: ['admin'],
        summary: 'Download a backup of the embedded database (a gzip\'d tar), taken while the hub runs',
        description:
          'A consistent image as of the last commit, for `coursebridge restore`. It holds everything, password hashes and encrypted secrets ' +
          'included, but not the key those secrets open with (secrets.key in the data directory, or COURSEBRIDGE_SECRETS_KEY): keep that apart. ' +
          'It is sent as it is compressed, from a copy of the database files made beside them (about as large; removed when the download ends ' +
          'or is cut off); the audit log records it as the download starts. 409 on PostgreSQL, which pg_dump backs up.',
        response: {
          200: {
            description: 'The backup, as coursebridge-<UTC time>.tar.gz',
            content: { 'application/gzip': { schema: z.custom<Readable>().meta({ type: 'string', format: 'binary' }) } },
          },
          ...problems,
        },
      },
    },
    async (request, reply) => {
      // users.manage, not a permission of its own: the backup carries every account's password hash
      // and every stored secret, so only those who already govern the accounts (set anyone's
      // password) may take the whole database away.
      const actor = requireAdmin(request, 'users.manage');
      if (!database.pglite)
        throw new ConflictError('This hub keeps its data in PostgreSQL: back it up with pg_dump (and restore with pg_restore). This download is for the embedded database.');
      const image = await backupImage(database.pglite);
      const file = `coursebridge-${fileTimestamp(clock())}.tar.gz`;
      // Recorded as the download starts, without its size (known only at the end): a download cut off
      // part-way has still taken part of the database away, so the entry says who took which file,
      // not that all of it arrived.
      try {
        await recordAudit(database.db, actor, { action: 'backup', entityType: 'database', entityId: 'embedded', changes: {}, context: { file } });
      } catch (error) {
        image.destroy(); // removes the copy
        throw error;
      }
      return reply.type('application/gzip').header('content-disposition', `attachment; filename="${file}"`).send(image);
    },
  );
};
