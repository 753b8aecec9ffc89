// The embedded database's data directory. PGlite has no protection against a second process:
// one opened the same directory while another had it open and its writes were silently lost
// (stack.md §2). So the app takes an exclusive lock file, and refuses plainly when it is held.
// initdb runs in a short-lived child process because in-process initdb leaves ~0.8 GB resident.
// The key stored secrets are encrypted with lives here too, beside the database files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newSecretsKey, parseSecretsKey } from '../auth/secret-box.ts';

export class DataDirLockedError extends Error {
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      `The data directory ${dataDir} is in use by process ${pid} (a running \`coursebridge serve\`?). ` +
        'The embedded database allows one process at a time: stop that process, or use the API of the running server.',
    );
    this.pid = pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's lock; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'coursebridge.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(lockFile, { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new DataDirLockedError(dataDir, holder);
      rmSync(lockFile, { force: true }); // left by a process that died: take it over
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}`);
}

/** Creates the PGlite cluster, migrated, in a child process when the directory holds none yet. */
export function ensureInitialized(pgDir: string): void {
  if (existsSync(join(pgDir, 'PG_VERSION'))) return;
  mkdirSync(pgDir, { recursive: true });
  const script = fileURLToPath(new URL('./initdb-child.ts', import.meta.url));
  const result = spawnSync(process.execPath, [script, pgDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`Creating the embedded database in ${pgDir} failed (exit ${result.status})`);
}

/**
 * The embedded hub's key for stored secrets when COURSEBRIDGE_SECRETS_KEY is not set: created once,
 * readable by this user only, in the data directory but outside `pg`, so a copy of the database
 * files alone does not carry it. Written as the variable takes it (base64), to move it there.
 */
export function secretsKeyFile(dataDir: string): { key: Buffer; path: string } {
  const path = join(dataDir, 'secrets.key');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${newSecretsKey().toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = parseSecretsKey(readFileSync(path, 'utf8'));
  if (!key) throw new Error(`The key file ${path} does not hold 32 bytes in base64 or hex: restore the one the stored secrets were encrypted with.`);
  return { key, path };
}
