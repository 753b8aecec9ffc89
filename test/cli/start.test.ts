// `npm start` on an older Node: its first step (prestart) says which version is needed, in one
// sentence, before any TypeScript is loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const oldNode = ['/usr/bin/node', '/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const [major, minor] = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim().split('.').map(Number);
  return major < 22 || (major === 22 && minor < 18);
});

describe('npm start', () => {
  it.skipIf(!oldNode)('tells a user on an older Node which version is needed, in one sentence, before building the web app', () => {
    const { prestart } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).scripts as Record<string, string>;
    // As npm runs it: through a shell, with that Node first on the PATH.
    const result = spawnSync('sh', ['-c', prestart], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(oldNode!)}:${process.env.PATH}` }, timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Coursebridge needs Node\.js 22\.18 or newer \(24 LTS recommended\); this is Node\.js [\d.]+\.$/);
  });
});
