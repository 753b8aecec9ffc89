// `coursebridge serve` with no SIS configured starts the demo SIS, a stand-in until an admin saves
// their own SIS connection.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { merge } from '../sync/helpers.ts';
import { cliEnv, startServe } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-serve-demo-'));
let ours: Pair;
let hub: Awaited<ReturnType<typeof startServe>> | undefined;

beforeAll(async () => {
  ours = await startPair('ethos', { seed: 'synthetic:20' });
});
afterAll(async () => {
  await hub?.stop();
  await ours?.sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the demo SIS', () => {
  it('gives way to the SIS connection an admin saves: the hub then merges from theirs', async () => {
    hub = await startServe({ ...cliEnv(dataDir), COURSEBRIDGE_ADMIN_PASSWORD: PASSWORD });
    const admin = new Client(hub.url);
    expect((await admin.signIn('admin@coursebridge.local', PASSWORD)).status).toBe(200);
    expect((await admin.get('/api/v1/admin/sis-connection')).body.source).toBe('demo');

    const saved = await admin.put('/api/v1/admin/sis-connection', { kind: 'ethos', baseUrl: ours.sim.url, apiKey: API_KEY });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ source: 'database', settings: { kind: 'ethos', baseUrl: ours.sim.url } });
    expect((await admin.get('/api/v1/admin/sis-connection')).body.source).toBe('database');

    const run = await merge(admin, { types: ['terms'] });
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect((await ours.admin<unknown[]>('GET', '/requests')).length).toBeGreaterThan(0);
  });
});
