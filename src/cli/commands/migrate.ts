import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config.ts';
import { migrationState } from '../../db/migrate.ts';
import { openConfigured, prepare } from '../open.ts';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations and seed the built-in roles')
    .action(async () => {
      const config = loadConfig();
      // Opening a new embedded database creates it with every migration applied (src/db/data-dir.ts):
      // by the time it is asked, nothing is pending.
      const created = !config.databaseUrl && !existsSync(join(config.dataDir, 'pg', 'PG_VERSION'));
      const database = await openConfigured(config);
      try {
        const before = await migrationState(database.db);
        await prepare(database, config);
        const applied = before.pending;
        if (created) console.log(`Created the database in ${config.dataDir} with its ${before.applied.length} migrations applied.`);
        else console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'The database is up to date.');
      } finally {
        await database.close();
      }
    });
}
