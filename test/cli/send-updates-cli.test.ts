// `coursebridge merge --send-updates`: after the pull, the hub's pending edits reach the SIS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from '../sis/harness.ts';
import { setSync } from '../sync/push-helpers.ts';
import { cliEnv, importFirstTerm, raiseCapacity, runCli, withHub, type EditedSection } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-send-updates-cli-'));
let sis: Pair;
let term: string;
/** Edited in the hub while nothing posted it. */
let edited: EditedSection;

const merge = (...args: string[]) => runCli(['merge', '--type', 'sections', '--term', term, ...args], cliEnv(dataDir, sis));
const capacityInSis = async () => (await sis.connector.getSection(edited.sisKey))!.capacity;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:20' });
  term = await importFirstTerm(dataDir, sis);
  await withHub(dataDir, sis, async (hub) => {
    await setSync(hub.admin, term);
    edited = await raiseCapacity(hub, term, 0);
    expect((await hub.admin.get(`/api/v1/sections/${edited.id}/integration-status`)).body.status).toBe('pending');
  });
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
