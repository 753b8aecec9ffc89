// A fresh, migrated database for one test file, on whichever backend this run targets.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';

export async function freshDatabase(): Promise<Database> {
  const postgresTemplate = inject('postgresTemplate');
  if (postgresTemplate) {
    const databaseUrl = process.env.DATABASE_URL!;
    const name = `cb_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${postgresTemplate}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    const database = await openDatabase({ databaseUrl: url.toString() });
    return {
      ...database,
      async close() {
        await database.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'cb-test-'));
  cpSync(inject('pgliteTemplate'), dir, { recursive: true });
  const database = await openDatabase({ dataDir: dir });
  return {
    ...database,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
