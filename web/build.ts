// Builds the web app into web/dist when it is missing or older than its sources. `npm start`
// (prestart) and the browser tests call this; `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const root = join(webDir, '..');
const distIndex = join(webDir, 'dist', 'index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether web/dist is missing or older than a file under web/ or the lockfile. */
export function webBuildIsStale(): boolean {
  if (!existsSync(distIndex)) return true;
  const built = statSync(distIndex).mtimeMs;
  const lock = join(root, 'package-lock.json');
  return Math.max(newestSource(webDir), existsSync(lock) ? statSync(lock).mtimeMs : 0) > built;
}

export function buildWeb(): void {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new Error('Vite is not installed: run `npm install` (the web app is built with its dev dependencies).');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`The web build failed (exit ${result.status}).`);
}

export function ensureWebBuild(options: { onlyIfMissing?: boolean } = {}): boolean {
  const needed = options.onlyIfMissing ? !existsSync(distIndex) : webBuildIsStale();
  if (needed) buildWeb();
  return needed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const onlyIfMissing = process.argv.includes('--if-missing');
  try {
    if (ensureWebBuild({ onlyIfMissing })) console.log('web: built web/dist');
  } catch (error) {
    console.error(`web: ${(error as Error).message}`);
    process.exit(1);
  }
}
