// Posting one section, once its lease is held (src/sync/push.ts decides whether it posts): read the
// hub's section and the SIS's, merge three ways, create, update or remove it in the SIS, and store
// what the SIS acknowledged with the section's status in one transaction.
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { fieldOwner, type MergeSettings } from '../domain/merge-settings.ts';
import { sameValue } from '../domain/same-value.ts';
import { baseWithSent, mergeRecord, type Fields } from '../domain/three-way.ts';
import type { SisConnector, SisWriter } from '../sis/contract.ts';
import type { SisSectionState } from '../sis/model.ts';
import { phaseOverridesColumn } from '../store/phases.ts';
import { sectionFields } from './fields.ts';
import { hubSections, sectionKeys } from './hub-records.ts';
import { prepareWrite, replaceChildren, type PreparedWrite } from './hub-writers.ts';
import { applyStatusEvent } from './integration-store.ts';
import { UnknownReferenceError } from './keys.ts';
import { PUSH_QUEUES } from './outbox.ts';
import { auditTakenFromSis } from './push-audit.ts';
import { sisCall, type PushContext } from './push-context.ts';
import { conflictError, permanent } from './push-errors.ts';
import { POSTABLE_OF_INPUT, sectionInput, sisDefaults } from './push-inputs.ts';
import type { PushOutcome } from './push-types.ts';

/** A section with its term's code and SIS key, deleted or not, the merge settings' version and its term's phase overrides. */
export function sectionRow(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('sections as s')
    .innerJoin('terms as t', 't.id', 's.term_id')
    .select(['s.id', 's.term_id', 's.sis_key', 's.version', 's.deleted_at', 's.allow_integration', 's.section_number', 's.course_id', 't.code as term_code', 't.sis_key as term_key'])
    .select(sql<number>`coalesce((select version from merge_settings where id = 1), 0)`.as('settings_version'))
    .select(phaseOverridesColumn(sql`and p.term_id = s.term_id`).as('phases'))
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export type SectionRow = NonNullable<Awaited<ReturnType<typeof sectionRow>>>;

export class SectionPoster {
  readonly #context: PushContext;

  constructor(context: PushContext) {
    this.#context = context;
  }

  #keyCache: { at: number; keys: Promise<Awaited<ReturnType<typeof sectionKeys>>> } | null = null;

  #keys(fresh: boolean) {
    const now = Date.now();
    if (fresh || !this.#keyCache || now - this.#keyCache.at > 10_000) this.#keyCache = { at: now, keys: sectionKeys(this.#context.deps.db) };
    return this.#keyCache.keys;
  }

  /**
   * `row`: as read before the claim, for the term (its code and SIS key); the rest is read again.
   * `sent`: what the hub last sent for it (from the claim), to tell its own values in the SIS.
   */
  async post(id: string, row: SectionRow, settings: MergeSettings, sent: Fields | null, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#context.deps;
    const connector = await this.#context.deps.connections.connector();
    const writer = connector.writer;
    if (!writer) throw permanent('not_supported', `The ${connector.kind} connection is read-only: sections cannot be posted.`);
    const started = this.#context.deps.clock();

    // Read after the claim: this is the latest state, whatever edits or posts came before. Key maps
    // are cached briefly; a reference they do not know yet makes them reload once.
    let [hub] = await hubSections(db, { ids: [id] }, await this.#keys(false));
    if (hub && JSON.stringify(hub.fields).includes('"hub:')) [hub] = await hubSections(db, { ids: [id] }, await this.#keys(true));
    if (!hub) {
      // Not among the hub's sections: deleted in the hub since (or gone).
      const deleted = await sectionRow(this.#context.deps.db, id);
      return deleted ? this.#remove(deleted, connector, writer, started, log) : 'gone';
    }
    const ours = hub.fields;
    const termKey = row.term_key;
    if (!termKey) throw permanent('validation', `The term ${row.term_code} is not in the SIS: merge terms first.`, 'termId');
    const courseKey = String(ours.courseKey);
    if (courseKey.startsWith('hub:'))
      throw permanent('validation', 'The course is not in the SIS (courses are never posted): create it there and merge courses first.', 'courseId');
    (ours.meetings as { roomKey: string | null }[]).forEach((m, i) => {
      if (m.roomKey?.startsWith('hub:')) throw permanent('validation', 'The room is not in the SIS (rooms are never posted): pick a room the SIS knows.', `meetings.${i}.roomKey`);
    });
    (ours.instructors as { instructorKey: string }[]).forEach((x, i) => {
      if (x.instructorKey.startsWith('hub:')) throw permanent('validation', 'The instructor is not in the SIS (people are never posted): merge instructors first.', `instructors.${i}.instructorKey`);
    });

    // Theirs: the SIS record now — by key, or (no key yet) by natural key after a lost response.
    let sisKey = hub.sisKey;
    let theirs: SisSectionState | null = null;
    if (sisKey) {
      theirs = await sisCall(log, 'getSection', () => connector.getSection(sisKey!));
      if (!theirs) throw permanent('not_found', `The section ${sisKey} is not in the SIS any more (deleted there); run a sections merge.`);
    } else if (ours.sectionNumber) {
      const found = await sisCall(log, 'findSection', () => connector.findSection(termKey, courseKey, String(ours.sectionNumber)));
      if (found && !found.sisKey) return this.#context.status.awaitingKey(id, hub.termId, hub.version, log);
      if (found) {
        sisKey = found.sisKey;
        theirs = found.record;
      }
    }

    const postable = POSTABLE_OF_INPUT(connector);
    const base = hub.base;
    let sisChanges: Fields = {};
    let result: { sisKey: string | null; record: SisSectionState };
    if (theirs) {
      const seen = theirs;
      const theirFields = sectionFields(seen);
      const adopted = sisKey !== hub.sisKey;
      // A record adopted after a lost create was made from the hub's data: the hub's edits since win.
      const owner = (field: string) =>
        adopted && field !== 'enrolled' ? 'hub' : fieldOwner(settings, 'sections', field, { recordOverride: hub.override, postingEnabled: true });
      const seenBase = adopted ? null : baseWithSent(base, theirFields, sent);
      const merge = mergeRecord(seenBase, theirFields, ours, owner);
      if (merge.blocked) throw conflictError(merge);
      // The SIS's own changes (fields the hub did not touch, or the SIS owns) come into the hub.
      sisChanges = Object.fromEntries(merge.changes.filter((c) => c.field !== 'enrolled' || ours.enrolled !== c.after).map((c) => [c.field, c.after]));
      const input = sectionInput(termKey, merge.merged, theirFields, postable, connector);
      // The write is planned against what was just read: only what differs is sent (compared as
      // the merge's fields, which both sides are).
      const differing = [...postable].filter((f) => !sameValue(merge.merged[f], theirFields[f]));
      // Only a field the SIS owns can be lost to a write whose answer is lost (src/domain/three-way.ts).
      if (differing.some((f) => owner(f) === 'sis'))
        await this.#context.lease.recordSent('section', id, Object.fromEntries([...postable].map((f) => [f, merge.merged[f]])), { stored: base, seen: seenBase });
      result = differing.length ? await sisCall(log, 'updateSection', () => writer.updateSection(sisKey!, input, seen)) : { sisKey, record: seen };
      Object.assign(sisChanges, sisDefaults(input, result.record, postable));
    } else {
      const input = sectionInput(termKey, ours, ours, postable, connector);
      result = await sisCall(log, 'createSection', () => writer.createSection(input));
      if (!result.sisKey) return this.#context.status.awaitingKey(id, hub.termId, hub.version, log);
      sisChanges = sisDefaults(input, result.record, postable);
    }
    return this.#finish(id, hub.version, hub.sisKey, result.sisKey!, result.record, sisChanges, ours, started);
  }

  /** A section deleted in the hub: cancelled (or deleted) in the SIS, if the SIS has it. */
  async #remove(row: SectionRow, connector: SisConnector, writer: SisWriter, started: Date, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#context.deps;
    const id = row.id;
    let key = row.sis_key;
    if (!key && row.term_key) {
      // A create whose response was lost may have left it in the SIS.
      const keys = await sectionKeys(db);
      const courseKey = keys.courses.key(row.course_id)!;
      if (!courseKey.startsWith('hub:') && row.section_number)
        key = (await sisCall(log, 'findSection', () => connector.findSection(row.term_key!, courseKey, row.section_number)))?.sisKey ?? null;
    }
    if (!key) return this.#context.status.succeeded('section', id, row.term_id, row.version, row.version, started);
    const theirs = await sisCall(log, 'getSection', () => connector.getSection(key!));
    if (theirs && (connector.capabilities.sectionRemoval === 'cancel_or_delete' || theirs.status !== 'cancelled')) {
      if (connector.capabilities.sectionRemoval === 'cancel_or_delete') await sisCall(log, 'deleteSection', () => writer.deleteSection(key!));
      else await sisCall(log, 'cancelSection', () => writer.cancelSection(key!, theirs));
    }
    await db.updateTable('sections').set({ sis_key: key }).where('id', '=', id).execute();
    await this.#context.status.succeeded('section', id, row.term_id, row.version, row.version, started);
    return 'removed';
  }

  /**
   * Stores what the SIS acknowledged and the status, and lets go of the lease, in one transaction.
   * `postedKey`: the SIS key the hub had when the post read the section (null: it learns one now).
   */
  async #finish(
    id: string,
    postedVersion: number,
    postedKey: string | null,
    sisKey: string,
    record: SisSectionState,
    sisChanges: Fields,
    ours: Fields,
    started: Date,
  ): Promise<PushOutcome> {
    const { db, queue } = this.#context.deps;
    let current = 0;
    let acknowledged = postedVersion;
    await db.transaction().execute(async (trx) => {
      // Storing the new base takes the row's lock and tells which version the hub holds now.
      const locked = await trx
        .updateTable('sections')
        .set({ sis_key: sisKey, sis_base: JSON.stringify(sectionFields(record)), sis_deleted_at: null } as never)
        .where('id', '=', id)
        .returning(['version', 'term_id'])
        .executeTakeFirstOrThrow();
      current = locked.version;
      let changed = Object.keys(sisChanges);
      const keys = changed.length ? await sectionKeys(trx) : null;
      if (changed.length && current !== postedVersion) {
        // An edit arrived while posting: the SIS's changes only land where the hub still has what was read.
        const [now] = await hubSections(trx, { ids: [id] }, keys!);
        changed = changed.filter((f) => now && sameValue(now.fields[f], ours[f]));
        sisChanges = Object.fromEntries(changed.map((f) => [f, sisChanges[f]]));
      }
      let prepared: PreparedWrite = { columns: {}, children: [] };
      if (changed.length)
        try {
          prepared = prepareWrite('sections', sisChanges, { ...keys!, termId: locked.term_id }, (f) => changed.includes(f));
        } catch (error) {
          // A SIS value the hub cannot represent (unknown room…): the next merge reports it.
          if (!(error instanceof UnknownReferenceError)) throw error;
        }
      const content = Object.keys(prepared.columns).length > 0 || prepared.children.length > 0;
      if (content) await trx.updateTable('sections').set({ ...prepared.columns, version: sql`version + 1`, updated_at: sql`now()` } as never).where('id', '=', id).execute();
      await replaceChildren(trx, id, prepared.children);
      if (content) {
        // The SIS's changes are now the hub's: what was posted plus them is what the SIS holds.
        if (current === postedVersion) acknowledged = postedVersion + 1;
        current += 1;
        await auditTakenFromSis(trx, 'section', id, ours, sisChanges);
      }
      const applied = await applyStatusEvent(
        trx,
        'section',
        id,
        locked.term_id,
        true,
        { kind: 'succeeded', at: this.#context.deps.clock(), version: acknowledged, current },
        { releaseLeaseOf: this.#context.lease.owner },
      );
      this.#context.status.observe('section', applied.before.queuedAt ?? started);
      if (applied.name === 'superseded_during_post') await queue.enqueue(trx, PUSH_QUEUES.section, { id }, { singletonKey: id });
      if (postedKey === null) {
        // Relationships that waited for this section's key can go now.
        const waiting = await trx
          .selectFrom('relationship_members as m')
          .innerJoin('integration_status as st', (j) => j.onRef('st.entity_id', '=', 'm.relationship_id').on('st.entity_type', '=', 'relationship'))
          .select('m.relationship_id')
          .where('m.section_id', '=', id)
          .where('st.detail', '=', 'waiting_for_sections')
          .execute();
        for (const w of waiting) await queue.enqueue(trx, PUSH_QUEUES.relationship, { id: w.relationship_id }, { singletonKey: w.relationship_id });
      }
    });
    this.#context.deps.metrics?.pushes.inc({ type: 'section', outcome: 'posted' });
    return 'posted';
  }
}
