// What runs beside the HTTP API: the job queue with its workers, the SIS connection, and the
// nightly schedule. One process in embedded mode; on PostgreSQL any number of identical ones.
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/database.ts';
import { startJobQueue, type JobQueue } from './jobs/queue.ts';
import type { ConnectorSettingsInput } from './sis/settings.ts';
import { SisConnections } from './sync/connection.ts';
import { executeRun } from './sync/merge-runner.ts';
import { nightlyTick } from './sync/nightly.ts';
import { failInterruptedRuns, MERGE_QUEUE } from './sync/runs.ts';

export interface RuntimeOptions {
  database: Database;
  clock?: () => Date;
  logger?: FastifyBaseLogger;
  /** A SIS fixed by the environment or the demo SIS; otherwise the one saved by an admin. */
  sis?: { settings: ConnectorSettingsInput; source: 'environment' | 'demo' } | null;
  /** Run job workers and the nightly schedule in this process (default true). */
  workers?: boolean;
  /** How often the nightly schedule is checked; tests tick it by hand instead (0). */
  nightlyCheckMs?: number;
}

export interface Runtime {
  database: Database;
  queue: JobQueue;
  connections: SisConnections;
  clock: () => Date;
  /** Checks the nightly schedule now (what the timer does). */
  tickNightly(now?: Date): ReturnType<typeof nightlyTick>;
  stop(): Promise<void>;
}

/** How long a run may go without a heartbeat before another process calls it interrupted. */
const STALE_RUN_MS = 10 * 60_000;

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { database } = options;
  const db = database.db;
  const clock = options.clock ?? (() => new Date());
  const queue = await startJobQueue(database, options.logger);
  await queue.define(MERGE_QUEUE, { retryLimit: 0, expireInSeconds: 6 * 3600 });
  const connections = new SisConnections(db, options.sis ?? null);

  // Embedded mode is one process: anything still running belonged to a process that died.
  const staleBefore = database.kind === 'pglite' ? new Date('9999-12-31T00:00:00Z') : new Date(clock().getTime() - STALE_RUN_MS);
  const interrupted = await failInterruptedRuns(db, staleBefore);
  if (interrupted.length) options.logger?.warn({ runs: interrupted }, 'marked interrupted merge runs as failed');

  const workers = options.workers ?? true;
  if (workers)
    await queue.work<{ runId: string }>(MERGE_QUEUE, { pollingIntervalSeconds: 0.5 }, async (job) => {
      await executeRun({ db, connections }, job.data.runId);
    });

  const tickNightly = (now = clock()) => nightlyTick(db, queue, now);
  const interval = options.nightlyCheckMs ?? 30_000;
  const timer =
    workers && interval > 0
      ? setInterval(() => tickNightly().catch((err: unknown) => options.logger?.error({ err }, 'nightly check failed')), interval)
      : null;
  if (workers && interval > 0) await tickNightly().catch((err: unknown) => options.logger?.error({ err }, 'nightly check failed'));

  return {
    database,
    queue,
    connections,
    clock,
    tickNightly,
    async stop() {
      if (timer) clearInterval(timer);
      await queue.stop();
    },
  };
}
