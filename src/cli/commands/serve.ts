import { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../../config.ts';
import { buildApp } from '../../http/app.ts';
import { openConfigured, prepare } from '../open.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the hub: HTTP API and web app, on the embedded database or DATABASE_URL')
    .action(async () => {
      const config = loadConfig();
      const logger = pino({ level: config.logLevel });
      const database = await openConfigured(config);
      const created = await prepare(database, config);
      if (created.adminEmail) {
        const password = created.generatedPassword ?? '(from COURSEBRIDGE_ADMIN_PASSWORD)';
        process.stdout.write(
          `\nFirst start: created the administrator ${created.adminEmail}\n  password: ${password}\n` +
            '  This is shown once. Sign in and keep it somewhere safe.\n\n',
        );
      }
      const app = await buildApp({ database, logger, secureCookies: config.secureCookies });
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        await app.close();
        await database.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      const address = await app.listen({ port: config.port, host: config.host });
      logger.info({ address, database: database.kind }, `Coursebridge is listening on ${address} (API docs at ${address}/api/docs)`);
    });
}
