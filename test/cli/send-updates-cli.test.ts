// `coursebridge merge --send-updates`: after the pull, the hub's pending edits reach the SIS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES } from '../sync/helpers.ts';
import { setSync } from '../sync/push-helpers.ts';
import { cliEnv, runCli, serveDataDir } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-send-updates-cli-'));
let sis: Pair;
let term: string;
/** The section edited in the hub while nothing posted it: its SIS key and the capacity it was given. */
let edited: { sisKey: string; capacity: number };

const merge = (...args: string[]) => runCli(['merge', '--type', 'sections', '--term', term, ...args], cliEnv(dataDir, sis));
const capacityInSis = async () => (await sis.connector.getSection(edited.sisKey))!.capacity;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:20' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  const imported = await runCli(['merge', '--type', ALL_TYPES.join(','), '--term', term], cliEnv(dataDir, sis));
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);
  const hub = await serveDataDir(dataDir, sis);
  try {
    await setSync(hub.admin, term);
    const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
    const [section] = (await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=1`)).body.items;
    const saved = await hub.admin.patch(`/api/v1/sections/${section.id}`, { version: section.version, capacity: section.capacity + 7 });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await hub.admin.get(`/api/v1/sections/${section.id}/integration-status`)).body.status).toBe('pending');
    edited = { sisKey: section.sisKey, capacity: section.capacity + 7 };
  } finally {
    await hub.close();
  }
});
afterAll(async () => {
  await sis?.sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('coursebridge merge --send-updates', () => {
  it('without the flag pulls only: the pending edit stays in the hub', async () => {
    const pulled = await merge();
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).not.toMatch(/Send Updates/);
    expect(await capacityInSis()).not.toBe(edited.capacity);
  });

  it('with the flag posts the pending edit after the pull and says how many were posted', async () => {
    const sent = await merge('--send-updates');
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/: succeeded/);
    expect(sent.stdout).toMatch(/Send Updates: posted 1, failed 0/);
    expect(await capacityInSis()).toBe(edited.capacity);
  });
});
