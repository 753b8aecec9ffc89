import { PGlite } from '@electric-sql/pglite';
import { Command } from 'commander';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { loadConfig } from '../../config.ts';
import { extractImage, fileTimestamp, openImage } from '../../db/backup.ts';
import { lockDataDir } from '../../db/data-dir.ts';
import { openDatabase } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { CliError } from '../open.ts';

export function restoreCommand(): Command {
  return new Command('restore')
    .description('Restore a backup of the embedded database (GET /api/v1/admin/backup) into the data directory, while no hub runs on it')
    .argument('<file>', 'the backup, coursebridge-<time>.tar.gz')
    .option('--replace', 'move the database already there aside (to pg.before-restore-<time>) instead of refusing')
    .action(async (file: string, options: { replace?: boolean }) => {
      const config = loadConfig();
      if (config.databaseUrl) throw new CliError('DATABASE_URL is set: this restores the embedded database; restore PostgreSQL with pg_restore.');
      const image = await openBackup(file);
      try {
        const release = lockDataDir(config.dataDir);
        try {
          await restore(config.dataDir, { file, image }, options.replace ?? false);
        } finally {
          release();
        }
      } finally {
        image.destroy(); // read to its end, or refused: the file is closed either way
      }
      if (!config.secretsKey && !existsSync(join(config.dataDir, 'secrets.key')))
        console.log(
          `Put the secrets.key kept with this backup in ${config.dataDir} (or set COURSEBRIDGE_SECRETS_KEY) before starting the hub: ` +
            'without it the saved SIS credentials and webhook keys cannot be opened.',
        );
    });
}

/** The backup as a stream once its start shows it is one; the rest is read as it is unpacked. */
async function openBackup(file: string): Promise<Readable> {
  let image: Readable | null;
  try {
    image = await openImage(file);
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  if (!image) throw new CliError(`${file} is not a Coursebridge backup (a gzip'd tar of the embedded database, from GET /api/v1/admin/backup).`);
  return image;
}

async function restore(dataDir: string, { file, image }: { file: string; image: Readable }, replace: boolean): Promise<void> {
  const pgDir = join(dataDir, 'pg');
  let asideDir: string | null = null;
  if (existsSync(pgDir) && readdirSync(pgDir).length > 0) {
    if (!replace) throw new CliError(`${dataDir} already holds a database: pass --replace to move it aside and restore in its place.`);
    asideDir = join(dataDir, `pg.before-restore-${fileTimestamp(new Date())}`);
    renameSync(pgDir, asideDir);
  }
  try {
    try {
      await extractImage(image, pgDir);
    } catch (error) {
      throw new CliError(`${file} is damaged or cut short (${(error as Error).message}): nothing was restored.`);
    }
    // Without the hub's parsers, as src/db/initdb-child.ts migrates a new database: counts are cast.
    const database = await openDatabase({ pglite: await PGlite.create({ dataDir: pgDir }) });
    try {
      await migrateToLatest(database.db);
      const count = async (table: 'terms' | 'sections' | 'users') =>
        (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database.db)).rows[0].n;
      console.log(`Restored ${await count('terms')} terms, ${await count('sections')} sections and ${await count('users')} users into ${pgDir}.`);
    } finally {
      await database.close();
      await database.pglite!.close();
    }
  } catch (error) {
    // The half-restored copy is this command's own; what was there before goes back where it was.
    rmSync(pgDir, { recursive: true, force: true });
    if (asideDir) renameSync(asideDir, pgDir);
    throw error;
  }
  if (asideDir) console.log(`The database that was there is kept in ${asideDir}.`);
}
