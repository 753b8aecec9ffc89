// The push engine's own types (src/sync/push.ts): what a post ends in, what asks for one, and what
// the engine runs on. Apart from the engine so that its pieces (push-*.ts) share them without
// importing it.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { RetryPolicy } from '../domain/integration-status.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { SisConnections } from './connection.ts';
import type { Metrics } from './metrics.ts';

export type PushOutcome =
  | 'posted'
  | 'in_sync'
  | 'removed'
  | 'paused'
  | 'not_enabled'
  | 'integration_disabled'
  | 'waiting_for_sections'
  | 'awaiting_sis_key'
  | 'retrying'
  | 'failed'
  | 'busy'
  | 'gone';

export interface PushOptions {
  runId?: string;
  /** Send Updates posts for terms enabled for nightly too; a real-time job only where real-time is on. */
  trigger: 'real_time' | 'nightly' | 'manual';
}

export interface PushDeps {
  db: Kysely<DB>;
  queue: JobQueue;
  connections: SisConnections;
  clock: () => Date;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger | { child(bindings: object): Logger };
  metrics?: Metrics;
  /** How long a claim on a record lasts without renewal (renewed while posting). */
  leaseMs?: number;
}
