// Every input is validated, the query string included: an API route that declares no query
// parameters refuses any (e.g. `?limit=` on an unpaged list) with a 400 naming it, instead of
// answering as if it had been honoured.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isApiUrl } from './auth.ts';

export function declareNoQuery(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    // The docs UI's own files are not the API.
    if (!isApiUrl(route.url) || route.url.startsWith('/api/docs')) return;
    if (route.schema?.querystring) return;
    route.schema = { ...route.schema, querystring: z.strictObject({}) };
  });
}
