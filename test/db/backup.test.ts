// A backup of the embedded database (src/db/backup.ts) is a committed state: taken while a
// transaction is open between two of its statements, it waits for that transaction to end. It
// unpacks only inside the directory it is given, and only whole.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** An image unpacked into a new directory, opened. */
async function restored(image: Buffer): Promise<PGlite> {
  const pgDir = mkdtempSync(join(scratch, 'restored-'));
  await extractImage(Readable.from([image]), pgDir);
  return PGlite.create({ dataDir: pgDir });
}

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
  const image = await backup;

  const db = await restored(image);
  try {
    expect((await db.query<{ id: number }>('select id from things order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  } finally {
    await db.close();
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
  const image = await backupImage(pglite);
  await expect(extractImage(Readable.from([image.subarray(0, image.length / 2)]), join(scratch, 'cut'))).rejects.toThrow();
});
