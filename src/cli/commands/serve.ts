import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { startSisSim } from '../../../sis-sim/server.ts';
import { loadConfig, type Config } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { buildApp } from '../../http/app.ts';
import { startRuntime } from '../../runtime.ts';
import { CliError, environmentSis, openConfigured, prepare, secretBoxFor } from '../open.ts';
import { closeHttp, shutDown, type ShutdownStep } from '../shutdown.ts';

/** How long requests in flight may finish when the hub stops, before their connections are cut. */
const HTTP_DRAIN_MS = 10_000;
/** The whole shutdown, inside systemd's default 90 s before SIGKILL; job workers take up to 20 s. */
const SHUTDOWN_DEADLINE_MS = 60_000;

/** Sections per term of the demo SIS's synthetic institution (three terms). */
const DEMO_SECTIONS = 400;

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the hub: HTTP API, web app, job workers and the nightly schedule')
    .option('--workers-only', 'run job workers and the nightly schedule without serving HTTP (PostgreSQL)')
    .action(async (options: { workersOnly?: boolean }) => {
      const config = loadConfig();
      const logger = pino({ level: config.logLevel });
      const database = await openConfigured(config);
      await prepare(database, config);
      const { sis, demo } = await sisFor(config, logger, database);
      const runtime = await startRuntime({
        database,
        logger,
        sis,
        secrets: secretBoxFor(config),
        workers: config.workers || options.workersOnly === true,
        smtp: config.smtp,
        webhooks: config.webhooks,
        pushConcurrency: config.push.concurrency,
        pushLeaseMs: config.push.leaseMs,
        pushSweepMs: config.push.sweepMs,
        sessions: { idleMinutes: config.sessionIdleMinutes },
      });
      const app = options.workersOnly
        ? null
        : await buildApp({
            database,
            runtime,
            logger,
            secureCookies: config.secureCookies,
            trustProxy: config.trustProxy,
            metricsToken: config.metricsToken,
            sessions: { idleMinutes: config.sessionIdleMinutes },
          });
      const steps: ShutdownStep[] = [
        ...(app ? [{ name: 'HTTP requests', stop: () => closeHttp(app, HTTP_DRAIN_MS, logger) }] : []),
        { name: 'job workers', stop: () => runtime.stop() },
        ...(demo ? [{ name: 'the demo SIS', stop: () => demo.close() }] : []),
        { name: 'the database', stop: () => database.close() },
      ];
      const close = () => shutDown(steps, SHUTDOWN_DEADLINE_MS, logger);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        process.exit((await close()) ? 0 : 1);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      if (!app) {
        logger.info({ database: database.kind }, 'Coursebridge workers are running');
        return;
      }
      const address = await app.listen({ port: config.port, host: config.host }).catch(async (error: unknown) => {
        const why = LISTEN_ERRORS[(error as NodeJS.ErrnoException).code ?? ''];
        if (!why) throw error;
        await close();
        throw new CliError(why(config.host, config.port));
      });
      logger.info({ address, database: database.kind }, `Coursebridge is listening on ${address} (API docs at ${address}/api/docs)`);
    });
}

/** What a failed listen means for whoever set HOST and PORT, by its error code. */
const LISTEN_ERRORS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (host, port) => `Port ${port} on ${host} is in use: stop that process or set PORT.`,
  EACCES: (host, port) => `Port ${port} on ${host} needs privileges this process lacks: set PORT to 1024 or above, or put a proxy in front.`,
  EADDRNOTAVAIL: (host) => `HOST ${host} is not an address of this machine: set HOST to one of its addresses (0.0.0.0 for all).`,
};

/** The SIS named by the environment, or a demo SIS (a synthetic institution) started alongside. */
async function sisFor(config: Config, logger: pino.Logger, database: Database) {
  const settings = environmentSis(config);
  if (settings) return { sis: { settings, source: 'environment' as const }, demo: null };
  // The demo runs in-process, so only where one process serves (embedded), and never over a saved connection.
  const saved = await database.db.selectFrom('sis_connection').select('id').executeTakeFirst();
  if (!config.demoSis || config.databaseUrl || saved) return { sis: null, demo: null };
  const apiKey = randomBytes(16).toString('hex');
  const demo = await startSisSim({
    dialect: 'ethos',
    port: 0,
    host: '127.0.0.1',
    apiKey,
    seed: `synthetic:${DEMO_SECTIONS}`,
    dataDir: join(config.dataDir, 'demo-sis'),
  });
  logger.info({ url: demo.url }, 'No SIS configured: started the demo SIS (Ethos dialect, a synthetic institution). Import it with Execute Merge.');
  return { sis: { settings: { kind: 'ethos' as const, baseUrl: demo.url, apiKey }, source: 'demo' as const }, demo };
}
