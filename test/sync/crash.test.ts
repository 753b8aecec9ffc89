// A hub process killed in the middle of a merge: after a restart the run is marked failed, the
// interrupted type × term wrote nothing, and the merge runs again cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { item, merge, waitForRun } from './helpers.ts';

const bin = resolve(import.meta.dirname, '../../bin/coursebridge.js');
const dataDir = mkdtempSync(join(tmpdir(), 'cb-crash-'));
const PASSWORD = 'crash test password';
let sis: Pair;
let child: ChildProcess | null = null;

async function startHubProcess(): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COURSEBRIDGE_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    COURSEBRIDGE_ADMIN_PASSWORD: PASSWORD,
    COURSEBRIDGE_SIS_KIND: 'ethos',
    COURSEBRIDGE_SIS_URL: sis.sim.url,
    COURSEBRIDGE_SIS_API_KEY: API_KEY,
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  child = spawn(process.execPath, [bin, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) resolvePromise(match[1]);
    });
    child!.on('exit', (code) => reject(new Error(`hub exited with ${code} before listening:\n${output}`)));
  });
}

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:100' });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await sis?.sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.env.DATABASE_URL)('a hub killed mid-merge', () => {
  it('leaves the previous state whole and can run the merge again', async () => {
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    let url = await startHubProcess();
    let admin = new Client(url);
    expect((await admin.signIn('admin@coursebridge.local', PASSWORD)).status).toBe(200);
    await merge(admin, { types: ['terms', 'departments', 'buildings', 'rooms', 'instructors', 'courses'], terms: [term] });

    await sis.admin('PUT', '/faults', { latencyMs: 40 }); // slow enough to be caught mid-fetch
    const started = await admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    for (let i = 0; i < 2000; i++) {
      const run = (await admin.get(`/api/v1/admin/merges/${started.body.id}`)).body;
      if (run.items[0].status === 'running') break; // fetching: ~100 calls at 40 ms each
      await new Promise((r) => setTimeout(r, 20));
    }
    const exited = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGKILL');
    await exited;
    await sis.admin('DELETE', '/faults');

    url = await startHubProcess();
    admin = new Client(url);
    await admin.signIn('admin@coursebridge.local', PASSWORD);
    const interrupted = await waitForRun(admin, started.body.id);
    expect(interrupted).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrupted/) });
    const termId = (await admin.get('/api/v1/terms')).body.items.find((t: { code: string }) => t.code === term).id;
    expect((await admin.get(`/api/v1/sections?termId=${termId}`)).body.items).toEqual([]);

    const again = await merge(admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').status).toBe('succeeded');
    const simCount = (await sis.admin<unknown[]>('GET', `/sections?term=${term}`)).length;
    expect(item(again, 'sections').counts.created).toBe(simCount);
  });
});
