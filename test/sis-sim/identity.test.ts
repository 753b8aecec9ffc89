// The simulator is the same SIS after a restart: same seed, same GUIDs and keys; a re-seeded
// term keeps the GUIDs of the sections it still has; with a data directory, writes survive.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSisSim, type SisSim } from '../../sis-sim/server.ts';
import { hasSharedData, SKIP_SHARED, uiucFile } from '../sis/harness.ts';

const started: SisSim[] = [];
const dirs: string[] = [];
const start = async (options: Partial<Parameters<typeof startSisSim>[0]>) => {
  const sim = await startSisSim({ dialect: 'ethos', port: 0, apiKey: 'k', ...options });
  started.push(sim);
  return sim;
};
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sis-sim-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const sim of started.splice(0)) await sim.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const snapshot = (sim: SisSim) => {
  const s = sim.store.state;
  return {
    terms: Object.keys(s.terms).sort(),
    sections: Object.values(s.sections).map((x) => `${x.id}/${x.crn}`).sort(),
    courses: Object.values(s.courses).map((c) => `${c.id}/${c.crseId}`).sort(),
    rooms: Object.values(s.rooms).map((r) => `${r.id}/${r.facilityId}`).sort(),
    relationships: Object.keys(s.relationships).sort(),
  };
};

describe('simulator identity', () => {
  it('gives the same GUIDs and keys for the same seed', async () => {
    const a = await start({ seed: 'synthetic:300' });
    const b = await start({ seed: 'synthetic:300', dialect: 'peoplesoft' });
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(Object.keys(a.store.state.sections)).toHaveLength(900);
  });

  it.skipIf(!hasSharedData)(hasSharedData ? 'keeps the GUIDs of the sections a re-seeded term still has' : SKIP_SHARED, async () => {
    const lines = readFileSync(uiucFile('2025-su'), 'utf8').split('\n');
    const older = path.join(tempDir(), 'older.csv');
    // An "older export": the header and every other data row.
    writeFileSync(older, [lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n'));
    const sim = await start({ seed: `csv:${older}` });
    const before = new Map(Object.values(sim.store.state.sections).map((s) => [s.crn, s.id]));

    const response = await fetch(`${sim.url}/__admin/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: `csv:${uiucFile('2025-su')}` }),
    });
    expect(await response.json()).toEqual({ terms: ['2025-su'], sections: 1638 });
    const after = new Map(Object.values(sim.store.state.sections).map((s) => [s.crn, s.id]));
    expect(after.size).toBe(1638);
    expect(before.size).toBeLessThan(after.size);
    for (const [crn, id] of before) expect(after.get(crn)).toBe(id);
  });

  it('keeps its state across a restart when given a data directory', async () => {
    const dataDir = tempDir();
    const first = await start({ seed: 'synthetic:50', dataDir });
    const section = Object.values(first.store.state.sections)[0];
    const term = first.store.state.terms[section.termId];
    const patched = await fetch(`${first.url}/__admin/sections/${term.code}/${section.crn}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capacity: 321, title: 'Edited by the registrar' }),
    });
    expect(patched.status).toBe(200);
    await first.close();
    started.splice(started.indexOf(first), 1);

    // The seed is ignored: the data directory already holds this SIS.
    const second = await start({ seed: 'synthetic:10', dataDir });
    expect(second.store.state.sections[section.id]).toMatchObject({ capacity: 321, title: 'Edited by the registrar' });
    expect(Object.keys(second.store.state.sections)).toHaveLength(150);
  });
});
