// `coursebridge restore <file>`: a backup of the embedded database into a data directory no hub
// holds, migrated; anything else refused in one line, and a database already there kept aside.
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupImage } from '../../src/db/backup.ts';
import { lockDataDir } from '../../src/db/data-dir.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrationState } from '../../src/db/migrate.ts';
import { cliEnv, expectExplained, runCli } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cb-restore-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A backup of a database older than any migration, holding one note: restore must bring it up to date. */
async function backupWith(note: string): Promise<string> {
  const pglite = await PGlite.create({ dataDir: join(scratch, `source-${note}`) });
  try {
    await pglite.exec(`create table notes (text text); insert into notes values ('${note}')`);
    const file = join(scratch, `${note}.tar.gz`);
    writeFileSync(file, await backupImage(pglite));
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
beforeAll(async () => {
  first = await backupWith('first');
  second = await backupWith('second');
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
