// Security headers on every answer of a real server: the web app's pages and assets, the API's
// answers and errors, and the API docs, whose CSP also lets Swagger UI show its data: images.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.ts';
import { buildApp } from '../../src/http/app.ts';
import { freshDatabase } from '../helpers/db.ts';

const CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'";

let database: Database;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  // A stand-in for web/dist, which only the browser tests build.
  const webRoot = mkdtempSync(join(tmpdir(), 'cb-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Coursebridge</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(webRoot, 'assets', 'app.js'), 'export {};');
  database = await freshDatabase();
  app = await buildApp({ database, webRoot, loginRateLimit: 1 });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

const headersOf = async (path: string, init?: RequestInit) => {
  const res = await fetch(url + path, init);
  await res.arrayBuffer();
  return { status: res.status, csp: res.headers.get('content-security-policy'), nosniff: res.headers.get('x-content-type-options'), referrer: res.headers.get('referrer-policy') };
};
const signIn = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('security headers', () => {
  it.each([
    ['the web app', '/', 200],
    ['a route of the web app', '/sections/123', 200],
    ['a web app asset', '/assets/app.js', 200],
    ['the health check', '/api/health', 200],
    ['the OpenAPI document', '/api/openapi.json', 200],
    ['an API route without credentials', '/api/v1/me', 401],
    ['an API route that does not exist', '/api/v1/nothing', 404],
  ])('are on %s', async (_what, path, status) => {
    expect(await headersOf(path)).toEqual({ status, csp: CSP, nosniff: 'nosniff', referrer: 'no-referrer' });
  });

  it('are on refusals: a bad sign-in, and one past the rate limit', async () => {
    const expected = { csp: CSP, nosniff: 'nosniff', referrer: 'no-referrer' };
    expect(await headersOf('/api/v1/session', signIn({ email: 'not an email', password: 'x' }))).toEqual({ status: 400, ...expected });
    expect(await headersOf('/api/v1/session', signIn({ email: 'someone@example.edu', password: 'x' }))).toEqual({ status: 429, ...expected });
  });

  it.each(['/api/docs', '/api/docs/', '/api/docs/static/swagger-ui.css', '/api/docs/json'])('on %s allow data: images, nothing more', async (path) => {
    const { status, csp, nosniff, referrer } = await headersOf(path, { redirect: 'manual' });
    expect(status).toBeLessThan(400);
    expect({ csp, nosniff, referrer }).toEqual({ csp: `${CSP}; img-src 'self' data:`, nosniff: 'nosniff', referrer: 'no-referrer' });
  });
});
