// The outbox (DESIGN §4.6, §7): a save that changes a postable field of a section (or a
// relationship) in a term enabled for real-time posting (by the merge settings, as the term's phase
// in force may override them) marks the record pending and enqueues its
// push job in the save's own transaction. pg-boss's `stately` policy keyed by record id keeps at
// most one queued and one active job per record, so edits coalesce and one arriving while a post
// is in flight gets its own run; the worker always posts the record's latest state. Elsewhere the
// save records that the SIS does not have the change (pending for the nightly sync, or not synced
// while sync is off), so no status says "synced" over an edit the SIS never received.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { postingOn, type MergeSettings } from '../domain/merge-settings.ts';
import type { PhaseMergeSettings } from '../domain/phases.ts';
import type { StatusRecord } from '../domain/integration-status.ts';
import type { Section } from '../domain/schedule.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { SaveHooks } from '../store/save-hooks.ts';
import { applyStatusEvent, type PostedType } from './integration-store.ts';
import { settingsWithTerms } from './settings-store.ts';

export const PUSH_QUEUES: Record<PostedType, string> = { section: 'push-section', relationship: 'push-relationship' };

/**
 * The section fields any connector may post (the union of the connectors' postableSectionFields,
 * in the hub's names) plus Allow integration, whose change from "no" releases a post. The worker
 * sends only what the current connector declares postable.
 */
const POSTABLE_SECTION_FIELDS = [
  'sectionNumber',
  'component',
  'status',
  'capacity',
  'instructionMode',
  'campus',
  'partOfTerm',
  'title',
  'credits',
  'meetings',
  'instructors',
  'allowIntegration',
] as const satisfies readonly (keyof Section)[];

const json = (v: unknown) => JSON.stringify(v ?? null);

export function postableChanged(before: Section | null, after: Section | null): boolean {
  if (!before || !after) return true;
  return POSTABLE_SECTION_FIELDS.some((f) => json(before[f]) !== json(after[f]));
}

export interface OutboxDeps {
  queue: JobQueue;
  clock: () => Date;
}

/** Enqueues a record's push in the caller's transaction and marks it pending; returns the status it left. */
export async function enqueuePush(
  trx: Transaction<DB>,
  queue: JobQueue,
  type: PostedType,
  record: { id: string; termId: string | null; sisKey: string | null; version: number },
  at: Date,
  startAfter?: Date,
): Promise<StatusRecord> {
  const { next } = await applyStatusEvent(trx, type, record.id, record.termId, record.sisKey !== null, { kind: 'enqueued', at, version: record.version });
  await queue.enqueue(trx, PUSH_QUEUES[type], { id: record.id }, { singletonKey: record.id, ...(startAfter && { startAfter }) });
  return next;
}

/**
 * A change saved where the save does not post it (no real-time posting for the type in its term):
 * pending for the nightly sync where that is on, else not synced until sync is turned on and the
 * nightly or Send Updates posts it. A delete marks nothing: a deleted record shows no status.
 */
async function changedUnposted(
  trx: Transaction<DB>,
  { settings, code: termCode, phase }: TermSettings,
  type: PostedType,
  change: { id: string; termId: string; after: { sisKey: string | null; version: number } | null },
  at: Date,
): Promise<void> {
  if (!change.after) return;
  const nightly = postingOn(settings, type === 'section' ? 'sections' : 'relationships', termCode, 'nightly', phase);
  const { version, sisKey } = change.after;
  await applyStatusEvent(trx, type, change.id, change.termId, sisKey !== null, nightly ? { kind: 'awaiting_nightly', at, version } : { kind: 'changed_while_sync_off', version });
}

/** What decides a save's post: the merge settings, the record's term code and that term's phase overrides in force. */
interface TermSettings {
  settings: MergeSettings;
  code: string;
  phase: PhaseMergeSettings | null;
}

export function createOutbox(deps: OutboxDeps): SaveHooks & { committed(): void } {
  /** The settings, the code of the record's term and its phase overrides now, in one statement; null for a record without a term. */
  const settingsFor = async (trx: Transaction<DB>, termId: string): Promise<TermSettings | null> => {
    const { settings, termCodes, phases } = await settingsWithTerms(trx, [termId], undefined, deps.clock());
    const code = termCodes.get(termId);
    return code ? { settings, code, phase: phases.get(code) ?? null } : null;
  };
  let touched = new Set<PostedType>();
  return {
    async sectionSaved(trx, change) {
      if (!postableChanged(change.before, change.after)) return;
      // A section never posted and deleted before it was has nothing to tell the SIS.
      if (!change.after && !change.before?.sisKey) {
        const st = await trx.selectFrom('integration_status').select('attempts').where('entity_type', '=', 'section').where('entity_id', '=', change.id).executeTakeFirst();
        if (!st) return;
      }
      const term = await settingsFor(trx, change.termId);
      if (!term) return;
      const { settings, code, phase } = term;
      if (change.before && change.after && change.before.allowIntegration !== change.after.allowIntegration && postingOn(settings, 'relationships', code, 'real_time', phase)) {
        // Its relationships are held while a section may not be posted: re-decide them.
        const related = await trx
          .selectFrom('relationship_members as m')
          .innerJoin('relationships as r', 'r.id', 'm.relationship_id')
          .select(['r.id', 'r.sis_key', 'r.version'])
          .where('m.section_id', '=', change.id)
          .where('r.deleted_at', 'is', null)
          .execute();
        for (const r of related) await enqueuePush(trx, deps.queue, 'relationship', { id: r.id, termId: change.termId, sisKey: r.sis_key, version: r.version }, deps.clock());
        if (related.length) touched.add('relationship');
      }
      if (!postingOn(settings, 'sections', code, 'real_time', phase)) return changedUnposted(trx, term, 'section', change, deps.clock());
      const record = change.after ?? change.before!;
      // A delete bumps the version past what `before` shows.
      const version = change.after ? change.after.version : change.before!.version + 1;
      const status = await enqueuePush(trx, deps.queue, 'section', { id: change.id, termId: change.termId, sisKey: record.sisKey, version }, deps.clock());
      touched.add('section');
      return status;
    },
    async relationshipSaved(trx, change) {
      const term = await settingsFor(trx, change.termId);
      if (!term) return;
      if (!postingOn(term.settings, 'relationships', term.code, 'real_time', term.phase)) return changedUnposted(trx, term, 'relationship', change, deps.clock());
      if (!change.after && !change.before?.sisKey) return;
      const record = change.after ?? change.before!;
      const version = change.after ? change.after.version : change.before!.version + 1;
      await enqueuePush(trx, deps.queue, 'relationship', { id: change.id, termId: change.termId, sisKey: record.sisKey, version }, deps.clock());
      touched.add('relationship');
    },
    /** Called by the routes once the save committed: wakes the workers instead of waiting for their poll. */
    committed() {
      const types = touched;
      touched = new Set();
      for (const type of types) deps.queue.wake(PUSH_QUEUES[type]);
    },
  };
}
