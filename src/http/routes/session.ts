// Sign in, sign out, and who am I.
import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
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

/**
 * Failed sign-ins to one account from one client address before that address is refused for that
 * account for the rest of the window. Counted per account and address (OWASP's authentication
 * guidance), so someone typing wrong passwords for a registrar's email does not lock the
 * registrar out of signing in from their own address.
 */
const FAILURES_FROM_ADDRESS = 10;
/**
 * Failed sign-ins to one account from all addresses together before every address is refused. One
 * address gets 10, so reaching 100 takes guesses spread over more than 10 addresses: a
 * distributed guessing attack, never a user's typos nor one person locking a colleague out. It
 * still holds such an attack to 9,600 guesses a day per account (12-character passwords at
 * least); a lower ceiling would let a handful of addresses lock anyone out.
 */
const FAILURES_PER_ACCOUNT = 100;
const FAILURE_WINDOW_MS = 15 * 60_000;

export const sessionRoutes = (db: Kysely<DB>, options: { secureCookies: boolean; loginRateLimit: number; clock: () => Date }): FastifyPluginAsyncZod =>
  async (app) => {
    // Keyed on the email as given, whether or not an account has it: the limits answer alike for
    // both, so they tell no one which emails have accounts. The address is the client Fastify
    // finds (request.ip, through COURSEBRIDGE_TRUST_PROXY's proxies only), grouped as the
    // per-address limit groups it (an IPv6 /64 is one client). Each store keeps 100,000 keys
    // (`cache`, which the plugin takes here though its types leave it out), so a spray of other
    // emails does not push a targeted one out of it.
    const failureWindow = { timeWindow: FAILURE_WINDOW_MS, cache: 100_000 };
    const failureLimits = [
      {
        count: app.createRateLimit({ ...failureWindow, max: FAILURES_FROM_ADDRESS, keyGenerator: (request: FastifyRequest) => `${emailOf(request)} ${normalizeIP(request.ip)}` }),
        refusal: 'Too many failed sign-ins for this email from this address',
      },
      {
        count: app.createRateLimit({ ...failureWindow, max: FAILURES_PER_ACCOUNT, keyGenerator: emailOf }),
        refusal: 'Too many failed sign-ins for this email',
      },
    ];
    const oneAtATime = perKeyQueue();

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
        // One attempt per account at a time: parallel guesses would all pass the check below
        // before the first failure was counted.
        const outcome = await oneAtATime(emailOf(request), async () => {
          // Refused by either limit, the caller is told the later of the times they free it.
          let refused: { retryAfter: number; refusal: string } | null = null;
          for (const { count, refusal } of failureLimits) {
            const limit = await count(request, { increment: false });
            if (!limit.isAllowed && limit.remaining === 0 && limit.ttlInSeconds > (refused?.retryAfter ?? 0)) refused = { retryAfter: limit.ttlInSeconds, refusal };
          }
          if (refused) return { refused, session: undefined };
          const session = await signIn(db, request.body.email, request.body.password, options.clock());
          if (!session) for (const { count } of failureLimits) await count(request);
          return { refused: null, session };
        });
        if (outcome.refused) {
          const { retryAfter, refusal } = outcome.refused;
          const minutes = Math.ceil(retryAfter / 60);
          reply.header('retry-after', retryAfter);
          return sendProblem(reply, 429, 'Too many requests', `${refusal}: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
        }
        const { session } = outcome;
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

/** The sign-in's email as accounts are looked up: trimmed, lower case. */
const emailOf = (request: FastifyRequest) => (request.body as { email: string }).email.trim().toLowerCase();

/** Runs work for one key after the work queued before it for the same key has ended. */
function perKeyQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    tails.set(key, result);
    try {
      return await result;
    } finally {
      if (tails.get(key) === result) tails.delete(key);
    }
  };
}
