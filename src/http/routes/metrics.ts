// GET /metrics in Prometheus's text format (outside /api: no session, no CSRF). With a metrics
// token configured, a scrape must present it ("Authorization: Bearer <token>", or as the password
// of Basic auth), so the hub can face a network wider than its Prometheus.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sha256 } from '../../auth/secrets.ts';
import type { Runtime } from '../../runtime.ts';
import { bearerOrBasicSecret, UnauthenticatedError } from '../auth.ts';

// Equal-length digests, so the comparison takes the same time whatever was sent.
const digest = (value: string) => Buffer.from(sha256(value));

export const metricsRoutes =
  (runtime: Runtime, token: string | null): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (token) {
        const presented = bearerOrBasicSecret(request.headers.authorization);
        if (!presented || !timingSafeEqual(digest(presented), digest(token))) {
          reply.header('www-authenticate', 'Bearer realm="metrics"');
          throw new UnauthenticatedError('Send the metrics token as "Authorization: Bearer <token>".');
        }
      }
      const body = await runtime.metrics.registry.metrics();
      return reply.header('content-type', runtime.metrics.registry.contentType).send(body);
    });
  };
