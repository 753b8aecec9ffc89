// The HTTP app: the REST API under /api/v1, problem+json errors, the OpenAPI document generated
// from the zod schemas at /api/openapi.json, browsable at /api/docs.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { sessionPolicy, type SessionPolicy } from '../auth/sessions.ts';
import type { Database } from '../db/database.ts';
import { isApiUrl, registerAuth, SESSION_COOKIE } from './auth.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { registerNulGuard } from './nul-guard.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { declareNoQuery } from './strict-query.ts';
import { adminPeopleRoutes } from './routes/admin-people.ts';
import { auditRoutes } from './routes/audit.ts';
import { backupRoutes } from './routes/backup.ts';
import { courseApiRoutes } from './routes/course-api.ts';
import { courseRoutes } from './routes/courses.ts';
import { healthRoutes } from './routes/health.ts';
import { phaseRoutes } from './routes/phases.ts';
import { referenceRoutes } from './routes/reference.ts';
import { relationshipRoutes } from './routes/relationships.ts';
import { sectionRoutes } from './routes/sections.ts';
import { sessionRoutes } from './routes/session.ts';
import { termRoutes } from './routes/terms.ts';
import { mergeRoutes } from './routes/merges.ts';
import { integrationRoutes } from './routes/integration.ts';
import { integrationSummaryRoutes } from './routes/integration-summary.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { sisConnectionRoutes } from './routes/sis-connection.ts';
import type { Runtime } from '../runtime.ts';

export interface AppOptions {
  database: Database;
  /** A pino logger (shared with workers); none logs nothing. */
  logger?: FastifyBaseLogger;
  secureCookies?: boolean;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For names the client (default: none, the connecting address is the client). */
  trustProxy?: boolean | string[];
  /** Sign-in attempts per client address per minute. */
  loginRateLimit?: number;
  version?: string;
  /** Job queue, SIS connection and schedules: the integration console needs them. */
  runtime?: Runtime;
  /** The current time; tests inject one so nothing depends on the wall clock. */
  clock?: () => Date;
  /** The session idle limit, and the clock sessions are measured by (default 60 minutes, the wall clock). */
  sessions?: Partial<SessionPolicy>;
  /** Required from scrapers of /metrics when set; unset, /metrics is open (keep it on a private network). */
  metricsToken?: string | null;
  /** The built web app to serve at `/` (default: web/dist when it exists); null serves none. */
  webRoot?: string | null;
}

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options.database;
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 20 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: options.trustProxy ?? false,
  }).withTypeProvider<ZodTypeProvider>();
  registerSecurityHeaders(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  registerNulGuard(app);
  declareNoQuery(app);
  const webRoot = options.webRoot === undefined ? (existsSync(join(DEFAULT_WEB_ROOT, 'index.html')) ? DEFAULT_WEB_ROOT : null) : options.webRoot;
  app.setNotFoundHandler((request, reply) => {
    // The web app routes in the browser: any other GET outside /api answers its index.html.
    if (webRoot && !isApiUrl(request.url) && (request.method === 'GET' || request.method === 'HEAD'))
      return reply.header('cache-control', 'no-cache').sendFile('index.html', webRoot);
    return sendProblem(reply, 404, 'Not found', `No route ${request.method} ${request.url}.`);
  });
  if (webRoot) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: true, index: ['index.html'] });

  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coursebridge API',
        version: options.version ?? '0.1.0',
        description:
          'The class-scheduling hub between registrars and the SIS. Errors are RFC 9457 application/problem+json naming each offending field. ' +
          'Sign in with POST /api/v1/session (cookie + x-csrf-token on writes), or send an API token as a bearer token.',
      },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description:
              'Set by POST /api/v1/session. Writes also send the csrfToken it answered in the x-csrf-token header. The session ends 12 hours after ' +
              'sign-in or once unused for COURSEBRIDGE_SESSION_IDLE_MINUTES; a request sent with the header X-Unattended: 1 (a page polling while ' +
              'nobody uses it) is answered without counting as use.',
          },
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (coursebridge token create, or /api/v1/admin/api-tokens).' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const sessions = sessionPolicy(options.sessions);
  registerAuth(app, db, sessions);
  // Each request's "request completed" line names who made it: Fastify writes it with reply.log
  // once the onResponse hooks have run.
  if (options.logger)
    app.addHook('onResponse', async (request, reply) => {
      if (request.actor) reply.log = reply.log.child({ actor: { type: request.actor.type, id: request.actor.id, name: request.actor.name } });
    });
  await app.register(healthRoutes(options.database));
  await app.register(sessionRoutes(db, { secureCookies: options.secureCookies ?? false, loginRateLimit: options.loginRateLimit ?? 10, clock: sessions.clock }));
  await app.register(termRoutes(db, clock));
  await app.register(courseRoutes(db));
  await app.register(sectionRoutes(db, clock, options.runtime?.saveHooks));
  await app.register(relationshipRoutes(db, clock, options.runtime?.saveHooks));
  await app.register(phaseRoutes(db, clock));
  await app.register(referenceRoutes(db));
  await app.register(adminPeopleRoutes(db));
  await app.register(auditRoutes(db));
  await app.register(backupRoutes(options.database, clock));
  await app.register(courseApiRoutes(db, clock));
  if (options.runtime) {
    await app.register(mergeRoutes(options.runtime));
    await app.register(sisConnectionRoutes(options.runtime));
    await app.register(integrationRoutes(options.runtime));
    await app.register(integrationSummaryRoutes(options.runtime));
    await app.register(metricsRoutes(options.runtime, options.metricsToken ?? null));
  }
  return app;
}
