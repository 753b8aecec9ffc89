// Sign-in limits behind a reverse proxy and across addresses: the per-address limit counts the
// client Fastify finds in a trusted proxy's X-Forwarded-For (not the proxy), a forwarded address
// from an untrusted peer is ignored, and an account takes a bounded number of failed sign-ins
// from any number of addresses — answering alike whether or not the email has an account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleByName } from '../../src/auth/roles.ts';
import { createUser } from '../../src/auth/users.ts';
import { SYSTEM_ACTOR } from '../../src/domain/permissions.ts';
import { buildApp } from '../../src/http/app.ts';
import { freshDatabase } from '../helpers/db.ts';
import { Client, PASSWORD } from '../helpers/hub.ts';

const REGISTRAR = 'registrar@example.edu';
const DEAN = 'dean@example.edu';
const CHAIR = 'chair@example.edu';

/** A hub with three accounts, 10 sign-in attempts a minute per client address, trusting `trustProxy`. */
async function startHub(trustProxy?: string[]) {
  const database = await freshDatabase();
  const app = await buildApp({ database, loginRateLimit: 10, trustProxy });
  const role = await roleByName(database.db, 'Registrar');
  for (const email of [REGISTRAR, DEAN, CHAIR]) await createUser(database.db, SYSTEM_ACTOR, { email, name: email, password: PASSWORD, roleId: role.id, products: ['scheduling'], departmentIds: [] });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close().then(() => database.close()) };
}
type Hub = Awaited<ReturnType<typeof startHub>>;

/** A sign-in as a client at `from` would send it through a proxy. */
function signInFrom(hub: Hub, from: string, email: string, password: string) {
  return new Client(hub.url).request('POST', '/api/v1/session', { email, password }, { 'x-forwarded-for': from });
}

describe('behind a trusted proxy', () => {
  let hub: Hub;
  beforeAll(async () => {
    // The tests connect from 127.0.0.1: that is the proxy.
    hub = await startHub(['127.0.0.1']);
  });
  afterAll(() => hub?.close());

  it("limits the client who keeps failing, not everyone behind the proxy", async () => {
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await signInFrom(hub, '203.0.113.9', `guess${i}@example.edu`, 'wrong password')).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    // Another person, through the same proxy, with the right password.
    expect((await signInFrom(hub, '198.51.100.4', REGISTRAR, PASSWORD)).status).toBe(200);
  });

  it('refuses an account after 10 failed sign-ins from any addresses, even with the right password', async () => {
    const statuses = [];
    // Ten addresses, one guess each (one in another case: the same account).
    for (let i = 0; i < 10; i++) statuses.push((await signInFrom(hub, `192.0.2.${i + 1}`, i === 3 ? 'Dean@Example.EDU' : DEAN, `guess ${i}`)).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const refused = await signInFrom(hub, '192.0.2.100', DEAN, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/^Too many failed sign-ins for this email: try again in 15 minutes\.$/);
    // Other accounts are not affected.
    expect((await signInFrom(hub, '192.0.2.100', REGISTRAR, PASSWORD)).status).toBe(200);
  });

  it('counts guesses sent at once: no more than 10 of them are tried', async () => {
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => signInFrom(hub, `203.0.113.${i + 100}`, 'parallel@example.edu', `guess ${i}`)));
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
  });

  it('answers an email with no account exactly as one with an account', async () => {
    const refusals = [];
    for (const email of ['nobody@example.edu', CHAIR]) {
      for (let i = 0; i < 10; i++) expect((await signInFrom(hub, `198.51.100.${i + 10}`, email, `guess ${i}`)).status).toBe(401);
      refusals.push(await signInFrom(hub, '198.51.100.99', email, PASSWORD));
    }
    expect(refusals.map((r) => r.status)).toEqual([429, 429]);
    expect(refusals[0].body).toEqual(refusals[1].body);
  });
});

describe('without a trusted proxy', () => {
  it('ignores X-Forwarded-For: a client cannot pose as many addresses', async () => {
    const hub = await startHub();
    try {
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await signInFrom(hub, `198.51.100.${i + 1}`, `guess${i}@example.edu`, 'wrong password')).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
    } finally {
      await hub.close();
    }
  });
});
