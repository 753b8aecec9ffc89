// Sign-in limits behind a reverse proxy and across addresses: the per-address limit counts the
// client Fastify finds in a trusted proxy's X-Forwarded-For (not the proxy), a forwarded address
// from an untrusted peer is ignored, and failed sign-ins are counted per account and address (so
// someone else's guesses do not lock the real user out) under a ceiling per account from all
// addresses — answering alike whether or not the email has an account.
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
const PROVOST = 'provost@example.edu';

/** A hub with four accounts, `loginRateLimit` sign-in attempts a minute per client address, trusting `trustProxy`. */
async function startHub({ trustProxy, loginRateLimit }: { trustProxy?: string[]; loginRateLimit: number }) {
  const database = await freshDatabase();
  const app = await buildApp({ database, loginRateLimit, trustProxy });
  const role = await roleByName(database.db, 'Registrar');
  for (const email of [REGISTRAR, DEAN, CHAIR, PROVOST]) await createUser(database.db, SYSTEM_ACTOR, { email, name: email, password: PASSWORD, roleId: role.id, products: ['scheduling'], departmentIds: [] });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close().then(() => database.close()) };
}
type Hub = Awaited<ReturnType<typeof startHub>>;

/** So many attempts a minute per address that only the failed sign-in limits refuse. */
const UNLIMITED = 10_000;

/** A sign-in as a client at `from` would send it through a proxy. */
function signInFrom(hub: Hub, from: string, email: string, password: string) {
  return new Client(hub.url).request('POST', '/api/v1/session', { email, password }, { 'x-forwarded-for': from });
}

/** Statuses of `count` wrong passwords for `email` from `from`, one after another. */
async function failFrom(hub: Hub, from: string, email: string, count: number) {
  const statuses = [];
  for (let i = 0; i < count; i++) statuses.push((await signInFrom(hub, from, email, `guess ${i}`)).status);
  return statuses;
}

describe('behind a trusted proxy', () => {
  it('limits the client who keeps failing, not everyone behind the proxy', async () => {
    // The tests connect from 127.0.0.1: that is the proxy.
    const hub = await startHub({ trustProxy: ['127.0.0.1'], loginRateLimit: 10 });
    try {
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await signInFrom(hub, '203.0.113.9', `guess${i}@example.edu`, 'wrong password')).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429]);
      // Another person, through the same proxy, with the right password.
      expect((await signInFrom(hub, '198.51.100.4', REGISTRAR, PASSWORD)).status).toBe(200);
    } finally {
      await hub.close();
    }
  });
});

describe('failed sign-ins to one account', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startHub({ trustProxy: ['127.0.0.1'], loginRateLimit: UNLIMITED });
  });
  afterAll(() => hub?.close());

  it('refuse the address that made 10 of them, while the real user signs in from theirs', async () => {
    // One guess in another case: the same account.
    expect([...(await failFrom(hub, '203.0.113.9', REGISTRAR, 9)), (await signInFrom(hub, '203.0.113.9', 'Registrar@Example.EDU', 'guess')).status]).toEqual(Array(10).fill(401));
    const refused = await signInFrom(hub, '203.0.113.9', REGISTRAR, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toBe('Too many failed sign-ins for this email from this address: try again in 15 minutes.');
    // The registrar, at their own address, is not locked out; the guesser still may sign in to other accounts.
    expect((await signInFrom(hub, '198.51.100.4', REGISTRAR, PASSWORD)).status).toBe(200);
    expect((await signInFrom(hub, '203.0.113.9', PROVOST, PASSWORD)).status).toBe(200);
  });

  it('refuse every address once an account has 100 of them from any addresses, even with the right password', async () => {
    for (let a = 1; a <= 10; a++) expect(await failFrom(hub, `192.0.2.${a}`, DEAN, 10)).toEqual(Array(10).fill(401));
    const refused = await signInFrom(hub, '192.0.2.100', DEAN, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.detail).toBe('Too many failed sign-ins for this email: try again in 15 minutes.');
    // Other accounts are not affected.
    expect((await signInFrom(hub, '192.0.2.100', PROVOST, PASSWORD)).status).toBe(200);
  });

  it('are counted when sent at once: no more than 100 are tried from 12 addresses', async () => {
    const guesses = await Promise.all(Array.from({ length: 120 }, (_, i) => signInFrom(hub, `203.0.113.${100 + (i % 12)}`, 'parallel@example.edu', `guess ${i}`)));
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses).toEqual([...Array(100).fill(401), ...Array(20).fill(429)]);
  });

  it('are answered for an email with no account exactly as for one with an account', async () => {
    const answers = [];
    for (const [n, email] of ['nobody@example.edu', CHAIR].entries()) {
      const address = (a: number) => `198.51.${100 + n}.${a}`;
      expect(await failFrom(hub, address(1), email, 10)).toEqual(Array(10).fill(401));
      const fromThatAddress = await signInFrom(hub, address(1), email, PASSWORD);
      // From another address a wrong password is still tried; 89 more from others reach the ceiling.
      const fromAnother = await failFrom(hub, address(2), email, 1);
      for (let a = 3; a <= 10; a++) expect(await failFrom(hub, address(a), email, 10)).toEqual(Array(10).fill(401));
      expect(await failFrom(hub, address(11), email, 9)).toEqual(Array(9).fill(401));
      const fromAnyAddress = await signInFrom(hub, address(12), email, PASSWORD);
      answers.push({ fromThatAddress: [fromThatAddress.status, fromThatAddress.body], fromAnother, fromAnyAddress: [fromAnyAddress.status, fromAnyAddress.body] });
    }
    expect(answers[0].fromThatAddress[0]).toBe(429);
    expect(answers[0].fromAnother).toEqual([401]);
    expect(answers[0].fromAnyAddress[0]).toBe(429);
    expect(answers[1]).toEqual(answers[0]);
  });
});

describe('without a trusted proxy', () => {
  let hub: Hub;
  afterAll(() => hub?.close());

  it('ignores X-Forwarded-For: a client cannot pose as many addresses', async () => {
    hub = await startHub({ loginRateLimit: 10 });
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await signInFrom(hub, `198.51.100.${i + 1}`, `guess${i}@example.edu`, 'wrong password')).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
  });

  it('counts failed sign-ins at the connecting address, whatever X-Forwarded-For names', async () => {
    const unlimited = await startHub({ loginRateLimit: UNLIMITED });
    try {
      for (let i = 0; i < 10; i++) expect((await signInFrom(unlimited, `198.51.100.${i + 1}`, REGISTRAR, `guess ${i}`)).status).toBe(401);
      const refused = await signInFrom(unlimited, '198.51.100.50', REGISTRAR, PASSWORD);
      expect([refused.status, refused.body.detail]).toEqual([429, 'Too many failed sign-ins for this email from this address: try again in 15 minutes.']);
    } finally {
      await unlimited.close();
    }
  });
});
