// What a post leaves in its record's integration status: the status transitions a push makes, the
// push metrics, and the retry that a failure (or a key the SIS has not assigned yet) schedules.
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy, type StatusEvent } from '../domain/integration-status.ts';
import { applyStatusEvent, type PostedType } from './integration-store.ts';
import { PUSH_QUEUES } from './outbox.ts';
import { messagesOf } from './push-errors.ts';
import type { PushDeps, PushOutcome } from './push-types.ts';

export class StatusWriter {
  readonly #deps: PushDeps;
  readonly #policy: RetryPolicy;
  readonly #random: () => number;

  constructor(deps: PushDeps) {
    this.#deps = deps;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
    this.#random = deps.random ?? Math.random;
  }

  async write(type: PostedType, id: string, termId: string | null, hasKey: boolean, event: StatusEvent, trx?: Transaction<DB>) {
    const run = (t: Transaction<DB>) => applyStatusEvent(t, type, id, termId, hasKey, event);
    return trx ? run(trx) : this.#deps.db.transaction().execute(run);
  }

  /** PeopleSoft: the class exists but its CLASS_NBR is not published yet; look again later. */
  async awaitingKey(id: string, termId: string, version: number, log: Logger | null): Promise<PushOutcome> {
    const now = this.#deps.clock();
    await this.#deps.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('integration_status').select('attempts').where('entity_type', '=', 'section').where('entity_id', '=', id).executeTakeFirst();
      const delay = retryDelayMs((current?.attempts ?? 0) + 1, undefined, this.#policy, this.#random);
      const retryAt = new Date(now.getTime() + delay);
      await applyStatusEvent(trx, 'section', id, termId, false, { kind: 'awaiting_sis_key', at: now, retryAt, version });
      await this.#deps.queue.enqueue(trx, PUSH_QUEUES.section, { id }, { singletonKey: id, startAfter: retryAt });
    });
    log?.info('created in the SIS; its key is not assigned yet');
    return 'awaiting_sis_key';
  }

  observe(type: PostedType, since: Date) {
    const seconds = Math.max(0, (this.#deps.clock().getTime() - since.getTime()) / 1000);
    this.#deps.metrics?.pushLatency.observe({ type }, seconds);
  }

  async succeeded(type: PostedType, id: string, termId: string, version: number, current: number, started: Date): Promise<PushOutcome> {
    const applied = await this.write(type, id, termId, true, { kind: 'succeeded', at: this.#deps.clock(), version, current });
    this.observe(type, applied.before.queuedAt ?? started);
    this.#deps.metrics?.pushes.inc({ type, outcome: 'posted' });
    return 'in_sync';
  }

  async failed(type: PostedType, id: string, termId: string, hasKey: boolean, error: unknown, log: Logger | null): Promise<PushOutcome> {
    const info = messagesOf(error);
    this.#deps.metrics?.failures.inc({ type, code: info.code });
    const now = this.#deps.clock();
    if (info.retryable) {
      let outcome: PushOutcome = 'retrying';
      await this.#deps.db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('integration_status').select('attempts').where('entity_type', '=', type).where('entity_id', '=', id).executeTakeFirst();
        const delay = retryDelayMs((current?.attempts ?? 0) + 1, info.retryAfterMs, this.#policy, this.#random);
        const retryAt = new Date(now.getTime() + delay);
        const applied = await applyStatusEvent(trx, type, id, termId, hasKey, {
          kind: 'transient_failure',
          at: now,
          retryAt,
          code: info.code,
          messages: info.messages,
          raw: info.raw,
          maxAttempts: this.#policy.maxAttempts,
        });
        if (applied.next.status === 'pending') await this.#deps.queue.enqueue(trx, PUSH_QUEUES[type], { id }, { singletonKey: id, startAfter: retryAt });
        else outcome = 'failed';
        log?.warn({ code: info.code, retryAt, attempts: applied.next.attempts }, applied.name === 'retries_exhausted' ? 'post failed: retries exhausted' : 'post failed: will retry');
      });
      return outcome;
    }
    await this.write(type, id, termId, hasKey, { kind: 'permanent_failure', at: now, code: info.code, messages: info.messages, raw: info.raw });
    log?.warn({ code: info.code, messages: info.messages }, 'post refused by the SIS');
    return 'failed';
  }
}
