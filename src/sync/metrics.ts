// Prometheus metrics (GET /metrics): one registry per runtime, so several hubs in one process
// (tests) never collide. Gauges are read from the database when scraped.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DB } from '../db/schema.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { shownSectionCounts } from './integration-view.ts';

export class Metrics {
  readonly registry = new Registry();
  readonly pushLatency: Histogram<'type'>;
  readonly pushes: Counter<'type' | 'outcome'>;
  readonly failures: Counter<'type' | 'code'>;
  readonly mergeDuration: Histogram<'trigger' | 'status'>;
  readonly merges: Counter<'trigger' | 'status'>;

  constructor(db: Kysely<DB>, queue: JobQueue) {
    const registers = [this.registry];
    this.pushLatency = new Histogram({
      name: 'coursebridge_push_latency_seconds',
      help: 'From the save (or the first save not yet in the SIS) to the SIS acknowledging the post',
      labelNames: ['type'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.pushes = new Counter({ name: 'coursebridge_pushes_total', help: 'Posts to the SIS by outcome', labelNames: ['type', 'outcome'], registers });
    this.failures = new Counter({
      name: 'coursebridge_push_failures_total',
      help: 'Failed posts to the SIS by SIS error code (transient ones are retried)',
      labelNames: ['type', 'code'],
      registers,
    });
    this.mergeDuration = new Histogram({
      name: 'coursebridge_merge_duration_seconds',
      help: 'Merge run durations',
      labelNames: ['trigger', 'status'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.merges = new Counter({ name: 'coursebridge_merges_total', help: 'Merge runs finished, by trigger and status', labelNames: ['trigger', 'status'], registers });
    new Gauge({
      name: 'coursebridge_queue_depth',
      help: 'Jobs waiting per queue (pg-boss statistics)',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const [name, n] of Object.entries(await queue.depth().catch(() => ({})))) this.set({ queue: name }, n);
      },
    });
    new Gauge({
      name: 'coursebridge_outbox_pending',
      help: 'Records waiting to be posted (integration status pending)',
      labelNames: ['type'],
      registers,
      async collect() {
        this.reset();
        const rows = await db
          .selectFrom('integration_status')
          .select(['entity_type', sql<number>`count(*)::int`.as('n')])
          .where('status', '=', 'pending')
          .groupBy('entity_type')
          .execute();
        for (const r of rows) this.set({ type: r.entity_type }, r.n);
      },
    });
    new Gauge({
      name: 'coursebridge_sections_by_integration_status',
      help: 'Sections (not deleted) by integration status, in terms where sync (real-time or nightly) is on for sections',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries(await shownSectionCounts(db))) this.set({ status }, n);
      },
    });
  }
}
