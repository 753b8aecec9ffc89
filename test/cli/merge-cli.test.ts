// `coursebridge merge` as a nightly script would call it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERGE_TYPES } from '../../src/domain/merge-settings.ts';
import { startPair, type Pair } from '../sis/harness.ts';
import { cliEnv, expectExplained, runCli, withHub } from './helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'cb-merge-cli-'));
/** A hub that has imported nothing yet. */
const emptyDir = mkdtempSync(join(tmpdir(), 'cb-merge-cli-empty-'));
let sis: Pair;
let term: string;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:30' });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
});
afterAll(async () => {
  await sis?.sim.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

const run = (args: string[]) => runCli(['merge', ...args], cliEnv(dataDir, sis));

describe('coursebridge merge', () => {
  it('merges every type without --type, prints a summary per type × term, and exits 0', async () => {
    const result = await run(['--term', term]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/: succeeded/);
    for (const type of MERGE_TYPES) expect(result.stdout).toMatch(new RegExp(`^  ${type} +(${term} +)?succeeded +created \\d+`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`sections\\s+${term}\\s+succeeded\\s+created [1-9]\\d*`));
    // --type narrows it.
    const again = await run(['--type', 'sections', '--term', term, '--dry-run']);
    expect(again.stdout).toMatch(/dry run: nothing written/);
    expect(again.stdout).toMatch(/created 0, updated 0/);
    expect(again.stdout).not.toMatch(/^ {2}(terms|courses) /m);
  });

  it('exits 1 with a plain message for an unknown term or type', async () => {
    const unknownTerm = await run(['--type', 'sections', '--term', '1999-xx']);
    expect(unknownTerm.code).toBe(1);
    expect(unknownTerm.stderr).toMatch(/Unknown term 1999-xx: merge terms first/);
    expectExplained(await run(['--type', 'widgets']), 'Unknown merge type widgets; use terms, buildings, rooms, departments, instructors, courses, sections, relationships.');
  });

  it('says the SIS has no such term when it has just merged the SIS\'s terms', async () => {
    const result = await run(['--term', '1999-xx']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}terms +succeeded/m);
    expect(result.stdout).toMatch(/^ {2}sections +1999-xx +failed .*\n {4}The SIS has no term 1999-xx: it is not among the terms just merged from the SIS\.$/m);
    expect(result.stdout).not.toMatch(/merge terms first/);
  });

  it('still says to merge terms first for a term the hub made that no merge of terms has linked', async () => {
    await withHub(dataDir, sis, async (hub) => {
      const created = await hub.admin.post('/api/v1/terms', { code: '2030-fa', name: 'Fall 2030', startsOn: '2030-08-26', endsOn: '2030-12-13' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    });
    const result = await run(['--type', 'sections', '--term', '2030-fa']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {4}Term 2030-fa has not been imported from the SIS yet: merge terms first\.$/m);
  });

  it('shows the first errors of an item and where its full report is', async () => {
    const result = await runCli(['merge', '--type', 'terms,courses', '--term', term], cliEnv(emptyDir, sis));
    expect(result.code).toBe(1);
    const errors = Number(new RegExp(`^ {2}courses +${term} +partial .*errors (\\d+)$`, 'm').exec(result.stdout)?.[1]);
    expect(errors, result.stdout).toBeGreaterThan(3);
    const shown = result.stdout.split('\n').filter((line) => line.startsWith('    '));
    expect(shown).toHaveLength(4);
    for (const line of shown.slice(0, 3)) expect(line).toMatch(/^ {4}[A-Z]+ \d+: departmentKey refers to \S+, which the hub does not have \(merge departments first\)\.$/);
    expect(shown[3]).toBe(`    … and ${errors - 3} more`);
    const report = /GET (\/api\/v1\/admin\/merges\/\S+\/changes\?kind=error)/.exec(result.stdout)?.[1];
    expect(report, result.stdout).toBeDefined();
    await withHub(emptyDir, sis, async (hub) => {
      const listed = (await hub.admin.get(report!)).body.items as { kind: string; type: string }[];
      expect(listed).toHaveLength(errors);
      expect(listed.every((c) => c.kind === 'error' && c.type === 'courses')).toBe(true);
    });
  });

  it('says once that no SIS is configured', async () => {
    const result = await runCli(['merge', '--type', 'terms'], cliEnv(dataDir));
    expect(result.code).toBe(1);
    expect((result.stdout + result.stderr).match(/No SIS connection is configured/g)).toHaveLength(1);
  });
});
