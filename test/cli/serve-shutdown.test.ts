// `coursebridge serve` stopped (SIGTERM, as systemd stops it) while an admin follows a merge's
// progress: the stream ends and the process exits cleanly, instead of living on until the run
// finishes (a queued run with no workers never does). vitest's timeout is the bound.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD } from '../helpers/hub.ts';
import { cliEnv, startServe } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-serve-shutdown-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('coursebridge serve on SIGTERM', () => {
  it('ends an open merge progress stream and exits 0', async () => {
    const hub = await startServe({ ...cliEnv(dataDir), COURSEBRIDGE_ADMIN_PASSWORD: PASSWORD, COURSEBRIDGE_WORKERS: 'false', COURSEBRIDGE_DEMO_SIS: 'false' });
    const admin = new Client(hub.url);
    expect((await admin.signIn('admin@coursebridge.local', PASSWORD)).status).toBe(200);
    const started = await admin.post('/api/v1/admin/merges', { types: ['terms'] });
    expect(started.status).toBe(202);
    const res = await fetch(`${hub.url}/api/v1/admin/merges/${started.body.id}/events`, { headers: { cookie: admin.cookie! } });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    // COURSEBRIDGE_WORKERS=false: no worker takes the run, which stays queued.
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    expect(text).toMatch(/^event: progress\ndata: .*"status":"queued"/);

    const exitCode = hub.stop();
    while (!(await reader.read()).done);
    expect(await exitCode).toBe(0);
  }, 60_000);
});
