// A backup of the embedded database (src/db/backup.ts) is a committed state: taken while a
// transaction is open between two of its statements, it waits for that transaction to end.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupImage, loadImage } from '../../src/db/backup.ts';
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

  const restored = await loadImage(join(scratch, 'restored'), image);
  try {
    expect((await restored.query<{ id: number }>('select id from things order by id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  } finally {
    await restored.close();
  }
});
