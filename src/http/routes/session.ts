// Sign in, sign out, and who am I.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SESSION_HOURS, signIn, signOut } from '../../auth/sessions.ts';
import { getUser } from '../../auth/users.ts';
import type { DB } from '../../db/schema.ts';
import { user } from '../../domain/people.ts';
import { PERMISSIONS, PRODUCTS } from '../../domain/permissions.ts';
import { actorOf, SESSION_COOKIE } from '../auth.ts';
import { sendProblem } from '../problem.ts';
import { problemResponse } from '../schemas.ts';

export const sessionRoutes = (db: Kysely<DB>, options: { secureCookies: boolean; loginRateLimit: number }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/v1/session',
      {
        bodyLimit: 16 * 1024, // an email and a password: anything larger is refused (413) before it is read
        config: { rateLimit: { max: options.loginRateLimit, timeWindow: '1 minute' } },
        schema: {
          tags: ['session'],
          summary: 'Sign in with email and password; sets the session cookie',
          security: [],
          body: z.strictObject({ email: z.email(), password: z.string().min(1).max(200) }),
          response: { 200: z.object({ user, csrfToken: z.string() }), 400: problemResponse, 401: problemResponse, 429: problemResponse },
        },
      },
      async (request, reply) => {
        const session = await signIn(db, request.body.email, request.body.password);
        if (!session) return sendProblem(reply, 401, 'Sign-in failed', 'Wrong email or password, or the account is disabled.');
        // The browser's earlier session, if it still had one, ends here: the new cookie replaces it.
        if (request.sessionId) await signOut(db, request.sessionId);
        reply.setCookie(SESSION_COOKIE, session.sessionId, {
          path: '/',
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
          maxAge: SESSION_HOURS * 3600,
        });
        return { user: await getUser(db, session.userId), csrfToken: session.csrfToken };
      },
    );

    app.delete(
      '/api/v1/session',
      { schema: { tags: ['session'], summary: 'Sign out', response: { 204: z.null() } } },
      async (request, reply) => {
        if (request.sessionId) await signOut(db, request.sessionId);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/v1/me',
      {
        schema: {
          tags: ['session'],
          summary: 'The caller: user or token, permissions and products',
          response: {
            200: z.object({
              type: z.enum(['user', 'token', 'system']),
              id: z.string().nullable(),
              name: z.string(),
              permissions: z.array(z.enum(PERMISSIONS)),
              products: z.array(z.enum(PRODUCTS)),
              departmentIds: z.array(z.string()).nullable(),
              user: user.optional(),
              csrfToken: z.string().optional().describe('For a session cookie: the token its writes echo in x-csrf-token (a new tab of a signed-in browser has the cookie, not the token)'),
            }),
            401: problemResponse,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        return {
          type: actor.type,
          id: actor.id,
          name: actor.name,
          permissions: [...actor.permissions],
          products: [...actor.products],
          departmentIds: actor.departmentIds ? [...actor.departmentIds] : null,
          ...(actor.type === 'user' && actor.id ? { user: await getUser(db, actor.id) } : {}),
          ...(request.csrfToken && { csrfToken: request.csrfToken }),
        };
      },
    );
  };
