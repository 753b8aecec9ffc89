// `coursebridge serve` with no SIS configured starts the demo SIS, a stand-in until an admin saves
// their own SIS connection.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { Client, PASSWORD } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { merge } from '../sync/helpers.ts';
import { cliEnv, runCli, startServe } from './helpers.ts';

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

describe('a saved SIS connection', () => {
  it('is stored encrypted with the key file the hub made beside the database, which the CLI uses too', async () => {
    await hub!.stop();
    hub = undefined;
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
    const merged = await runCli(['merge', '--type', 'terms'], cliEnv(dataDir));
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    const database = await openDatabase({ dataDir });
    try {
      const { settings } = await database.db.selectFrom('sis_connection').select('settings').executeTakeFirstOrThrow();
      expect(settings.apiKey).toMatch(/^enc:v2:/);
      expect(JSON.stringify(settings)).not.toContain(API_KEY);
    } finally {
      await database.close();
    }
  });
});
