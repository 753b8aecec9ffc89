// The durable job queue: pg-boss on both databases (fromPglite embedded, its own pool on
// PostgreSQL). Jobs are enqueued inside the transaction that made them necessary: on PGlite an
// enqueue outside it would deadlock against the transaction's lock, and on PostgreSQL it would
// silently escape the rollback — so `enqueue` takes the transaction as a required argument.
import { fromKysely, fromPglite, PgBoss, type Job, type Queue, type SendOptions, type WorkOptions } from 'pg-boss';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import { JobPool } from './job-pool.ts';

export interface JobQueue {
  /** Creates the queue if missing (idempotent). */
  define(name: string, options?: Omit<Queue, 'name'>): Promise<void>;
  enqueue(trx: Transaction<DB>, name: string, data: object, options?: SendOptions): Promise<string | null>;
  work<T>(name: string, options: WorkOptions, handler: (job: Job<T>) => Promise<void>): Promise<void>;
  /**
   * Keeps up to `concurrency` jobs in flight from one fetch loop, settling each as its handler
   * ends (a handler that throws fails only its job): see src/jobs/job-pool.ts.
   */
  workPool<T>(name: string, options: { concurrency: number; pollingIntervalSeconds: number }, handler: (job: Job<T>) => Promise<void>): Promise<void>;
  /** Wakes this process's workers of a queue now instead of at their next poll (after a commit). */
  wake(name: string): void;
  /** Jobs waiting (created or retry) per queue. */
  depth(): Promise<Record<string, number>>;
  /**
   * Embedded mode only (one process): jobs still marked active belonged to a process that died;
   * fails them so their keys are free again (the caller re-enqueues what they carried).
   */
  failOrphaned(name: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * SQL for a query's `where`: a job of queue `name` whose data field `key` equals `value` is still
 * waiting or running. Read from pg-boss's own table, so a caller can ask it of many rows at once.
 */
export function liveJobWith(name: string, key: string, value: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from pgboss.job j where j.name = ${name} and j.data->>${key} = ${value} and j.state in ('created', 'retry', 'active'))`;
}

export async function startJobQueue(database: Database, logger?: FastifyBaseLogger): Promise<JobQueue> {
  // On PGlite, pg-boss keeps PGlite's own query path, not the hub's prepared statements
  // (src/db/pglite-statements.ts). It writes values into its SQL; when a fetch's LIMIT was the
  // worker's free slots its texts kept changing, and preparing them cost more than it saved (the
  // push bench's backlog drained at 135 posts/s instead of 236). A pool's fixed batch
  // (src/jobs/job-pool.ts) keeps a queue's fetch and completion texts the same, yet prepared
  // they still lost in an A/B run (backlog 144 against 308 posts/s, end to end 101 against 105).
  // The likely cause: a prepared fetch keeps a plan made once, perhaps while the queue was short,
  // where PGlite's own path plans each fetch for the queue as it is.
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ db: fromPglite(database.pglite!), schema: 'pgboss' })
      : new PgBoss({ connectionString: database.databaseUrl!, schema: 'pgboss', max: 10 });
  boss.on('error', (error) => logger?.error({ err: error }, 'job queue error'));
  await boss.start();
  const workers = new Map<string, string[]>();
  const pools = new Map<string, JobPool<never>[]>();
  return {
    async define(name, options = {}) {
      await boss.createQueue(name, options);
    },
    enqueue: (trx, name, data, options = {}) => boss.send(name, data, { ...options, db: fromKysely(trx) }),
    async work<T>(name: string, options: WorkOptions, handler: (job: Job<T>) => Promise<void>) {
      const id = await boss.work<T>(name, { ...options, batchSize: 1 }, async ([job]) => handler(job));
      workers.set(name, [...(workers.get(name) ?? []), id]);
    },
    async workPool<T>(name: string, options: { concurrency: number; pollingIntervalSeconds: number }, handler: (job: Job<T>) => Promise<void>) {
      const heartbeatSeconds = (await boss.getQueue(name))?.heartbeatSeconds ?? undefined;
      const onError = (error: unknown) => logger?.error({ err: error, queue: name }, 'job queue error');
      pools.set(name, [...(pools.get(name) ?? []), new JobPool<T>(boss, name, { ...options, heartbeatSeconds, onError }, handler)]);
    },
    wake(name) {
      for (const id of workers.get(name) ?? []) boss.notifyWorker(id);
      for (const pool of pools.get(name) ?? []) pool.notify();
    },
    async failOrphaned(name) {
      const result = await sql`update pgboss.job set state = 'failed' where name = ${name} and state = 'active'`.execute(database.db);
      return Number(result.numAffectedRows ?? 0);
    },
    async depth() {
      const queues = await boss.getQueues();
      return Object.fromEntries(queues.map((q) => [q.name, (q as { queuedCount?: number }).queuedCount ?? 0]));
    },
    async stop() {
      await Promise.all([...pools.values()].flat().map((pool) => pool.stop(10_000)));
      await boss.stop({ graceful: true, close: true, timeout: 10_000 });
    },
  };
}
