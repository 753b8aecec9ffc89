// Opening the configured database for a CLI command, migrated and with the seeded roles.
import { bootstrap } from '../auth/bootstrap.ts';
import type { Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';

export async function openConfigured(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
}

/** Migrates and seeds; answers what bootstrap created (the first admin, once). */
export async function prepare(database: Database, config: Config) {
  await migrateToLatest(database.db);
  return bootstrap(database.db, { adminEmail: config.adminEmail, adminPassword: config.adminPassword });
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
