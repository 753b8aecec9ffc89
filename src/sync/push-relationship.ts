// Posting one relationship (crosslisting, meeting together…), once its lease is held
// (src/sync/push.ts decides whether it posts): only when all its sections are in the SIS; read the
// SIS's first, merge three ways, and store what the SIS acknowledged with its status.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { fieldOwner, type MergeSettings, type SourceOfTruth } from '../domain/merge-settings.ts';
import { sameValue } from '../domain/same-value.ts';
import { baseWithSent, mergeRecord, type Fields } from '../domain/three-way.ts';
import type { SisWriteResult } from '../sis/contract.ts';
import { SisError } from '../sis/errors.ts';
import type { SisRelationship } from '../sis/model.ts';
import { phaseOverridesColumn } from '../store/phases.ts';
import { relationshipFields } from './fields.ts';
import { prepareWrite, replaceChildren, type PreparedWrite } from './hub-writers.ts';
import { applyStatusEvent } from './integration-store.ts';
import { sectionKeyMap, UnknownReferenceError } from './keys.ts';
import { PUSH_QUEUES } from './outbox.ts';
import { auditTakenFromSis } from './push-audit.ts';
import { sisCall, type PushContext } from './push-context.ts';
import { conflictError, permanent } from './push-errors.ts';
import { relationshipInput } from './push-inputs.ts';
import type { PushOutcome } from './push-types.ts';

export class RelationshipPoster {
  readonly #context: PushContext;

  constructor(context: PushContext) {
    this.#context = context;
  }

  /** The relationship with its term's code and SIS key, deleted or not, and its term's phase overrides. */
  async row(id: string) {
    return this.#context.deps.db
      .selectFrom('relationships as r')
      .innerJoin('terms as t', 't.id', 'r.term_id')
      .select(['r.id', 'r.term_id', 'r.sis_key', 'r.sis_base', 'r.version', 'r.deleted_at', 'r.allow_integration', 'r.source_of_truth', 'r.kind', 'r.shared_capacity', 't.code as term_code', 't.sis_key as term_key'])
      .select(phaseOverridesColumn(sql`and p.term_id = r.term_id`).as('phases'))
      .where('r.id', '=', id)
      .executeTakeFirst();
  }

  /** The relationship as the hub holds it now, in the SIS's keys (null keys for sections never posted). */
  async #state(db: Kysely<DB>, id: string) {
    const row = await db.selectFrom('relationships').select(['kind', 'shared_capacity']).where('id', '=', id).executeTakeFirstOrThrow();
    const members = await db
      .selectFrom('relationship_members as m')
      .innerJoin('sections as s', 's.id', 'm.section_id')
      .select(['m.section_id', 'm.is_primary', 's.sis_key', 's.allow_integration'])
      .where('m.relationship_id', '=', id)
      .execute();
    const fields = relationshipFields({
      kind: row.kind as SisRelationship['kind'],
      sharedCapacity: row.shared_capacity,
      members: members.map((m) => ({ sectionKey: m.sis_key ?? `hub:${m.section_id}`, primary: m.is_primary })),
    });
    return { members, fields };
  }

  async post(id: string, settings: MergeSettings, sent: Fields | null, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#context.deps;
    const row = (await this.row(id))!;
    const connector = await this.#context.deps.connections.connector();
    const writer = connector.writer;
    if (!writer) throw permanent('not_supported', `The ${connector.kind} connection is read-only: relationships cannot be posted.`);
    const started = this.#context.deps.clock();
    if (row.deleted_at !== null) {
      if (row.sis_key) {
        try {
          await sisCall(log, 'deleteRelationship', () => writer.deleteRelationship(row.sis_key!));
        } catch (error) {
          if (!(error instanceof SisError && error.code === 'not_found')) throw error;
        }
      }
      await this.#context.status.succeeded('relationship', id, row.term_id, row.version, row.version, started);
      return 'removed';
    }
    const termKey = row.term_key;
    if (!termKey) throw permanent('validation', `The term ${row.term_code} is not in the SIS: merge terms first.`, 'termId');
    if (!(connector.capabilities.relationshipKindsWritten as readonly string[]).includes(row.kind))
      throw permanent('not_supported', `This SIS does not accept ${row.kind} relationships (it writes ${connector.capabilities.relationshipKindsWritten.join(', ')}).`, 'kind');
    const { members, fields: ours } = await this.#state(db, id);
    // A section the hub may not post keeps its relationship out of the SIS too.
    if (members.some((m) => m.allow_integration === false)) {
      await this.#context.status.write('relationship', id, row.term_id, row.sis_key !== null, { kind: 'section_integration_disabled' });
      return 'integration_disabled';
    }
    if (members.some((m) => m.sis_key === null)) {
      await this.#context.status.write('relationship', id, row.term_id, row.sis_key !== null, { kind: 'waiting_for_sections' });
      return 'waiting_for_sections';
    }

    let result: SisWriteResult<SisRelationship>;
    let sisChanges: Fields = {};
    if (row.sis_key) {
      // Read the SIS first, as for sections: a change made there since the last sync is kept, not overwritten.
      const found = await sisCall(log, 'getRelationship', () => connector.getRelationship(row.sis_key!, termKey));
      if (!found) throw permanent('not_found', `The ${row.kind} ${row.sis_key} is not in the SIS any more (deleted there); run a relationships merge.`);
      const theirs = relationshipFields(found);
      const owner = (field: string) => fieldOwner(settings, 'relationships', field, { recordOverride: row.source_of_truth as SourceOfTruth | null, postingEnabled: true });
      const base = (row.sis_base as Fields | null) ?? null;
      const seenBase = baseWithSent(base, theirs, sent);
      const merge = mergeRecord(seenBase, theirs, ours, owner);
      if (merge.blocked) throw conflictError(merge);
      sisChanges = Object.fromEntries(merge.changes.map((c) => [c.field, c.after]));
      if (sameValue(merge.merged, theirs)) result = { sisKey: row.sis_key, record: found };
      else {
        if (Object.keys(merge.merged).some((f) => owner(f) === 'sis' && !sameValue(merge.merged[f], theirs[f]))) await this.#context.lease.recordSent('relationship', id, merge.merged, { stored: base, seen: seenBase });
        result = await sisCall(log, 'updateRelationship', () => writer.updateRelationship(row.sis_key!, relationshipInput(termKey, merge.merged)));
      }
    } else {
      result = await sisCall(log, 'createRelationship', () => writer.createRelationship(relationshipInput(termKey, ours)));
    }
    await db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('relationships').select(['version']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      let current = locked.version;
      let acknowledged = row.version;
      if (current !== row.version) {
        // An edit arrived while posting: the SIS's changes only land where the hub still has what was read.
        const now = (await this.#state(trx, id)).fields;
        sisChanges = Object.fromEntries(Object.entries(sisChanges).filter(([f]) => sameValue(now[f], ours[f])));
      }
      const applied = await this.#applyChanges(trx, id, row.term_id, ours, sisChanges);
      if (applied) {
        // The SIS's changes are now the hub's: what was posted plus them is what the SIS holds.
        if (current === row.version) acknowledged = row.version + 1;
        current += 1;
      }
      await trx
        .updateTable('relationships')
        .set({ sis_key: result.sisKey, sis_base: JSON.stringify(relationshipFields(result.record)), sis_deleted_at: null } as never)
        .where('id', '=', id)
        .execute();
      const status = await applyStatusEvent(trx, 'relationship', id, row.term_id, true, { kind: 'succeeded', at: this.#context.deps.clock(), version: acknowledged, current });
      this.#context.status.observe('relationship', status.before.queuedAt ?? started);
      if (status.name === 'superseded_during_post') await this.#context.deps.queue.enqueue(trx, PUSH_QUEUES.relationship, { id }, { singletonKey: id });
    });
    this.#context.deps.metrics?.pushes.inc({ type: 'relationship', outcome: 'posted' });
    return 'posted';
  }

  /** Writes the SIS's own changes of a relationship into the hub, audited; false when there were none to write. */
  async #applyChanges(trx: Transaction<DB>, id: string, termId: string, ours: Fields, changes: Fields): Promise<boolean> {
    const changed = Object.keys(changes);
    if (!changed.length) return false;
    let prepared: PreparedWrite;
    try {
      prepared = prepareWrite('relationships', changes, { sections: await sectionKeyMap(trx, termId), termId }, (f) => changed.includes(f));
    } catch (error) {
      // A member the hub does not have yet: the next relationships merge brings it and reports it.
      if (error instanceof UnknownReferenceError) return false;
      throw error;
    }
    await trx
      .updateTable('relationships')
      .set({ ...prepared.columns, version: sql`version + 1`, updated_at: sql`now()` } as never)
      .where('id', '=', id)
      .execute();
    await replaceChildren(trx, id, prepared.children);
    await auditTakenFromSis(trx, 'relationship', id, ours, changes);
    return true;
  }
}
