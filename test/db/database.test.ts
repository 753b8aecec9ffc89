// The embedded database's traps (stack.md §2, §7), each held by a test.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir.ts';
import { freshDatabase } from '../helpers/db.ts';

describe('the PGlite dialect', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ pglite: await PGlite.create() });
    await sql`create table t (n int)`.execute(database.db);
  });
  afterAll(() => database.close());

  it('keeps a statement issued outside an open transaction out of that transaction', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = database.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t values (1)`.execute(trx);
        await held;
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    const outside = sql`insert into t values (2)`.execute(database.db); // waits for the transaction's lock
    release();
    expect(await tx).toBe('rolled back');
    await outside;
    const rows = await sql<{ n: number }>`select n from t order by n`.execute(database.db);
    expect(rows.rows.map((r) => r.n)).toEqual([2]);
  });

  it('runs 20 concurrent transactions without losing or mixing any', async () => {
    await sql`delete from t`.execute(database.db);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await sql`insert into t values (${i})`.execute(trx);
          await sql`insert into t values (${i + 100})`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ c: number }>`select count(*)::int as c from t`.execute(database.db);
    expect(rows[0].c).toBe(40);
  });
});

describe('the data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second opener plainly instead of silently losing its writes', () => {
    const release = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      expect(() => lockDataDir(dir)).toThrow(/in use by process \d+/);
    } finally {
      release();
    }
    lockDataDir(dir)(); // free again once released
  });

  it('takes over a lock left by a process that no longer exists', () => {
    writeFileSync(join(dir, 'coursebridge.lock'), '2147483646');
    const release = lockDataDir(dir);
    release();
  });
});

describe('the configured database', () => {
  it('opens the embedded database with small shared buffers (≈200 MB, not ≈1 GB, resident)', async () => {
    const database = await freshDatabase();
    try {
      const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(database.db);
      if (database.kind === 'pglite') expect(rows[0].shared_buffers).toBe('16MB');
      else expect(rows[0].shared_buffers).toBeTruthy();
    } finally {
      await database.close();
    }
  });
});
