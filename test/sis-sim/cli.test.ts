// `coursebridge sis-sim` as a separate process: starts, serves, stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import { projectRoot } from '../sis/harness.ts';

describe('coursebridge sis-sim', () => {
  it('serves the PeopleSoft dialect until stopped', async () => {
    const child = spawn(
      process.execPath,
      [path.join(projectRoot, 'test/sis-sim/run-cli.ts'), '--dialect', 'peoplesoft', '--port', '0', '--api-key', 'pw', '--seed', 'synthetic:20'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let base = '';
    for await (const line of createInterface({ input: child.stdout! })) {
      const m = /listening on (\S+)/.exec(line);
      if (m) {
        base = m[1];
        break;
      }
    }
    expect(base).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+${PS_BASE}$`));
    const auth = `Basic ${Buffer.from('ANY:pw').toString('base64')}`;
    const terms = (await (await fetch(`${base}/terms`, { headers: { authorization: auth } })).json()) as { TERMS: unknown[] };
    expect(terms.TERMS).toHaveLength(3);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects an unknown dialect', async () => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'test/sis-sim/run-cli.ts'), '--dialect', 'workday', '--api-key', 'k'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Allowed choices are ethos, peoplesoft/);
  });
});
