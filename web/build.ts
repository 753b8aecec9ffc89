// Builds the web app into web/dist when it is missing or older than its sources (after an update,
// `npm start` must not serve the old app against the new API). `npm start` (prestart) and the
// browser tests call this; `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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

/** Whether web/dist is missing or older than a file under web/, the pure rules it shares (src/domain), or the lockfile. */
export function webBuildIsStale(): boolean {
  if (!existsSync(distIndex)) return true;
  const built = statSync(distIndex).mtimeMs;
  const lock = join(root, 'package-lock.json');
  return Math.max(newestSource(webDir), newestSource(join(root, 'src', 'domain')), existsSync(lock) ? statSync(lock).mtimeMs : 0) > built;
}

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');

export function buildWeb(): void {
  if (!existsSync(vite)) throw new Error('Vite is not installed: run `npm install` (the web app is built with its dev dependencies).');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`The web build failed (exit ${result.status}).`);
}

// Outside web/ (its mtime would make the build look stale) and ignored by git.
const lockDir = join(root, 'node_modules', '.cache', 'coursebridge-web-build.lock');
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Builds when needed, one process at a time: browser test files run in parallel workers, and a
 * build empties web/dist while another worker's hub may be serving it. A process that finds the
 * lock taken waits for it, then checks again (the other process has usually built it).
 */
export function ensureWebBuild(): boolean {
  if (!webBuildIsStale()) return false;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(join(lockDir, '..'), { recursive: true });
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock older than five minutes was left by a process that died mid-build.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 300_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Another web build has held ${lockDir} for five minutes.`);
      sleep(200);
    }
  }
  try {
    if (!webBuildIsStale()) return false;
    buildWeb();
    return true;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    // An install without dev dependencies cannot build: it serves the build it was given.
    if (existsSync(distIndex) && !existsSync(vite)) {
      if (webBuildIsStale()) console.warn('web: web/dist is older than its sources, and Vite (a dev dependency) is not installed to rebuild it: serving it as it is.');
    } else if (ensureWebBuild()) console.log('web: built web/dist');
  } catch (error) {
    console.error(`web: ${(error as Error).message}`);
    process.exit(1);
  }
}
