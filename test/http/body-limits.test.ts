// Bodies anyone may send, signed in or not: one nested too deep is refused with a 400 naming the
// limit before it is parsed or walked (10 MB of nested arrays answered 500 after ~2 s of CPU), and
// the sign-in takes no more than an email and a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../src/http/nul-guard.ts';
import { Client, seedSchedule, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let anonymous: Client;
beforeAll(async () => {
  hub = await startHub();
  anonymous = new Client(hub.url);
});
afterAll(() => hub?.close());

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('request bodies', () => {
  it('refuses 10 MB of nested arrays sent without signing in with a 400 problem, and goes on answering', async () => {
    const half = 5 * 1024 * 1024;
    const res = await anonymous.request('POST', '/api/v1/sections', nested(half));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      title: 'Invalid request',
      errors: [{ field: '(root)', message: `Arrays and objects must not nest more than ${MAX_DEPTH} deep` }],
    });
    expect((await anonymous.get('/api/health')).status).toBe(200);
  });

  it('refuses one level past the limit, and reads a body at the limit as before', async () => {
    expect((await hub.admin.post('/api/v1/sections', JSON.parse(nested(MAX_DEPTH + 1)))).body.errors).toEqual([
      { field: '(root)', message: expect.stringMatching(/must not nest/) },
    ]);
    // At the limit the body is parsed and validated: the schema's own answer.
    const atLimit = await hub.admin.post('/api/v1/sections', JSON.parse(nested(MAX_DEPTH)));
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.errors[0].message).not.toMatch(/must not nest/);
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const s = await seedSchedule(hub.admin);
    const title = `"${'['.repeat(70)}\\"${'{'.repeat(70)}`;
    const created = await hub.admin.post('/api/v1/courses', { subject: 'MATH', number: '999', title, credits: 3, departmentId: s.math.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.title).toBe(title);
  });

  it('keeps Fastify JSON parsing rules: malformed JSON and a __proto__ key are refused', async () => {
    expect((await anonymous.request('POST', '/api/v1/session', '{"email":')).status).toBe(400);
    const poisoned = await anonymous.request('POST', '/api/v1/session', '{"email":"a@example.edu","password":"x","__proto__":{"admin":true}}');
    expect(poisoned.status).toBe(400);
    expect(poisoned.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses a sign-in body larger than an email and a password would be, before reading it', async () => {
    const res = await anonymous.request('POST', '/api/v1/session', { email: 'registrar@example.edu', password: 'x'.repeat(64 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
