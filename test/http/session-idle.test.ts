// A session ends when it goes unused for the idle limit, and in any case 12 hours after sign-in;
// the runtime deletes the sessions that ended. The sessions' clock is injected: nothing sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startHub, type Hub } from '../helpers/hub.ts';

const MINUTE = 60_000;
let now = new Date('2026-03-02T08:00:00Z');
const at = (minutesLater: number) => (now = new Date(now.getTime() + minutesLater * MINUTE));
let hub: Hub;
let n = 0;

beforeAll(async () => {
  hub = await startHub({ sis: 'none', sessions: { idleMinutes: 60, clock: () => now }, runtime: { sessionCleanupMs: 0 } });
});
afterAll(async () => {
  await hub?.close();
});

async function signedIn(): Promise<Client> {
  return (await hub.user({ email: `registrar${++n}@example.edu`, role: 'Registrar' })).client;
}
const unattended = (client: Client) => client.request('GET', '/api/v1/me', undefined, { 'x-unattended': '1' });

describe('session idle limit', () => {
  it('refuses a session left unused for longer than the limit, reads and writes alike, as an unknown one', async () => {
    const client = await signedIn();
    expect((await client.get('/api/v1/me')).status).toBe(200);
    at(61);
    const idle = await client.get('/api/v1/me');
    expect(idle.status).toBe(401);
    expect(idle.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const write = await client.post('/api/v1/departments', { code: 'IDLE', name: 'Idle' });
    expect(write.status).toBe(401);
    // Using it again does not bring it back.
    at(1);
    expect((await client.get('/api/v1/me')).status).toBe(401);
    const stranger = new Client(hub.url);
    stranger.cookie = 'cb_session=unknown';
    expect((await client.get('/api/v1/me')).body).toEqual((await stranger.get('/api/v1/me')).body);
  });

  it('keeps a session that is used within the limit working well past the limit from sign-in', async () => {
    const client = await signedIn();
    for (let i = 0; i < 5; i++) {
      at(50);
      expect((await client.get('/api/v1/me')).status).toBe(200);
    }
    // 250 minutes after sign-in, 50 since it was last used; a write works too.
    expect((await client.post('/api/v1/departments', { code: 'BUSY', name: 'Busy' })).status).toBe(201);
  });

  it('still ends a session used all along 12 hours after sign-in', async () => {
    const client = await signedIn();
    for (let minutes = 50; minutes < 12 * 60; minutes += 50) {
      at(50);
      expect((await client.get('/api/v1/me')).status, `${minutes} minutes after sign-in`).toBe(200);
    }
    at(20); // 12 hours after sign-in, 20 minutes after its last use
    expect((await client.get('/api/v1/me')).status).toBe(401);
  });

  it('records a use at most once a minute, so a session can end up to a minute early but never late', async () => {
    const client = await signedIn();
    const lastUsed = async () => (await hub.db.selectFrom('sessions').select('last_used_at').orderBy('created_at', 'desc').executeTakeFirstOrThrow()).last_used_at;
    const signedInAt = await lastUsed();
    at(0.5);
    expect((await client.get('/api/v1/me')).status).toBe(200);
    expect(await lastUsed()).toEqual(signedInAt); // no write for a use within the minute
    at(60 - 0.5 + 0.1); // 59.6 minutes after that use, 60.1 after the use recorded
    expect((await client.get('/api/v1/me')).status).toBe(401);

    const other = await signedIn();
    at(1);
    expect((await other.get('/api/v1/me')).status).toBe(200);
    expect(await lastUsed()).toEqual(now); // a minute on, the use is written
    at(59);
    expect((await other.get('/api/v1/me')).status).toBe(200);
  });

  it('does not count a request the web app made with nobody at it (x-unattended) as use', async () => {
    const client = await signedIn();
    at(30);
    expect((await unattended(client)).status).toBe(200);
    at(29);
    expect((await unattended(client)).status).toBe(200);
    at(2); // 61 minutes after the last request somebody made
    expect((await unattended(client)).status).toBe(401);
    expect((await client.get('/api/v1/me')).status).toBe(401);
  });
});

describe('ended sessions are deleted', () => {
  it('deletes sessions that went idle or outlived 12 hours, and keeps those in force', async () => {
    await hub.db.deleteFrom('sessions').execute();
    const outlived = await signedIn();
    let idle: Client | undefined;
    for (let i = 1; i <= 14; i++) {
      at(50);
      expect((await outlived.get('/api/v1/me')).status).toBe(200);
      if (i === 12) idle = await signedIn();
    }
    const live = await signedIn();
    // 750 minutes on: idle signed in 150 minutes ago and was not used since; outlived was used
    // 50 minutes ago but signed in more than 12 hours ago; live signed in 50 minutes ago.
    at(50);
    expect(await hub.db.selectFrom('sessions').select('user_id').execute()).toHaveLength(3);

    expect(await hub.runtime!.deleteEndedSessions()).toBe(2);
    const left = await hub.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select('u.email').execute();
    expect(left.map((r) => r.email)).toEqual([`registrar${n}@example.edu`]);
    expect((await live.get('/api/v1/me')).status).toBe(200);
    expect((await idle!.get('/api/v1/me')).status).toBe(401);
    expect((await outlived.get('/api/v1/me')).status).toBe(401);
  });
});
