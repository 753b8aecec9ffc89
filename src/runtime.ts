// What runs beside the HTTP API: the job queue with its workers, the SIS connection, and the
// nightly schedule (and, on PGlite, the vacuum sweep). One process in embedded mode; on PostgreSQL
// any number of identical ones.
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/database.ts';
import { SecretBox, SECRETS_KEY_VARIABLE, type StoredSecrets } from './auth/secret-box.ts';
import { deleteEndedSessions, sessionPolicy, type SessionPolicy } from './auth/sessions.ts';
import { vacuumDue } from './db/vacuum.ts';
import { startJobQueue, type JobQueue } from './jobs/queue.ts';
import type { ConnectorSettingsInput } from './sis/settings.ts';
import { SisConnections } from './sync/connection.ts';
import { executeRun } from './sync/merge-runner.ts';
import { nightlyTick } from './sync/nightly.ts';
import { failInterruptedRuns, getRun, keepRunAlive, MERGE_QUEUE, STALE_RUN_MS } from './sync/runs.ts';
import type { Logger } from 'pino';
import type { RetryPolicy } from './domain/integration-status.ts';
import { Metrics } from './sync/metrics.ts';
import { sealWebhookSecrets } from './sync/notification-subscriptions.ts';
import { Notifier, type SmtpSettings } from './sync/notify.ts';
import { createOutbox, PUSH_QUEUES } from './sync/outbox.ts';
import { PushEngine } from './sync/push.ts';
import { sendUpdates } from './sync/send-updates.ts';
import type { WebhookPolicy } from './sync/webhook-target.ts';
import type { SaveHooks } from './store/save-hooks.ts';

export interface RuntimeOptions {
  database: Database;
  clock?: () => Date;
  logger?: FastifyBaseLogger;
  /** A SIS fixed by the environment (it wins over one an admin saved), or the demo SIS (one an admin saved wins over it). */
  sis?: { settings: ConnectorSettingsInput; source: 'environment' | 'demo' } | null;
  /** Encrypts the secrets the hub stores (default: no key, so none can be saved; src/cli/open.ts gives the configured one). */
  secrets?: SecretBox;
  /** Run job workers and the nightly schedule in this process (default true). */
  workers?: boolean;
  /** How often the nightly schedule is checked; tests tick it by hand instead (0). */
  nightlyCheckMs?: number;
  /** Push retry backoff (tests shorten it). */
  pushRetry?: Partial<RetryPolicy>;
  /** Jitter source for retries (tests pass a seeded one). */
  random?: () => number;
  /** How long a worker's claim on a record lasts unless renewed (default 30 s). */
  pushLeaseMs?: number;
  /** Concurrent posts per process (default 32). */
  pushConcurrency?: number;
  /** How often pending posts are swept back into the queue (default 15 s; 0 = only by hand). */
  pushSweepMs?: number;
  /** SMTP for notification emails; none sends no email (webhooks still go). */
  smtp?: SmtpSettings | null;
  /** Where notification webhooks may go beyond public https addresses (default: nowhere else). */
  webhooks?: WebhookPolicy;
  /** How often PGlite's tables are checked for a vacuum (default 60 s; 0 = never; PostgreSQL vacuums on its own). */
  vacuumCheckMs?: number;
  /** How often new posting errors are sent to subscribers as a digest (default 60 s; 0 = only by hand). */
  errorDigestMs?: number;
  /** How often runs whose process died are looked for (default 60 s; 0 = only at start and by hand). */
  interruptedRunCheckMs?: number;
  /** The session idle limit, and the clock sessions are measured by (as the HTTP app's). */
  sessions?: Partial<SessionPolicy>;
  /** How often sessions that ended (idle or expired) are deleted (default 15 min; 0 = only by hand). */
  sessionCleanupMs?: number;
}

export interface Runtime {
  database: Database;
  queue: JobQueue;
  connections: SisConnections;
  /** What the secrets the hub stores are encrypted with (routes save webhook keys with it). */
  secrets: SecretBox;
  clock: () => Date;
  push: PushEngine;
  /** The outbox: the store's save hooks (routes pass them to every section/relationship save). */
  saveHooks: SaveHooks & { committed(): void };
  metrics: Metrics;
  notifier: Notifier;
  /** Merge settings changed (maintenance lifted, a term enabled): release what waits. */
  settingsChanged(): Promise<void>;
  /** A run's Send Updates (its last step, after the pull): posts what is pending for its terms; answers the totals. */
  sendUpdates(terms: string[], runId: string): Promise<{ posted: number; failed: number }>;
  /** Checks the nightly schedule now (what the timer does). */
  tickNightly(now?: Date): ReturnType<typeof nightlyTick>;
  /**
   * Marks runs whose process died as failed, so they can run again (what the timer does); answers
   * their ids. `now` stands in for the database's clock, which heartbeats are written by.
   */
  failInterruptedRuns(now?: Date): Promise<string[]>;
  /** Deletes the sessions that ended by `now` (default: the sessions' clock), what the timer does; answers how many. */
  deleteEndedSessions(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { database } = options;
  const db = database.db;
  const clock = options.clock ?? (() => new Date());
  const queue = await startJobQueue(database, options.logger);
  await queue.define(MERGE_QUEUE, { retryLimit: 0, expireInSeconds: 6 * 3600 });
  // One queued and one active job per record (stately, keyed by record id). Retries of SIS
  // failures are scheduled by the push engine (backoff with jitter, Retry-After); the queue's own
  // retries only cover a worker that died or a record another worker held.
  for (const name of Object.values(PUSH_QUEUES))
    await queue.define(name, {
      policy: 'stately',
      retryLimit: 1000,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 30,
      expireInSeconds: 15 * 60,
      ...(database.kind === 'postgres' && { heartbeatSeconds: 10 }),
    });
  const secrets = options.secrets ?? new SecretBox(null);
  const connections = new SisConnections(db, secrets, options.sis ?? null);
  const logger = options.logger as Logger | undefined;
  logStoredSecrets([await connections.sealStored(), await sealWebhookSecrets(db, secrets)], secrets, logger);
  const metrics = new Metrics(db, queue);
  const push = new PushEngine({
    db,
    queue,
    connections,
    clock,
    random: options.random,
    retry: options.pushRetry,
    logger,
    metrics,
    leaseMs: options.pushLeaseMs,
  });
  const saveHooks = createOutbox({ queue, clock });
  const notifier = new Notifier(db, options.smtp ?? null, clock, logger, options.webhooks ?? { allowLoopback: false }, secrets);

  // Embedded mode is one process: a merge job still active belonged to a process that died (its
  // run is failed below), and anything still running belonged to it too.
  if (database.kind === 'pglite') await queue.failOrphaned(MERGE_QUEUE);
  const failInterrupted = async (staleBefore: Date | null) => {
    const interrupted = await failInterruptedRuns(db, staleBefore);
    if (interrupted.length) options.logger?.warn({ runs: interrupted }, 'marked interrupted merge runs as failed');
    return interrupted;
  };
  await failInterrupted(database.kind === 'pglite' ? new Date('9999-12-31T00:00:00Z') : null);

  const workers = options.workers ?? true;
  if (database.kind === 'pglite' && workers) {
    // Embedded mode is one process: posts in flight when it stopped belonged to a dead process.
    await push.releaseAllLeases();
    for (const name of Object.values(PUSH_QUEUES)) await queue.failOrphaned(name);
  }
  const sendUpdatesOfRun = async (terms: string[], runId: string) => {
    const run = await getRun(db, runId);
    // A push batch (`coursebridge push`) is a run of its own: its heartbeat says it is alive too.
    const release = keepRunAlive(db, runId);
    try {
      return await sendUpdates({ db, connections, clock }, push, terms, runId, run.trigger === 'nightly' ? 'nightly' : 'manual');
    } finally {
      release();
    }
  };
  if (workers) {
    await queue.work<{ runId: string }>(MERGE_QUEUE, { pollingIntervalSeconds: 0.5 }, async (job) => {
      const started = performance.now();
      let totals = { posted: 0, failed: 0 };
      const sendAndCount = async (terms: string[], runId: string) => {
        totals = await sendUpdatesOfRun(terms, runId);
      };
      await executeRun({ db, connections, sendUpdates: sendAndCount, logger }, job.data.runId);
      const run = await getRun(db, job.data.runId);
      metrics.merges.inc({ trigger: run.trigger, status: run.status });
      metrics.mergeDuration.observe({ trigger: run.trigger, status: run.status }, (performance.now() - started) / 1000);
      if (run.trigger === 'nightly')
        await notifier.runFinished(await notifier.summary(run.id, totals)).catch((err: unknown) => options.logger?.error({ err }, 'notifications failed'));
    });
    // One fetch loop per queue keeps up to `concurrency` posts in flight (src/jobs/job-pool.ts).
    const concurrency = options.pushConcurrency ?? 32;
    for (const type of ['section', 'relationship'] as const)
      await queue.workPool<{ id: string }>(PUSH_QUEUES[type], { concurrency, pollingIntervalSeconds: 0.5 }, async (job) => {
        await push.push(type, job.data.id, { trigger: 'real_time', runId: job.id });
      });
  }
  const sweepMs = options.pushSweepMs ?? 15_000;
  const sweeper =
    workers && sweepMs > 0
      ? setInterval(() => push.sweep().catch((err: unknown) => options.logger?.error({ err }, 'push sweep failed')), sweepMs)
      : null;
  if (workers) await push.sweep().catch((err: unknown) => options.logger?.error({ err }, 'push sweep failed'));

  const digestMs = options.errorDigestMs ?? 60_000;
  const digest =
    workers && digestMs > 0
      ? setInterval(() => notifier.errorDigest().catch((err: unknown) => options.logger?.error({ err }, 'error digest failed')), digestMs)
      : null;

  // PGlite never autovacuums (src/db/vacuum.ts): the hub does it, one sweep at a time.
  const vacuumMs = database.kind === 'pglite' ? (options.vacuumCheckMs ?? 60_000) : 0;
  let vacuuming: Promise<void> | null = null;
  const sweepVacuum = () => {
    vacuuming ??= vacuumDue(db)
      .then((done) => done.forEach((v) => options.logger?.info(v, 'vacuum sweep')))
      .catch((err: unknown) => options.logger?.error({ err }, 'vacuum failed'))
      .finally(() => (vacuuming = null));
  };
  const vacuumTimer = workers && vacuumMs > 0 ? setInterval(sweepVacuum, vacuumMs) : null;

  // Every worker process looks: on PostgreSQL the one whose run died may never come back.
  const interruptedMs = options.interruptedRunCheckMs ?? 60_000;
  const interruptedTimer =
    workers && interruptedMs > 0
      ? setInterval(() => failInterrupted(null).catch((err: unknown) => options.logger?.error({ err }, 'interrupted run check failed')), interruptedMs)
      : null;

  // Ended sessions no longer work (src/auth/actor.ts); deleting them keeps the table from growing.
  const sessions = sessionPolicy(options.sessions);
  const sessionCleanupMs = options.sessionCleanupMs ?? 15 * 60_000;
  const deleteSessions = (now?: Date) => deleteEndedSessions(db, sessions, now);
  const sessionTimer =
    workers && sessionCleanupMs > 0
      ? setInterval(() => deleteSessions().catch((err: unknown) => options.logger?.error({ err }, 'session cleanup failed')), sessionCleanupMs)
      : null;

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
    secrets,
    clock,
    push,
    saveHooks,
    metrics,
    notifier,
    async settingsChanged() {
      await push.sweep();
    },
    sendUpdates: sendUpdatesOfRun,
    tickNightly,
    failInterruptedRuns: (now?: Date) => failInterrupted(now ? new Date(now.getTime() - STALE_RUN_MS) : null),
    deleteEndedSessions: deleteSessions,
    async stop() {
      if (timer) clearInterval(timer);
      if (interruptedTimer) clearInterval(interruptedTimer);
      if (sessionTimer) clearInterval(sessionTimer);
      if (sweeper) clearInterval(sweeper);
      if (digest) clearInterval(digest);
      if (vacuumTimer) clearInterval(vacuumTimer);
      await vacuuming;
      await queue.stop();
      await connections.close();
    },
  };
}

/** Says at start what became of the secrets stored before: encrypted now, still in plain text (no key), or unreadable. */
function logStoredSecrets(tables: StoredSecrets[], box: SecretBox, logger: Logger | undefined): void {
  const total = (outcome: keyof StoredSecrets) => tables.reduce((sum, found) => sum + found[outcome], 0);
  if (total('encrypted')) logger?.info({ secrets: total('encrypted') }, 'sealed the secrets stored in plain text or by an earlier version (enc:v1) for where they are stored');
  if (total('plain'))
    logger?.warn({ secrets: total('plain') }, `${total('plain')} stored secrets are in plain text: set ${SECRETS_KEY_VARIABLE} to encrypt them (the hub does at its next start)`);
  if (total('unreadable')) {
    const why = box.canSeal ? `do not open with ${box.keySource}` : `are encrypted, and ${SECRETS_KEY_VARIABLE} is not set`;
    logger?.error(
      { secrets: total('unreadable') },
      `${total('unreadable')} stored secrets ${why}: set ${SECRETS_KEY_VARIABLE} to the key they were stored with, or save them again (a secret also stops opening when its row is changed or copied outside the hub)`,
    );
  }
}
