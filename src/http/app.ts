// The HTTP app: the REST API under /api/v1, problem+json errors, the OpenAPI document generated
// from the zod schemas at /api/openapi.json, browsable at /api/docs.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Database } from '../db/database.ts';
import { registerAuth } from './auth.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { adminPeopleRoutes } from './routes/admin-people.ts';
import { auditRoutes } from './routes/audit.ts';
import { courseApiRoutes } from './routes/course-api.ts';
import { courseRoutes } from './routes/courses.ts';
import { healthRoutes } from './routes/health.ts';
import { phaseRoutes } from './routes/phases.ts';
import { referenceRoutes } from './routes/reference.ts';
import { relationshipRoutes } from './routes/relationships.ts';
import { sectionRoutes } from './routes/sections.ts';
import { sessionRoutes } from './routes/session.ts';
import { termRoutes } from './routes/terms.ts';

export interface AppOptions {
  database: Database;
  /** A pino logger (shared with workers); none logs nothing. */
  logger?: FastifyBaseLogger;
  secureCookies?: boolean;
  /** Sign-in attempts per client address per minute. */
  loginRateLimit?: number;
  version?: string;
  /** The current time; tests inject one so nothing depends on the wall clock. */
  clock?: () => Date;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options.database;
  const clock = options.clock ?? (() => new Date());
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 20 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'Not found', `No route ${request.method} ${request.url}.`));

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
          session: { type: 'apiKey', in: 'cookie', name: 'cb_session' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, db);
  await app.register(healthRoutes(options.database));
  await app.register(sessionRoutes(db, { secureCookies: options.secureCookies ?? false, loginRateLimit: options.loginRateLimit ?? 10 }));
  await app.register(termRoutes(db, clock));
  await app.register(courseRoutes(db));
  await app.register(sectionRoutes(db, clock));
  await app.register(relationshipRoutes(db, clock));
  await app.register(phaseRoutes(db, clock));
  await app.register(referenceRoutes(db));
  await app.register(adminPeopleRoutes(db));
  await app.register(auditRoutes(db));
  await app.register(courseApiRoutes(db, clock));
  return app;
}
