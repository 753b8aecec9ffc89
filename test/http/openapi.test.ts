// The OpenAPI document describes error answers as the server sends them: RFC 9457 problem details
// as application/problem+json, which a generated client or the docs page would otherwise take
// for application/json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let doc: any;

// With a runtime (no SIS), so the integration console's routes are in the document too.
beforeAll(async () => {
  hub = await startHub({ sis: 'none' });
  doc = (await hub.admin.get('/api/openapi.json')).body;
});
afterAll(() => hub?.close());

const PROBLEM = { $ref: '#/components/schemas/Problem' };
// The reference Course API answers its own errors in its envelope, as application/json.
const REFERENCE = /^\/api\/v1\/course-api\/reference\//;
// GET /api/health answers a load balancer in its own shape (test/http/health.test.ts).
const HEALTH = '/api/health';

function errorResponses() {
  const found: { where: string; path: string; content: Record<string, { schema: unknown }> }[] = [];
  for (const [path, operations] of Object.entries<any>(doc.paths))
    for (const [method, operation] of Object.entries<any>(operations))
      for (const [status, response] of Object.entries<any>(operation.responses ?? {}))
        if (/^[45]/.test(status)) found.push({ where: `${method.toUpperCase()} ${path} ${status}`, path, content: response.content });
  return found;
}

describe('error responses in the OpenAPI document', () => {
  it('are application/problem+json with the Problem schema, never plain application/json', () => {
    const errors = errorResponses().filter((e) => !REFERENCE.test(e.path) && e.path !== HEALTH);
    expect(errors.length).toBeGreaterThan(100);
    const wrong = errors.filter((e) => JSON.stringify(Object.keys(e.content ?? {})) !== '["application/problem+json"]' || JSON.stringify(e.content['application/problem+json'].schema) !== JSON.stringify(PROBLEM));
    expect(wrong.map((e) => `${e.where}: ${JSON.stringify(e.content)}`)).toEqual([]);
    expect(doc.paths['/api/v1/session'].post.responses['429'].content).toEqual({ 'application/problem+json': { schema: PROBLEM } });
  });

  it('list both for the reference Course API: its envelope as application/json, a refusal before the call as problem+json', () => {
    const reference = errorResponses().filter((e) => REFERENCE.test(e.path));
    expect(reference.length).toBeGreaterThan(0);
    for (const e of reference)
      expect(e.content, e.where).toEqual({
        'application/json': { schema: { $ref: '#/components/schemas/ReferenceCourseApiResponse' } },
        'application/problem+json': { schema: PROBLEM },
      });
  });

  it('keep success responses as they were', () => {
    expect(Object.keys(doc.paths['/api/v1/session'].post.responses['200'].content)).toEqual(['application/json']);
    expect(doc.paths['/api/v1/sections'].get.responses['200'].content['application/json'].schema).toBeDefined();
  });
});

describe('how a caller signs in, in the OpenAPI document', () => {
  it('names the session cookie, its CSRF header and the header that keeps a poll from counting as use', () => {
    const { session, bearer } = doc.components.securitySchemes;
    expect(session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'cb_session' });
    expect(session.description).toContain('x-csrf-token');
    expect(session.description).toContain('X-Unattended: 1');
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(bearer.description).toContain('API token');
  });
});

describe('a real error reply', () => {
  it('carries application/problem+json, as documented, and passes the response schema instead of failing with a 500', async () => {
    const anonymous = new Client(hub.url);
    const wrongPassword = await anonymous.post('/api/v1/session', { email: 'nobody@example.edu', password: 'wrong' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(wrongPassword.body).toMatchObject({ status: 401, title: 'Sign-in failed' });

    const invalid = await anonymous.post('/api/v1/session', { email: 'not an email', password: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(invalid.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);

    const missing = await hub.admin.get('/api/v1/sections/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(missing.body).toMatchObject({ status: 404, instance: '/api/v1/sections/00000000-0000-4000-8000-000000000000' });
  });

  it('from the reference Course API: its envelope as application/json, a bad token as problem+json', async () => {
    const client = await hub.token('Record system', 'record_system');
    const envelope = await client.post('/api/v1/course-api/reference/SubmitCourse?coursecode=REF1&coursename=X');
    expect(envelope.status).toBe(422);
    expect(envelope.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(envelope.body).toMatchObject({ status: 'Error', 'status-code': 422 });

    const unknownToken = await new Client(hub.url, { bearer: 'not-a-token' }).post('/api/v1/course-api/reference/SubmitCourse?hei=1');
    expect(unknownToken.status).toBe(401);
    expect(unknownToken.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(unknownToken.body).toMatchObject({ status: 401 });
  });
});
