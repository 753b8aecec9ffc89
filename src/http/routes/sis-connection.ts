// The SIS connection an admin saves (admin/sis-connection): where the one in force comes from and
// its settings with secrets masked, a save (a secret left out keeps the saved one at the same
// address), and a test of it. The logic is the store's (src/sync/connection.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../runtime.ts';
import { connectionInput } from '../../sis/settings.ts';
import { requireAdmin } from '../auth.ts';
import { problems } from '../schemas.ts';

const PATH = '/api/v1/admin/sis-connection';
const view = z
  .object({
    source: z
      .enum(['environment', 'demo', 'database', 'none'])
      .describe('environment: COURSEBRIDGE_SIS_* (read-only here); demo: the demo SIS the hub started, until one is saved; database: the one saved here; none'),
    settings: z.record(z.string(), z.unknown()).nullable().describe('The settings in force, apiKey and password shown as ********'),
  })
  .meta({ id: 'SisConnection' });

export const sisConnectionRoutes = (runtime: Runtime): FastifyPluginAsyncZod => async (app) => {
  const tags = ['admin: integration'];

  app.get(PATH, { schema: { tags, summary: 'The SIS connection (secrets masked) and where it comes from', response: { 200: view, ...problems } } }, async (request) => {
    requireAdmin(request, 'mergeSettings.edit');
    return runtime.connections.describe();
  });

  app.put(
    PATH,
    {
      schema: {
        tags,
        summary: 'Save the SIS connection: ethos, peoplesoft or csv with its settings',
        description:
          'A secret (apiKey, password) left out or empty keeps the saved one when the saved connection has the same kind and baseUrl; otherwise it is required (400 naming it). 409 when the connection comes from the environment.',
        body: connectionInput,
        response: { 200: view, ...problems },
      },
    },
    async (request) => {
      await runtime.connections.save(requireAdmin(request, 'mergeSettings.edit'), request.body);
      return runtime.connections.describe();
    },
  );

  app.post(
    `${PATH}/test`,
    {
      schema: {
        tags,
        summary: 'Try the SIS connection: an authenticated read',
        response: { 200: z.object({ ok: z.boolean(), message: z.string(), code: z.string().optional() }), ...problems },
      },
    },
    async (request) => {
      requireAdmin(request, 'mergeSettings.edit');
      try {
        const connector = await runtime.connections.connector();
        await connector.testConnection();
        return { ok: true, message: `Connected to the ${connector.kind} SIS.` };
      } catch (error) {
        const e = error as { message?: string; code?: string };
        return { ok: false, message: e.message ?? String(error), ...(typeof e.code === 'string' ? { code: e.code } : {}) };
      }
    },
  );
};
