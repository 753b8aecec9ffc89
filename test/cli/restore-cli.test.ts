// `coursebridge restore <file>`: a backup of the embedded database into a data directory no hub
// holds, migrated; anything else refused in one line, and a database already there kept aside.
import { PGlite } from '@electric-sql/pglite';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupImage } from '../../src/db/backup.ts';
import { lockDataDir } from '../../src/db/data-dir.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrationState } from '../../src/db/migrate.ts';
import { cliEnv, expectExplained, runCli } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cb-restore-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A backup of a database older than any migration, holding one note: restore must bring it up to
 * date. Made as the hub makes one, or by PGlite's own dumpDataDir, as the hub made them before it
 * streamed them (its entries are named /PG_VERSION, /base/1/112, …).
 */
async function backupWith(note: string, by: 'hub' | 'pglite' = 'hub'): Promise<string> {
  const pglite = await PGlite.create({ dataDir: join(scratch, `source-${note}`) });
  try {
    await pglite.exec(`create table notes (text text); insert into notes values ('${note}')`);
    const file = join(scratch, `${note}.tar.gz`);
    if (by === 'hub') await pipeline(await backupImage(pglite), createWriteStream(file));
    else writeFileSync(file, new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer()));
    return file;
  } finally {
    await pglite.close();
  }
}

async function noteIn(pgDir: string): Promise<string> {
  const pglite = await PGlite.create({ dataDir: pgDir });
  try {
    return (await pglite.query<{ text: string }>('select text from notes')).rows[0].text;
  } finally {
    await pglite.close();
  }
}

let first: string;
let second: string;
let older: string;
beforeAll(async () => {
  first = await backupWith('first');
  second = await backupWith('second');
  older = await backupWith('older', 'pglite');
});

describe('coursebridge restore', () => {
  const dataDir = join(scratch, 'data');

  it('restores a backup into an empty data directory and migrates it', async () => {
    const restored = await runCli(['restore', first], cliEnv(dataDir));
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`Restored 0 terms, 0 sections and 0 users into ${join(dataDir, 'pg')}.`);
    expect(await noteIn(join(dataDir, 'pg'))).toBe('first');
    const database = await openDatabase({ dataDir });
    try {
      expect((await migrationState(database.db)).pending).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('refuses a data directory that holds a database, unless --replace, which moves that one aside', async () => {
    const refused = await runCli(['restore', second], cliEnv(dataDir));
    expectExplained(refused, `${dataDir} already holds a database: pass --replace to move it aside and restore in its place.`);
    expect(await noteIn(join(dataDir, 'pg'))).toBe('first');

    const replaced = await runCli(['restore', '--replace', second], cliEnv(dataDir));
    expect(replaced.code, replaced.stderr).toBe(0);
    const aside = readdirSync(dataDir).filter((name) => name.startsWith('pg.before-restore-'));
    expect(aside).toEqual([expect.stringMatching(/^pg\.before-restore-\d{8}T\d{6}Z$/)]);
    expect(replaced.stdout).toContain(`The database that was there is kept in ${join(dataDir, aside[0])}.`);
    expect(await noteIn(join(dataDir, 'pg'))).toBe('second');
    expect(await noteIn(join(dataDir, aside[0]))).toBe('first');
  });

  it('restores a backup PGlite itself dumped, as the hub made them before', async () => {
    const olderDir = join(scratch, 'older');
    const restored = await runCli(['restore', older], cliEnv(olderDir));
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`Restored 0 terms, 0 sections and 0 users into ${join(olderDir, 'pg')}.`);
    expect(await noteIn(join(olderDir, 'pg'))).toBe('older');
  });

  it('unpacks a backup as it reads it: one still arriving through a pipe is already being restored', async () => {
    const pipe = join(scratch, 'arriving.tar.gz');
    execFileSync('mkfifo', [pipe]);
    const bytes = readFileSync(first);
    const arriving = join(scratch, 'arriving');
    const restoring = runCli(['restore', pipe], cliEnv(arriving));
    const sender = createWriteStream(pipe);
    sender.write(bytes.subarray(0, bytes.length / 2));
    // Read whole before unpacking, as it once was, nothing would be unpacked until the pipe closes.
    await vi.waitFor(() => expect(existsSync(join(arriving, 'pg', 'PG_VERSION'))).toBe(true), { timeout: 30_000, interval: 20 });
    sender.end(bytes.subarray(bytes.length / 2));
    const restored = await restoring;
    expect(restored.code, restored.stderr).toBe(0);
    expect(await noteIn(join(arriving, 'pg'))).toBe('first');
  });

  it('refuses a backup cut short, leaving the database that was there in place and nothing half-restored', async () => {
    const cut = join(scratch, 'cut.tar.gz');
    const bytes = readFileSync(first);
    writeFileSync(cut, bytes.subarray(0, bytes.length / 2));
    const before = readdirSync(dataDir).sort();
    const refused = await runCli(['restore', '--replace', cut], cliEnv(dataDir));
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^coursebridge: ${cut} is damaged or cut short \\(.+\\): nothing was restored\\.$`));
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(await noteIn(join(dataDir, 'pg'))).toBe('second');
  });

  it('refuses a data directory a hub holds', async () => {
    const held = join(scratch, 'held');
    const release = lockDataDir(held);
    try {
      const refused = await runCli(['restore', first], cliEnv(held));
      expectExplained(
        refused,
        `The data directory ${held} is in use by process ${process.pid} (a running \`coursebridge serve\`?). ` +
          'The embedded database allows one process at a time: stop that process, or use the API of the running server.',
      );
    } finally {
      release();
    }
    expect(existsSync(join(held, 'pg'))).toBe(false);
  });

  it('refuses a file that is not a backup: not gzip, or gzip but no database in it', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const notGzip = join(scratch, 'notes.txt');
    writeFileSync(notGzip, 'not a backup\n');
    const noDatabase = join(scratch, 'other.tar.gz');
    writeFileSync(noDatabase, gzipSync(Buffer.alloc(1024)));
    for (const file of [notGzip, noDatabase]) {
      const refused = await runCli(['restore', file], cliEnv(empty));
      expectExplained(refused, `${file} is not a Coursebridge backup (a gzip'd tar of the embedded database, from GET /api/v1/admin/backup).`);
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses with DATABASE_URL set, naming pg_restore', async () => {
    const refused = await runCli(['restore', first], { ...cliEnv(join(scratch, 'unused')), DATABASE_URL: 'postgres://127.0.0.1:1/coursebridge' });
    expectExplained(refused, 'DATABASE_URL is set: this restores the embedded database; restore PostgreSQL with pg_restore.');
  });
});
