// The durable job queue: pg-boss on both databases (fromPglite embedded, its own pool on
// PostgreSQL). Jobs are enqueued inside the transaction that made them necessary: on PGlite an
// enqueue outside it would deadlock against the transaction's lock, and on PostgreSQL it would
// silently escape the rollback — so `enqueue` takes the transaction as a required argument.
import { fromKysely, fromPglite, PgBoss, type Job, type Queue, type SendOptions, type WorkOptions } from 'pg-boss';
import type { Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';

export interface JobQueue {
  /** Creates the queue if missing (idempotent). */
  define(name: string, options?: Omit<Queue, 'name'>): Promise<void>;
  enqueue(trx: Transaction<DB>, name: string, data: object, options?: SendOptions): Promise<string | null>;
  work<T>(name: string, options: WorkOptions, handler: (job: Job<T>) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startJobQueue(database: Database, logger?: FastifyBaseLogger): Promise<JobQueue> {
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ db: fromPglite(database.pglite!), schema: 'pgboss' })
      : new PgBoss({ connectionString: database.databaseUrl!, schema: 'pgboss', max: 4 });
  boss.on('error', (error) => logger?.error({ err: error }, 'job queue error'));
  await boss.start();
  return {
    async define(name, options = {}) {
      await boss.createQueue(name, options);
    },
    enqueue: (trx, name, data, options = {}) => boss.send(name, data, { ...options, db: fromKysely(trx) }),
    async work<T>(name: string, options: WorkOptions, handler: (job: Job<T>) => Promise<void>) {
      await boss.work<T>(name, { ...options, batchSize: 1 }, async ([job]) => handler(job));
    },
    stop: () => boss.stop({ graceful: true, close: true, timeout: 10_000 }),
  };
}
