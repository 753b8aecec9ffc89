// Users, products, roles, API tokens, sign-in and the session cookie.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let roles: Record<string, string>;
beforeAll(async () => {
  hub = await startHub();
  roles = Object.fromEntries((await hub.admin.get('/api/v1/admin/roles')).body.items.map((r: { name: string; id: string }) => [r.name, r.id]));
});
afterAll(() => hub?.close());

describe('users and products', () => {
  it('refuses Admin as a user\'s only product with 422 naming the field', async () => {
    const res = await hub.admin.post('/api/v1/admin/users', {
      email: 'only-admin@example.edu',
      name: 'Only Admin',
      password: PASSWORD,
      roleId: roles.Registrar,
      products: ['admin'],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('products');
    expect(res.body.detail).toMatch(/Admin cannot be a user's only product/);
  });

  it('warns once more than two users hold Admin', async () => {
    const add = (email: string) =>
      hub.admin.post('/api/v1/admin/users', { email, name: email, roleId: roles.Registrar, products: ['scheduling', 'admin'] });
    expect((await add('second-admin@example.edu')).body.warnings).toEqual([]);
    const third = await add('third-admin@example.edu');
    expect(third.status).toBe(201);
    expect(third.body.warnings[0]).toMatch(/3 users hold the Admin product/);
    expect((await hub.admin.get('/api/v1/admin/users')).body.warnings).toHaveLength(1);
  });

  it('refuses a duplicate email and an unknown role', async () => {
    const dup = await hub.admin.post('/api/v1/admin/users', { email: 'REGISTRAR@example.edu', name: 'X', roleId: roles.Viewer });
    expect(dup.status).toBe(409);
    const badRole = await hub.admin.post('/api/v1/admin/users', {
      email: 'x@example.edu',
      name: 'X',
      roleId: '00000000-0000-4000-8000-000000000000',
    });
    expect(badRole.status).toBe(422);
    expect(badRole.body.errors[0].field).toBe('roleId');
  });

  it('disabling a user ends their sessions', async () => {
    const { client, id } = await hub.user({ email: 'leaver@example.edu', role: 'Viewer' });
    expect((await client.get('/api/v1/me')).status).toBe(200);
    const current = (await hub.admin.get(`/api/v1/admin/users/${id}`)).body;
    expect((await hub.admin.patch(`/api/v1/admin/users/${id}`, { version: current.version, disabled: true })).status).toBe(200);
    expect((await client.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(hub.url).signIn('leaver@example.edu', PASSWORD)).status).toBe(401);
  });

  it('words the errors of a user, role or token form for the person filling it in', async () => {
    const user = await hub.admin.post('/api/v1/admin/users', { email: 'not an address', name: ' ', roleId: 'viewer', products: ['everything'] });
    expect(user.status).toBe(400);
    expect(user.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'Email must be an email address, e.g. ada@example.edu' },
        { field: 'name', message: 'Name is required' },
        { field: 'roleId', message: 'Role must be an id (a UUID)' },
        { field: 'products.0', message: 'Product must be scheduling or admin' },
      ]),
    );
    const role = await hub.admin.post('/api/v1/admin/roles', { name: '', permissions: ['sections.fly'] });
    expect(role.body.errors).toEqual([
      { field: 'name', message: 'Name is required' },
      { field: 'permissions.0', message: expect.stringMatching(/^Permission must be sections\.view, /) },
    ]);
    const token = await hub.admin.post('/api/v1/admin/api-tokens', { name: 'x'.repeat(101), roleId: roles.Viewer });
    expect(token.body.errors).toEqual([{ field: 'name', message: 'Name is at most 100 characters' }]);
  });
});

describe('sign-in and sessions', () => {
  it('signs in with a session cookie that is httpOnly and SameSite, and signs out', async () => {
    const client = new Client(hub.url);
    const res = await client.signIn('registrar@example.edu', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('registrar@example.edu');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await client.get('/api/v1/me')).body).toMatchObject({ type: 'user', products: ['scheduling', 'admin'] });
    expect((await client.del('/api/v1/session')).status).toBe(204);
    expect((await client.get('/api/v1/me')).status).toBe(401);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await new Client(hub.url).signIn('registrar@example.edu', 'not the password');
    const unknown = await new Client(hub.url).signIn('nobody@example.edu', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const client = new Client(hub.url);
    await client.signIn('registrar@example.edu', PASSWORD);
    const withoutToken = await client.request('POST', '/api/v1/departments', { code: 'CSRF', name: 'x' }, { 'x-csrf-token': 'forged' });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.detail).toMatch(/x-csrf-token/);
    expect((await client.post('/api/v1/departments', { code: 'CSRF', name: 'x' })).status).toBe(201);
  });

  it('gives a page holding the cookie but not the token (a new tab) the token, and lets it sign in again or out', async () => {
    const tab = new Client(hub.url);
    const signedIn = await tab.signIn('registrar@example.edu', PASSWORD);
    tab.csrfToken = undefined;
    expect((await tab.post('/api/v1/departments', { code: 'TAB', name: 'x' })).status).toBe(403);
    const me = await tab.get('/api/v1/me');
    expect(me.body.csrfToken).toBe(signedIn.body.csrfToken);
    tab.csrfToken = me.body.csrfToken;
    expect((await tab.post('/api/v1/departments', { code: 'TAB', name: 'x' })).status).toBe(201);

    // Signing in again without the token replaces the session; the old cookie no longer signs in.
    tab.csrfToken = undefined;
    const oldCookie = tab.cookie;
    const again = await tab.signIn('registrar@example.edu', PASSWORD);
    expect(again.status).toBe(200);
    expect(tab.cookie).not.toBe(oldCookie);
    expect((await new Client(hub.url).request('GET', '/api/v1/me', undefined, { cookie: oldCookie! })).status).toBe(401);

    // And signing out needs no token either.
    tab.csrfToken = undefined;
    expect((await tab.del('/api/v1/session')).status).toBe(204);
    expect((await tab.get('/api/v1/me')).status).toBe(401);
  });

  it('does not hand out a CSRF token to an API token caller', async () => {
    const machine = await hub.token('Viewer');
    const me = await machine.get('/api/v1/me');
    expect(me.body.type).toBe('token');
    expect(me.body).not.toHaveProperty('csrfToken');
  });
});

describe('API tokens', () => {
  it('shows a token once, authenticates with it as a bearer, lists it without the secret, and revokes it', async () => {
    const created = await hub.admin.post('/api/v1/admin/api-tokens', { name: 'Nightly report', roleId: roles.Viewer });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^cbt_/);
    const machine = new Client(hub.url, { bearer: secret });
    expect((await machine.get('/api/v1/me')).body).toMatchObject({ type: 'token', name: 'token:Nightly report' });
    expect((await machine.get('/api/v1/terms')).status).toBe(200);
    expect((await machine.post('/api/v1/departments', { code: 'NO', name: 'No' })).status).toBe(403);

    const listed = JSON.stringify((await hub.admin.get('/api/v1/admin/api-tokens')).body);
    expect(listed).not.toContain(secret);
    expect(listed).toContain(secret.slice(0, 10));

    await hub.admin.post(`/api/v1/admin/api-tokens/${created.body.token.id}/revoke`);
    const revoked = await machine.get('/api/v1/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toMatch(/revoked/);
  });

  it('audits writes made with a token under the token\'s name', async () => {
    const created = await hub.admin.post('/api/v1/admin/api-tokens', { name: 'Integration', roleId: roles.Registrar });
    const machine = new Client(hub.url, { bearer: created.body.secret });
    const dept = await machine.post('/api/v1/departments', { code: 'TOK', name: 'Token made' });
    const audit = await hub.admin.get(`/api/v1/audit?entityType=department&entityId=${dept.body.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'create', actor: { type: 'token', name: 'token:Integration' } });
  });
});

describe('roles', () => {
  it('creates a custom role, refuses deleting a built-in one', async () => {
    const res = await hub.admin.post('/api/v1/admin/roles', { name: 'Room planner', permissions: ['sections.view', 'sections.edit'] });
    expect(res.status).toBe(201);
    expect((await hub.admin.del(`/api/v1/admin/roles/${res.body.id}`)).status).toBe(204);
    const builtin = await hub.admin.del(`/api/v1/admin/roles/${roles.Viewer}`);
    expect(builtin.status).toBe(409);
    const unknownPermission = await hub.admin.post('/api/v1/admin/roles', { name: 'Bad', permissions: ['sections.fly'] });
    expect(unknownPermission.status).toBe(400);
    expect(unknownPermission.body.errors[0].field).toBe('permissions.0');
  });

  it('refuses a name another role has, whatever its case, on create and on rename, naming the field', async () => {
    const taken = await hub.admin.post('/api/v1/admin/roles', { name: 'viewer', permissions: [] });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([{ field: 'name', message: 'A role named viewer exists' }]);
    const created = await hub.admin.post('/api/v1/admin/roles', { name: 'Timetabler', permissions: ['sections.view'] });
    expect(created.status).toBe(201);
    const renamed = await hub.admin.put(`/api/v1/admin/roles/${created.body.id}`, { name: 'Scheduler', permissions: ['sections.view'] });
    expect(renamed.status).toBe(409);
    expect(renamed.body.errors[0].field).toBe('name');
    // Keeping its own name (in another case) is no conflict.
    const same = await hub.admin.put(`/api/v1/admin/roles/${created.body.id}`, { name: 'TIMETABLER', permissions: ['sections.view'] });
    expect(same.status).toBe(200);
    expect((await hub.admin.del(`/api/v1/admin/roles/${created.body.id}`)).status).toBe(204);
  });
});

describe('sign-in rate limiting', () => {
  it('answers 429 problem+json after too many attempts from one address', async () => {
    const limited = await startHub({ loginRateLimit: 3 });
    try {
      const client = new Client(limited.url);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.signIn('registrar@example.edu', 'guess')).status);
      // startHub's own sign-in was the first of the three allowed attempts.
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});
