// What an API token reaches: a record-system token is a Course API client whatever its role holds,
// an api token reaches what its role allows (admin routes included: products are for people), and
// no token outlives its creator's being disabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startHub, type Hub } from '../helpers/hub.ts';

let hub: Hub;
let roles: Record<string, string>;

beforeAll(async () => {
  // With a runtime, so the integration console's routes (admin/sis-connection, merges…) exist too.
  hub = await startHub({ sis: 'none' });
  roles = Object.fromEntries((await hub.admin.get('/api/v1/admin/roles')).body.items.map((r: { name: string; id: string }) => [r.name, r.id]));
});
afterAll(() => hub?.close());

async function createToken(creator: Client, name: string, role: string, kind: 'api' | 'record_system') {
  const res = await creator.post('/api/v1/admin/api-tokens', { name, roleId: roles[role], kind });
  expect(res.status).toBe(201);
  return new Client(hub.url, { bearer: res.body.secret });
}

const ANY_ID = '00000000-0000-4000-8000-000000000000';

describe('a record-system token', () => {
  it('reaches no route outside the Course API, even with a role that holds every admin permission', async () => {
    const rs = await createToken(hub.admin, 'rs', 'Registrar', 'record_system');
    const doc = (await hub.admin.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const reached: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (path.startsWith('/api/v1/course-api/') || path === '/api/v1/me') continue;
      for (const method of Object.keys(operations)) {
        const res = await rs.request(method.toUpperCase(), path.replace(/\{[^}]+\}/g, ANY_ID), ['get', 'delete'].includes(method) ? undefined : {});
        const refused = res.status === 403 && res.headers.get('content-type')?.startsWith('application/problem+json') && /Course API/.test(res.body.detail);
        if (!refused) reached.push(`${method.toUpperCase()} ${path}: ${res.status}`);
      }
    }
    expect(reached).toEqual([]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/admin/users', '/api/v1/admin/sis-connection']));
    expect((await rs.get('/api/v1/no-such-route')).status).toBe(404); // a URL without a route is simply not found

    const newAdmin = { email: 'backdoor@example.edu', name: 'Backdoor', password: 'a long enough password', roleId: roles.Registrar, products: ['scheduling', 'admin'] };
    const created = await rs.post('/api/v1/admin/users', newAdmin);
    expect(created.status).toBe(403);
    expect(created.body.detail).toMatch(/Record-system tokens reach the Course API/);
    expect(JSON.stringify((await hub.admin.get('/api/v1/admin/users')).body)).not.toContain('backdoor@example.edu');
  });

  it('reaches the Course API\'s client calls and GET /me, but not the Course API\'s administration', async () => {
    const rs = await createToken(hub.admin, 'rs-broad', 'Registrar', 'record_system');
    expect((await rs.get('/api/v1/me')).body).toMatchObject({ type: 'token', name: 'token:rs-broad' });
    expect((await rs.get('/api/v1/course-api/courses')).status).toBe(200);
    expect((await rs.get('/api/v1/course-api/rollover')).status).toBe(200);
    const administration = [
      await rs.get('/api/v1/course-api/clients'),
      await rs.patch(`/api/v1/course-api/clients/${ANY_ID}`, { deriveStudentNumbers: true }),
      await rs.patch('/api/v1/course-api/settings', { rolloverDay: 2 }),
      await rs.post('/api/v1/course-api/rollover/archive-empty', { dryRun: true }),
    ];
    expect(administration.map((r) => [r.status, r.body.detail])).toEqual(
      administration.map(() => [403, expect.stringMatching(/Record-system tokens reach the Course API's client calls only/)]),
    );
    expect((await hub.admin.get('/api/v1/course-api/settings')).body.rolloverDay).not.toBe(2);

    const client = await createToken(hub.admin, 'srs', 'Record system', 'record_system');
    expect((await client.post('/api/v1/course-api/courses', { courseCode: 'TR101', courseName: 'Token reach' })).status).toBe(201);
  });
});

describe('an api token', () => {
  it('reaches admin routes by its role\'s permission alone, and opens no product', async () => {
    const integration = await createToken(hub.admin, 'integration', 'Registrar', 'api');
    expect((await integration.get('/api/v1/admin/users')).status).toBe(200);
    expect((await integration.get('/api/v1/admin/sis-connection')).status).toBe(200);
    expect((await integration.get('/api/v1/me')).body).toMatchObject({ type: 'token', products: [] });
    const viewer = await createToken(hub.admin, 'report', 'Viewer', 'api');
    expect((await viewer.get('/api/v1/admin/users')).status).toBe(403);
  });
});

async function setDisabled(userId: string, disabled: boolean) {
  const { version } = (await hub.admin.get(`/api/v1/admin/users/${userId}`)).body;
  expect((await hub.admin.patch(`/api/v1/admin/users/${userId}`, { version, disabled })).status).toBe(200);
}

describe('a token whose creator is disabled', () => {
  it('stops working with the creator\'s sessions, while other admins\' tokens go on; it works again if the creator is enabled again', async () => {
    const dean = await hub.user({ email: 'dean@example.edu', role: 'Registrar', products: ['scheduling', 'admin'] });
    const deansToken = await createToken(dean.client, 'dean nightly', 'Viewer', 'api');
    const deansClient = await createToken(dean.client, 'dean srs', 'Record system', 'record_system');
    const othersToken = await createToken(hub.admin, 'registrar nightly', 'Viewer', 'api');
    expect((await deansToken.get('/api/v1/me')).status).toBe(200);

    await setDisabled(dean.id, true);
    expect((await dean.client.get('/api/v1/me')).status).toBe(401);
    const refused = await deansToken.get('/api/v1/me');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toMatch(/created this API token is disabled/);
    expect((await deansClient.post('/api/v1/course-api/courses', { courseCode: 'DIS101', courseName: 'Disabled' })).status).toBe(401);
    expect((await othersToken.get('/api/v1/me')).status).toBe(200);

    await setDisabled(dean.id, false);
    expect((await deansToken.get('/api/v1/me')).status).toBe(200);
  });

  it('also stops the tokens that the creator\'s tokens made', async () => {
    const provost = await hub.user({ email: 'provost@example.edu', role: 'Registrar', products: ['scheduling', 'admin'] });
    const integration = await createToken(provost.client, 'provost integration', 'Registrar', 'api');
    const minted = await createToken(integration, 'minted by a token', 'Viewer', 'api');
    expect((await minted.get('/api/v1/me')).status).toBe(200);
    await setDisabled(provost.id, true);
    expect((await integration.get('/api/v1/me')).status).toBe(401);
    expect((await minted.get('/api/v1/me')).status).toBe(401);
  });
});
