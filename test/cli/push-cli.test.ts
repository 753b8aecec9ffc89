// `coursebridge push`: the nightly's posting step, now, from a script — all enabled terms as a
// stored run, or one section.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from '../sis/harness.ts';
import { setSync } from '../sync/push-helpers.ts';
import { cliEnv, expectExplained, importFirstTerm, raiseCapacity, runCli, withHub, type EditedSection, type ServedHub } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-push-cli-'));
let sis: Pair;
let term: string;

const push = (...args: string[]) => runCli(['push', ...args], cliEnv(dataDir, sis));
const capacityInSis = async (section: EditedSection) => (await sis.connector.getSection(section.sisKey))!.capacity;
const onHub = <T>(work: (hub: ServedHub) => Promise<T>) => withHub(dataDir, sis, work);

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:20' });
  term = await importFirstTerm(dataDir, sis);
});
afterAll(async () => {
  await sis?.sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('coursebridge push', () => {
  it('says in one line when no term, or not the named one, is enabled for posting, or the term does not exist', async () => {
    expectExplained(await push(), 'No term is enabled for posting: enable one in the merge settings.');
    expectExplained(await push('--term', term), `Term ${term} is not enabled for posting: enable it in the merge settings.`);
    await onHub((hub) => setSync(hub.admin, term, { realTime: false }));
    expectExplained(await push('--term', '1999-xx'), 'The hub has no term 1999-xx: terms come from the SIS with `coursebridge merge --type terms`.');
  });

  it('says in one line what is wrong with --section', async () => {
    expectExplained(await push('--section', 'abc'), "--section takes a section's id (a UUID), not abc.");
    expectExplained(await push('--section', '00000000-0000-4000-8000-000000000000', '--term', term), 'Use --term or --section, not both.');
    expectExplained(await push('--section', '00000000-0000-4000-8000-000000000000'), 'No section 00000000-0000-4000-8000-000000000000.');
  });

  it('posts one section with --section, and only that one', async () => {
    const [one, other] = await onHub(async (hub) => [await raiseCapacity(hub, term, 0), await raiseCapacity(hub, term, 1)]);
    const pushed = await push('--section', one.id);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe(`Section ${one.label}: posted\n`);
    expect(await capacityInSis(one)).toBe(one.capacity);
    expect(await capacityInSis(other)).not.toBe(other.capacity);

    const all = await push();
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^Push \\S+ \\(${term}\\): succeeded\\n  posted 1, failed 0\\n$`));
    expect(await capacityInSis(other)).toBe(other.capacity);
    // The batch is in the run history with its report, as a merge's Send Updates would be.
    const runId = /^Push (\S+)/.exec(all.stdout)![1];
    await onHub(async (hub) => {
      expect((await hub.admin.get(`/api/v1/admin/merges/${runId}`)).body).toMatchObject({ status: 'succeeded', options: { terms: [term], sendUpdates: true }, items: [] });
      const report = (await hub.admin.get(`/api/v1/admin/merges/${runId}/changes`)).body.items;
      expect(report).toEqual([expect.objectContaining({ entityId: other.id, label: other.label, message: 'Posted to the SIS' })]);
      // Who started it, as for a merge.
      const started = (await hub.admin.get(`/api/v1/audit?entityType=merge_run&entityId=${runId}`)).body.items;
      expect(started).toEqual([expect.objectContaining({ action: 'start', changes: expect.objectContaining({ sendUpdates: { before: null, after: true } }) })]);
    });
  });

  it('exits 1 and names each section the SIS refused', async () => {
    const refused = await onHub((hub) => raiseCapacity(hub, term, 2));
    await sis.admin('PUT', '/faults', { seed: 3, latencyMs: 0, rules: [{ kind: 'server_error', methods: ['PUT'], pathPrefix: '/api/sections' }] });
    try {
      const pushed = await push('--term', term);
      expect(pushed.code).toBe(1);
      expect(pushed.stdout).toMatch(/: failed\n  posted 0, failed 1\n/);
      expect(pushed.stdout).toContain(`  ${refused.label}: Posting failed (will retry): `);
    } finally {
      await sis.admin('PUT', '/faults', { rules: [] });
    }
    expect(await capacityInSis(refused)).not.toBe(refused.capacity);
  });
});
