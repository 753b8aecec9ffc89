// A backup of the embedded database (src/db/backup.ts) is a committed state: taken while a
// transaction is open between two of its statements, it waits for that transaction to end. It is
// streamed from a copy beside the data directory that is gone once the stream is, and it unpacks
// in either form: its own, or PGlite's dumpDataDir's (the hub's backups before they streamed).
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { create as createTar, Parser } from 'tar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupImage, extractImage } from '../../src/db/backup.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cb-backup-db-'));
let pglite: PGlite;
let database: Database;
beforeAll(async () => {
  pglite = await PGlite.create({ dataDir: join(scratch, 'hub') });
  database = await openDatabase({ pglite });
  await sql`create table things (id int primary key)`.execute(database.db);
});
afterAll(async () => {
  await database.close();
  await pglite.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The copies being sent, or left, beside the data directory. */
const copies = () => readdirSync(scratch).filter((name) => name.startsWith('hub.backup-in-progress-'));

/** The files this process has open in such a copy. */
const openInCopies = () =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const path = readlinkSync(`/proc/self/fd/${fd}`);
      return path.includes('.backup-in-progress-') ? [path] : [];
    } catch {
      return []; // closed meanwhile (the one readdirSync read with, for one)
    }
  });

/** An image unpacked into a new directory, opened. */
async function restored(image: Buffer): Promise<PGlite> {
  const pgDir = mkdtempSync(join(scratch, 'restored-'));
  await extractImage(Readable.from([image]), pgDir);
  return PGlite.create({ dataDir: pgDir });
}

const idsIn = async (db: PGlite) => (await db.query<{ id: number }>('select id from things order by id')).rows.map((row) => row.id);

/** The entries' names, as a tar lister reads them, in order. */
async function entries(image: Buffer): Promise<string[]> {
  const names: string[] = [];
  const parser = new Parser({ onReadEntry: (entry) => (names.push(entry.path), entry.resume()) });
  await new Promise((done) => parser.on('close', done).end(image));
  return names;
}

it('asked between two statements of an open transaction, holds that transaction whole once it commits', async () => {
  let commit!: () => void;
  let firstWritten!: () => void;
  const written = new Promise<void>((done) => (firstWritten = done));
  const transaction = database.db.transaction().execute(async (trx) => {
    await sql`insert into things values (1)`.execute(trx);
    firstWritten();
    await new Promise<void>((go) => (commit = go));
    await sql`insert into things values (2)`.execute(trx);
  });
  await written;

  // Commit once the backup waits for the transaction to end (or, if it does not wait, once it is taken).
  let waits!: () => void;
  const waiting = new Promise<void>((done) => (waits = done));
  const take = pglite._runExclusiveTransaction.bind(pglite);
  pglite._runExclusiveTransaction = (fn) => (waits(), take(fn));
  const backup = backupImage(pglite);
  await Promise.race([backup, waiting]);
  commit();
  await transaction;
  const image = await buffer(await backup);
  pglite._runExclusiveTransaction = take;

  const db = await restored(image);
  try {
    expect(await idsIn(db)).toEqual([1, 2]);
  } finally {
    await db.close();
  }
});

it('streams from a copy beside the data directory, gone when the stream ends; one a stopped hub left is cleared', async () => {
  const left = join(scratch, 'hub.backup-in-progress-left-by-a-crash');
  mkdirSync(left);
  writeFileSync(join(left, 'PG_VERSION'), '17\n');
  const image = await backupImage(pglite);
  expect(copies()).toEqual([expect.not.stringContaining('left-by-a-crash')]);
  await buffer(image);
  expect(copies()).toEqual([]);
});

it('a stream given up in the middle of a file, by a reader that had stopped reading, removes its copy and closes that file', async () => {
  const large = join(scratch, 'hub', 'A-large-file-for-this-test'); // next after PG_VERSION
  writeFileSync(large, randomBytes(40 * 1024 * 1024));
  try {
    const image = await backupImage(pglite); // and nothing reads it
    await expect.poll(() => openInCopies().some((path) => path.endsWith('/A-large-file-for-this-test')), { timeout: 30_000 }).toBe(true);
    image.destroy();
    await expect.poll(() => ({ copies: copies(), open: openInCopies() }), { timeout: 30_000 }).toEqual({ copies: [], open: [] });
  } finally {
    rmSync(large);
  }
});

it('is laid out as PGlite dumps a data directory, PG_VERSION first, and either form unpacks', async () => {
  await sql`insert into things values (3)`.execute(database.db);
  const ours = await buffer(await backupImage(pglite));
  const pglites = Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
  const top = (names: string[]) => [...new Set(names.map((name) => name.replace(/^\//, '').split('/')[0]))];
  expect((await entries(ours))[0]).toBe('PG_VERSION');
  expect((await entries(pglites))[0]).toBe('/PG_VERSION');
  expect(top(await entries(ours))).toEqual(top(await entries(pglites)));

  for (const image of [ours, pglites]) {
    const db = await restored(image);
    try {
      expect(await idsIn(db)).toEqual([1, 2, 3]);
    } finally {
      await db.close();
    }
  }
  // And ours loads as PGlite loads its own, as a hub from before streaming backups restored them.
  const loaded = await PGlite.create({ loadDataDir: new Blob([new Uint8Array(ours)], { type: 'application/gzip' }) });
  try {
    expect(await idsIn(loaded)).toEqual([1, 2, 3]);
  } finally {
    await loaded.close();
  }
});

it('unpacks nothing outside the directory it is given, and refuses an image that tries', async () => {
  const crafted = join(scratch, 'crafted', 'inner');
  mkdirSync(crafted, { recursive: true });
  writeFileSync(join(crafted, 'PG_VERSION'), '17\n');
  writeFileSync(join(scratch, 'crafted', 'escaped'), 'outside\n');
  const image = await buffer(createTar({ cwd: crafted, gzip: true, preservePaths: true }, ['PG_VERSION', '../escaped']));
  expect(await entries(image)).toEqual(['PG_VERSION', '../escaped']);
  const target = join(scratch, 'target', 'pg');
  await expect(extractImage(Readable.from([image]), target)).rejects.toThrow(/'\.\.'/);
  expect(existsSync(join(scratch, 'target', 'escaped'))).toBe(false);
});

it('refuses an image cut short', async () => {
  const image = await buffer(await backupImage(pglite));
  await expect(extractImage(Readable.from([image.subarray(0, image.length / 2)]), join(scratch, 'cut'))).rejects.toThrow();
});
