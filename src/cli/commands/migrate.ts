import { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { migrationState } from '../../db/migrate.ts';
import { openConfigured, prepare } from '../open.ts';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations and seed the built-in roles')
    .action(async () => {
      const config = loadConfig();
      const database = await openConfigured(config);
      try {
        const before = await migrationState(database.db);
        await prepare(database, config);
        const applied = before.pending;
        console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'The database is up to date.');
      } finally {
        await database.close();
      }
    });
}
