// The first administrator's password is shown by whichever command meets the empty database
// first — here `migrate`, before the hub ever started — and only then.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/hub.ts';
import { cliEnv, runCli, startServe } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-first-admin-'));
const env = { ...cliEnv(dataDir), COURSEBRIDGE_DEMO_SIS: 'false' };
let hub: Awaited<ReturnType<typeof startServe>> | undefined;
afterAll(async () => {
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the first administrator', () => {
  it('is shown once by the first command to run, and the password shown signs in', async () => {
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    const shown = /created the administrator (\S+)\n {2}password: (\S+)\n/.exec(first.stderr);
    expect(shown, first.stderr).not.toBeNull();
    const [, email, password] = shown!;
    expect(email).toBe('admin@coursebridge.local');

    const again = await runCli(['migrate'], env);
    expect(again.stderr).not.toMatch(/password/);

    hub = await startServe(env);
    const admin = new Client(hub.url);
    expect((await admin.signIn(email, password)).status).toBe(200);
  });
});
