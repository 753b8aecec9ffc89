// The push engine's sweep and the health page's actions on one record (retry now, dismiss, queue
// again), each recorded in its status and audited. Send Updates is in send-updates.ts.
import { sql } from 'kysely';
import { ConflictError } from '../domain/errors.ts';
import { postingOn } from '../domain/merge-settings.ts';
import { phaseOverridesAt } from '../store/phases.ts';
import { auditHealthAction, type HealthAction } from './health-audit.ts';
import { applyStatusEvent, changedWhileSyncOff, type PostedType } from './integration-store.ts';
import { enqueuePush, PUSH_QUEUES } from './outbox.ts';
import type { PushContext } from './push-context.ts';
import type { PushOptions, PushOutcome } from './push-types.ts';
import { getMergeSettings } from './settings-store.ts';

export class PushHealth {
  readonly #context: PushContext;
  /** The engine's post of one record, for Retry now. */
  readonly #push: (type: PostedType, id: string, options: PushOptions) => Promise<PushOutcome>;

  constructor(context: PushContext, push: (type: PostedType, id: string, options: PushOptions) => Promise<PushOutcome>) {
    this.#context = context;
    this.#push = push;
  }

  /**
   * Re-enqueues every pending record whose retry time has come and that no worker holds, where
   * its type posts in real time now: what the maintenance switch releases when it is lifted, what
   * a phase that held real-time posting back releases when it ends, and a backstop for jobs lost
   * with a crashed process. Stately keys make it harmless to repeat.
   */
  async sweep(limit = 2000): Promise<number> {
    const { db, queue } = this.#context.deps;
    const { settings } = await getMergeSettings(db);
    if (settings.maintenance.on) return 0;
    const now = this.#context.deps.clock();
    const [terms, phases] = await Promise.all([db.selectFrom('terms').select(['id', 'code']).execute(), phaseOverridesAt(db, now)]);
    const due: { entity_type: PostedType; entity_id: string }[] = [];
    // Per type: a term may post its relationships in real time and its sections only nightly.
    for (const [type, mergeType, table] of [
      ['section', 'sections', 'sections'],
      ['relationship', 'relationships', 'relationships'],
    ] as const) {
      const realTime = terms.filter((t) => postingOn(settings, mergeType, t.code, 'real_time', phases.get(t.code))).map((t) => t.id);
      if (!realTime.length) continue;
      const rows = await db
        .selectFrom('integration_status as st')
        .innerJoin(`${table} as r` as 'sections as r', 'r.id', 'st.entity_id')
        .select(['st.entity_type', 'st.entity_id'])
        .where('st.entity_type', '=', type)
        .where('st.term_id', 'in', realTime)
        .where((eb) => eb.or([eb('st.status', '=', 'pending'), changedWhileSyncOff]))
        .where((eb) => eb.or([eb('st.detail', 'is', null), eb('st.detail', '!=', 'waiting_for_sections')]))
        .where((eb) => eb.or([eb('st.next_retry_at', 'is', null), eb('st.next_retry_at', '<=', now)]))
        .where((eb) => eb.or([eb('st.lease_until', 'is', null), eb('st.lease_until', '<', sql<Date>`now()`)]))
        .limit(limit)
        .execute();
      due.push(...(rows as typeof due));
    }
    if (!due.length) return 0;
    await db.transaction().execute(async (trx) => {
      for (const d of due) await queue.enqueue(trx, PUSH_QUEUES[d.entity_type], { id: d.entity_id }, { singletonKey: d.entity_id });
    });
    queue.wake(PUSH_QUEUES.section);
    queue.wake(PUSH_QUEUES.relationship);
    return due.length;
  }

  /**
   * Posts one record again now. Refused while its term has no sync on for its type: the push
   * would not go, and the retry would leave the record pending with nothing to post it.
   */
  async retryNow(type: PostedType, id: string, by: HealthAction): Promise<PushOutcome> {
    const row = await this.#retryTarget(type, id);
    if (!row) return 'gone';
    if (!row.posting.manual)
      throw new ConflictError(
        `Sync is off for ${type}s of term ${row.term_code}: turn on real-time or nightly sync for it in merge settings to post this ${type}.`,
        { term: row.term_code },
      );
    await this.#context.deps.db.transaction().execute(async (trx) => {
      const { before, next } = await this.#context.status.write(type, id, row.term_id, row.sis_key !== null, { kind: 'retry_requested', at: this.#context.deps.clock() }, trx);
      await auditHealthAction(trx, type, id, before, next, by);
    });
    return this.#push(type, id, { trigger: 'manual' });
  }

  async dismiss(type: PostedType, id: string, by: HealthAction): Promise<void> {
    const table = type === 'section' ? 'sections' : 'relationships';
    const row = await this.#context.deps.db.selectFrom(table).select(['term_id', 'sis_key']).where('id', '=', id).executeTakeFirst();
    await this.#context.deps.db.transaction().execute(async (trx) => {
      const { before, next } = await this.#context.status.write(type, id, row?.term_id ?? null, row?.sis_key != null, { kind: 'dismissed', at: this.#context.deps.clock() }, trx);
      await auditHealthAction(trx, type, id, before, next, by);
    });
  }

  /**
   * Enqueues a record as the outbox would (used when an admin retries all): only where real-time
   * posting is on, since the job posts in real time. Elsewhere the record is left as it is (the
   * nightly posts it where nightly sync is on); marked pending, nothing would ever post it.
   * Answers whether it was queued.
   */
  async enqueue(type: PostedType, id: string, by: HealthAction): Promise<boolean> {
    const row = await this.#retryTarget(type, id);
    if (!row?.posting.realTime) return false;
    await this.#context.deps.db.transaction().execute(async (trx) => {
      const { before } = await applyStatusEvent(trx, type, id, row.term_id, row.sis_key !== null, { kind: 'retry_requested', at: this.#context.deps.clock() });
      const next = await enqueuePush(trx, this.#context.deps.queue, type, { id, termId: row.term_id, sisKey: row.sis_key, version: row.version }, this.#context.deps.clock());
      await auditHealthAction(trx, type, id, before, next, by);
    });
    this.#context.deps.queue.wake(PUSH_QUEUES[type]);
    return true;
  }

  /** A record to retry, with its term's code and whether it may be posted now or in real time. */
  async #retryTarget(type: PostedType, id: string) {
    const { db } = this.#context.deps;
    const table = type === 'section' ? 'sections' : 'relationships';
    const row = await db
      .selectFrom(`${table} as r` as 'sections as r')
      .innerJoin('terms as t', 't.id', 'r.term_id')
      .select(['r.term_id', 'r.sis_key', 'r.version', 't.code as term_code'])
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const [{ settings }, phases] = await Promise.all([getMergeSettings(db), phaseOverridesAt(db, this.#context.deps.clock())]);
    const posting = {
      manual: postingOn(settings, table, row.term_code, 'manual'),
      realTime: postingOn(settings, table, row.term_code, 'real_time', phases.get(row.term_code)),
    };
    return { ...row, posting };
  }
}
