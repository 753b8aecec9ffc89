// Security headers on every answer — the web app, the API, the API docs: no content-type sniffing,
// no Referer leaving the hub (URLs carry section and run ids), and a CSP that lets a page load
// only the hub's own scripts, styles and images and be framed by no one.
import type { FastifyInstance } from 'fastify';

const CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'";
// Swagger UI draws its icons from data: URIs in its stylesheet; that is all /api/docs needs more.
const DOCS_CSP = `${CSP}; img-src 'self' data:`;

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': CSP,
};

const isDocsUrl = (url: string) => url === '/api/docs' || url.startsWith('/api/docs/') || url.startsWith('/api/docs?');

/** Registered first: a plugin registered before a hook of its parent does not inherit it. */
export function registerSecurityHeaders(app: FastifyInstance) {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    if (isDocsUrl(request.url)) reply.header('content-security-policy', DOCS_CSP);
    done(null, payload);
  });
}
