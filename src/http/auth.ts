// Who is calling: a bearer API token, or a session cookie whose writes must echo the session's
// CSRF token in `x-csrf-token`. Routes then ask for a permission or a product.
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { isRecordSystemToken, sessionActor, tokenActor } from '../auth/actor.ts';
import type { SessionPolicy } from '../auth/sessions.ts';
import { hashToken } from '../auth/tokens.ts';
import type { DB } from '../db/schema.ts';
import { DomainError, ForbiddenError } from '../domain/errors.ts';
import { can, type Actor, type Permission, type Product } from '../domain/permissions.ts';

export const SESSION_COOKIE = 'cb_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
    /** The signed-in session's CSRF token, which `GET /me` hands back to a page that lost it. */
    csrfToken: string | null;
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'Sign in, or send an API token as "Authorization: Bearer <token>".') {
    super(401, 'Unauthenticated', detail);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Signing in and out need no CSRF token: signing in carries its own credentials and replaces the
 * session, and a browser holding the cookie without the token (a new tab) must still be able to
 * leave. Neither can be forged across sites: the cookie is SameSite=Strict and the body JSON.
 */
const SESSION_URL = '/api/v1/session';

/** Whether a request is for the API (as opposed to the web app's files or /metrics). */
export const isApiUrl = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/** The token in "Bearer <token>", or the password of "Basic base64(name:token)". */
export function bearerOrBasicSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/**
 * A record-system token (kind record_system) is a Course API client whatever its role holds: it
 * reaches the Course API (src/http/routes/course-api.ts) and `GET /me`, nothing else. A URL that
 * matches no API route (no route, or the web app's catch-all) goes on to its 404, which tells the
 * caller nothing.
 */
function recordSystemReaches(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === undefined || !isApiUrl(route) || route.startsWith('/api/v1/course-api/') || route === '/api/v1/me';
}
const recordSystemOnly = (what = 'the Course API (/api/v1/course-api/…)') =>
  new ForbiddenError(`Record-system tokens reach ${what} only; use a token of kind api for the rest of the API.`, { tokenKind: 'record_system' });

/**
 * Sent by the web app on requests it makes while nobody has used the page for a while (a dashboard
 * polling by itself): they are answered, but do not count as use, so a session left open on a
 * polling page still goes idle.
 */
const UNATTENDED_HEADER = 'x-unattended';

export function registerAuth(app: FastifyInstance, db: Kysely<DB>, sessions: SessionPolicy) {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);
  app.addHook('onRequest', async (request) => {
    // Only the API has actors: the web app's files and /metrics (its own scrape token) need none,
    // and a browser loading assets should not cost a session lookup each.
    if (!isApiUrl(request.url)) return;
    const header = request.headers.authorization;
    const subscriptionKey = request.headers['ocp-apim-subscription-key'];
    if (header || typeof subscriptionKey === 'string') {
      // Record systems wired to the reference Course API send Basic credentials (the token as the
      // password) or the token as its Ocp-Apim-Subscription-Key header.
      const secret = bearerOrBasicSecret(header) ?? (typeof subscriptionKey === 'string' ? subscriptionKey.trim() : undefined);
      if (!secret) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
      const token = await tokenActor(db, hashToken(secret));
      if ('refused' in token) throw new UnauthenticatedError(token.refused);
      if (token.actor.kind === 'record_system' && !recordSystemReaches(request)) throw recordSystemOnly();
      request.actor = token.actor;
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (!sessionId) return;
    const session = await sessionActor(db, sessionId, sessions, request.headers[UNATTENDED_HEADER] === undefined);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method) && request.routeOptions.url !== SESSION_URL && request.headers['x-csrf-token'] !== session.csrfToken)
      throw new ForbiddenError('Missing or wrong x-csrf-token header: send the csrfToken you received at sign-in.');
    request.actor = session.actor ?? null;
    request.sessionId = sessionId;
    request.csrfToken = session.csrfToken;
  });
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}

export function requirePermission(request: FastifyRequest, permission: Permission): Actor {
  const actor = actorOf(request);
  if (!can(actor, permission)) throw new ForbiddenError(`Your role does not allow this (${permission}).`, { permission });
  return actor;
}

/**
 * Admin endpoints need the Admin product on top of their permission. Products are what a person
 * may open (DESIGN glossary), so an API token of kind api reaches them by its role's permission
 * alone; a record-system token never does, not even the Course API's administration.
 */
export function requireAdmin(request: FastifyRequest, permission: Permission): Actor {
  const actor = actorOf(request);
  if (isRecordSystemToken(actor)) throw recordSystemOnly('the Course API\'s client calls');
  requirePermission(request, permission);
  if (actor.type === 'user' && !actor.products.includes('admin' satisfies Product))
    throw new ForbiddenError('This needs the Admin product.', { product: 'admin' });
  return actor;
}
