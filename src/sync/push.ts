// The push engine (DESIGN §4.6–4.8): posts one section's or relationship's latest hub state to the
// SIS. Read the SIS record, merge three ways (base = sis_base, theirs = SIS now, ours = hub now),
// create or update, then store the SIS's representation as the new base and its key — with the
// integration status, in one transaction. A lease on the status row keeps two workers (or a
// worker and Send Updates) from posting one record at once; pg-boss's stately queue does the same
// for jobs, the lease covers everything else.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { fieldOwner, postingOn, type MergeSettings, type SourceOfTruth } from '../domain/merge-settings.ts';
import { baseWithSent, mergeRecord, type Fields } from '../domain/three-way.ts';
import type { SisConnector, SisWriter, SisWriteResult } from '../sis/contract.ts';
import { SisError } from '../sis/errors.ts';
import { ConflictError } from '../domain/errors.ts';
import type { SisRelationship, SisSectionState } from '../sis/model.ts';
import { relationshipFields, sectionFields } from './fields.ts';
import { hubSections, sectionKeys } from './hub-records.ts';
import { prepareWrite, replaceChildren, type PreparedWrite } from './hub-writers.ts';
import { sectionKeyMap, UnknownReferenceError } from './keys.ts';
import { applyStatusEvent, changedWhileSyncOff, type PostedType } from './integration-store.ts';
import { auditHealthAction, type HealthAction } from './health-audit.ts';
import { enqueuePush, PUSH_QUEUES } from './outbox.ts';
import { getMergeSettings, type VersionedSettings } from './settings-store.ts';
import { sameValue } from '../domain/same-value.ts';
import { overridesOf, phaseOverridesAt, phaseOverridesColumn, type PhaseOverridesColumn } from '../store/phases.ts';
import type { PhaseMergeSettings } from '../domain/phases.ts';
import { auditTakenFromSis } from './push-audit.ts';
import { sisCall } from './push-context.ts';
import { conflictError, permanent } from './push-errors.ts';
import { POSTABLE_OF_INPUT, relationshipInput, sectionInput, sisDefaults } from './push-inputs.ts';
import { RecordLease } from './push-lease.ts';
import { StatusWriter } from './push-status.ts';
import type { PushDeps, PushOptions, PushOutcome } from './push-types.ts';

/** Another worker holds the record: try again later (the job is retried by the queue). */
export class RecordBusyError extends Error {
  constructor(type: PostedType, id: string) {
    super(`${type} ${id} is being posted by another worker`);
  }
}

export class PushEngine {
  readonly #deps: PushDeps;
  readonly #lease: RecordLease;
  readonly #status: StatusWriter;

  constructor(deps: PushDeps) {
    this.#deps = deps;
    this.#lease = new RecordLease(deps.db, deps.leaseMs ?? 30_000);
    this.#status = new StatusWriter(deps);
  }

  get db() {
    return this.#deps.db;
  }

  push(type: PostedType, id: string, options: PushOptions): Promise<PushOutcome> {
    return type === 'section' ? this.pushSection(id, options) : this.pushRelationship(id, options);
  }

  #log(bindings: object): Logger | null {
    return (this.#deps.logger?.child(bindings) as Logger | undefined) ?? null;
  }

  /** Embedded mode is one process: a lease still held belongs to a process that died. */
  releaseAllLeases(): Promise<void> {
    return this.#lease.releaseAll();
  }

  // Sections ----------------------------------------------------------------------------------

  /** The merge settings last read; every save of them is a new version. */
  #settings: VersionedSettings | null = null;

  /** The merge settings at `version` (read with the record): read and parsed again only when they changed. */
  async #settingsAt(version: number): Promise<MergeSettings> {
    if (this.#settings?.version !== version) this.#settings = await getMergeSettings(this.#deps.db);
    return this.#settings.settings;
  }

  /** The overrides of a record's term's phase in force now, read with the record. */
  #phaseOf(row: { term_code: string; phases: PhaseOverridesColumn }): PhaseMergeSettings | null {
    return overridesOf(row.phases, this.#deps.clock()).get(row.term_code) ?? null;
  }

  async pushSection(id: string, options: PushOptions): Promise<PushOutcome> {
    const row = await sectionRow(this.#deps.db, id);
    if (!row) return 'gone';
    const settings = await this.#settingsAt(row.settings_version);
    const hasKey = row.sis_key !== null;
    if (!postingOn(settings, 'sections', row.term_code, options.trigger, this.#phaseOf(row))) return 'not_enabled';
    if (settings.maintenance.on) {
      await this.#status.write('section', id, row.term_id, hasKey, { kind: 'maintenance' });
      return 'paused';
    }
    if (row.allow_integration === false && row.deleted_at === null) {
      await this.#status.write('section', id, row.term_id, hasKey, { kind: 'integration_disabled' });
      return 'integration_disabled';
    }
    const claim = await this.#lease.claim('section', id, row.term_id, hasKey);
    if (!claim) {
      if (options.trigger === 'real_time') throw new RecordBusyError('section', id);
      return 'busy';
    }
    const stop = this.#lease.renewing('section', id);
    const log = this.#log({ runId: options.runId ?? null, recordType: 'section', recordId: id });
    let outcome: PushOutcome | null = null;
    try {
      outcome = await this.#postSection(id, row, settings, claim.sent, log);
      return outcome;
    } catch (error) {
      return await this.#status.failed('section', id, row.term_id, hasKey, error, log);
    } finally {
      stop();
      // A post that ended in 'posted' let go of the lease in the transaction that recorded it.
      await this.#lease.release('section', id, outcome !== 'posted');
    }
  }

  #keyCache: { at: number; keys: Promise<Awaited<ReturnType<typeof sectionKeys>>> } | null = null;

  #keys(fresh: boolean) {
    const now = Date.now();
    if (fresh || !this.#keyCache || now - this.#keyCache.at > 10_000) this.#keyCache = { at: now, keys: sectionKeys(this.#deps.db) };
    return this.#keyCache.keys;
  }

  /**
   * `row`: as read before the claim, for the term (its code and SIS key); the rest is read again.
   * `sent`: what the hub last sent for it (from the claim), to tell its own values in the SIS.
   */
  async #postSection(id: string, row: SectionRow, settings: MergeSettings, sent: Fields | null, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#deps;
    const connector = await this.#deps.connections.connector();
    const writer = connector.writer;
    if (!writer) throw permanent('not_supported', `The ${connector.kind} connection is read-only: sections cannot be posted.`);
    const started = this.#deps.clock();

    // Read after the claim: this is the latest state, whatever edits or posts came before. Key maps
    // are cached briefly; a reference they do not know yet makes them reload once.
    let [hub] = await hubSections(db, { ids: [id] }, await this.#keys(false));
    if (hub && JSON.stringify(hub.fields).includes('"hub:')) [hub] = await hubSections(db, { ids: [id] }, await this.#keys(true));
    if (!hub) {
      // Not among the hub's sections: deleted in the hub since (or gone).
      const deleted = await sectionRow(this.#deps.db, id);
      return deleted ? this.#removeSection(deleted, connector, writer, started, log) : 'gone';
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
      if (found && !found.sisKey) return this.#status.awaitingKey(id, hub.termId, hub.version, found.record, log);
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
        await this.#lease.recordSent('section', id, Object.fromEntries([...postable].map((f) => [f, merge.merged[f]])), { stored: base, seen: seenBase });
      result = differing.length ? await sisCall(log, 'updateSection', () => writer.updateSection(sisKey!, input, seen)) : { sisKey, record: seen };
      Object.assign(sisChanges, sisDefaults(input, result.record, postable));
    } else {
      const input = sectionInput(termKey, ours, ours, postable, connector);
      result = await sisCall(log, 'createSection', () => writer.createSection(input));
      if (!result.sisKey) return this.#status.awaitingKey(id, hub.termId, hub.version, result.record, log);
      sisChanges = sisDefaults(input, result.record, postable);
    }
    return this.#finishSection(id, hub.version, hub.sisKey, result.sisKey!, result.record, sisChanges, ours, started);
  }

  /** A section deleted in the hub: cancelled (or deleted) in the SIS, if the SIS has it. */
  async #removeSection(row: SectionRow, connector: SisConnector, writer: SisWriter, started: Date, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#deps;
    const id = row.id;
    let key = row.sis_key;
    if (!key && row.term_key) {
      // A create whose response was lost may have left it in the SIS.
      const keys = await sectionKeys(db);
      const courseKey = keys.courses.key(row.course_id)!;
      if (!courseKey.startsWith('hub:') && row.section_number)
        key = (await sisCall(log, 'findSection', () => connector.findSection(row.term_key!, courseKey, row.section_number)))?.sisKey ?? null;
    }
    if (!key) return this.#status.succeeded('section', id, row.term_id, row.version, row.version, null, started);
    const theirs = await sisCall(log, 'getSection', () => connector.getSection(key!));
    if (theirs && (connector.capabilities.sectionRemoval === 'cancel_or_delete' || theirs.status !== 'cancelled')) {
      if (connector.capabilities.sectionRemoval === 'cancel_or_delete') await sisCall(log, 'deleteSection', () => writer.deleteSection(key!));
      else await sisCall(log, 'cancelSection', () => writer.cancelSection(key!, theirs));
    }
    await db.updateTable('sections').set({ sis_key: key }).where('id', '=', id).execute();
    await this.#status.succeeded('section', id, row.term_id, row.version, row.version, null, started);
    return 'removed';
  }

  /**
   * Stores what the SIS acknowledged and the status, and lets go of the lease, in one transaction.
   * `postedKey`: the SIS key the hub had when the post read the section (null: it learns one now).
   */
  async #finishSection(
    id: string,
    postedVersion: number,
    postedKey: string | null,
    sisKey: string,
    record: SisSectionState,
    sisChanges: Fields,
    ours: Fields,
    started: Date,
  ): Promise<PushOutcome> {
    const { db, queue } = this.#deps;
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
        { kind: 'succeeded', at: this.#deps.clock(), version: acknowledged, current },
        { releaseLeaseOf: this.#lease.owner },
      );
      this.#status.observe('section', applied.before.queuedAt ?? started);
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
    this.#deps.metrics?.pushes.inc({ type: 'section', outcome: 'posted' });
    return 'posted';
  }
  // Relationships -----------------------------------------------------------------------------

  async pushRelationship(id: string, options: PushOptions): Promise<PushOutcome> {
    const { db } = this.#deps;
    const { settings } = await getMergeSettings(db);
    const row = await this.#relationshipRow(id);
    if (!row) return 'gone';
    const hasKey = row.sis_key !== null;
    if (!postingOn(settings, 'relationships', row.term_code, options.trigger, this.#phaseOf(row))) return 'not_enabled';
    if (settings.maintenance.on) {
      await this.#status.write('relationship', id, row.term_id, hasKey, { kind: 'maintenance' });
      return 'paused';
    }
    if (row.allow_integration === false && row.deleted_at === null) {
      await this.#status.write('relationship', id, row.term_id, hasKey, { kind: 'integration_disabled' });
      return 'integration_disabled';
    }
    const claim = await this.#lease.claim('relationship', id, row.term_id, hasKey);
    if (!claim) {
      if (options.trigger === 'real_time') throw new RecordBusyError('relationship', id);
      return 'busy';
    }
    const stop = this.#lease.renewing('relationship', id);
    const log = this.#log({ runId: options.runId ?? null, recordType: 'relationship', recordId: id });
    try {
      return await this.#postRelationship(id, settings, claim.sent, log);
    } catch (error) {
      return await this.#status.failed('relationship', id, row.term_id, hasKey, error, log);
    } finally {
      stop();
      await this.#lease.release('relationship', id);
    }
  }

  async #relationshipRow(id: string) {
    return this.#deps.db
      .selectFrom('relationships as r')
      .innerJoin('terms as t', 't.id', 'r.term_id')
      .select(['r.id', 'r.term_id', 'r.sis_key', 'r.sis_base', 'r.version', 'r.deleted_at', 'r.allow_integration', 'r.source_of_truth', 'r.kind', 'r.shared_capacity', 't.code as term_code', 't.sis_key as term_key'])
      .select(phaseOverridesColumn(sql`and p.term_id = r.term_id`).as('phases'))
      .where('r.id', '=', id)
      .executeTakeFirst();
  }

  /** The relationship as the hub holds it now, in the SIS's keys (null keys for sections never posted). */
  async #relationshipState(db: Kysely<DB>, id: string) {
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

  async #postRelationship(id: string, settings: MergeSettings, sent: Fields | null, log: Logger | null): Promise<PushOutcome> {
    const { db } = this.#deps;
    const row = (await this.#relationshipRow(id))!;
    const connector = await this.#deps.connections.connector();
    const writer = connector.writer;
    if (!writer) throw permanent('not_supported', `The ${connector.kind} connection is read-only: relationships cannot be posted.`);
    const started = this.#deps.clock();
    if (row.deleted_at !== null) {
      if (row.sis_key) {
        try {
          await sisCall(log, 'deleteRelationship', () => writer.deleteRelationship(row.sis_key!));
        } catch (error) {
          if (!(error instanceof SisError && error.code === 'not_found')) throw error;
        }
      }
      await this.#status.succeeded('relationship', id, row.term_id, row.version, row.version, null, started);
      return 'removed';
    }
    const termKey = row.term_key;
    if (!termKey) throw permanent('validation', `The term ${row.term_code} is not in the SIS: merge terms first.`, 'termId');
    if (!(connector.capabilities.relationshipKindsWritten as readonly string[]).includes(row.kind))
      throw permanent('not_supported', `This SIS does not accept ${row.kind} relationships (it writes ${connector.capabilities.relationshipKindsWritten.join(', ')}).`, 'kind');
    const { members, fields: ours } = await this.#relationshipState(db, id);
    // A section the hub may not post keeps its relationship out of the SIS too.
    if (members.some((m) => m.allow_integration === false)) {
      await this.#status.write('relationship', id, row.term_id, row.sis_key !== null, { kind: 'section_integration_disabled' });
      return 'integration_disabled';
    }
    if (members.some((m) => m.sis_key === null)) {
      await this.#status.write('relationship', id, row.term_id, row.sis_key !== null, { kind: 'waiting_for_sections' });
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
        if (Object.keys(merge.merged).some((f) => owner(f) === 'sis' && !sameValue(merge.merged[f], theirs[f]))) await this.#lease.recordSent('relationship', id, merge.merged, { stored: base, seen: seenBase });
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
        const now = (await this.#relationshipState(trx, id)).fields;
        sisChanges = Object.fromEntries(Object.entries(sisChanges).filter(([f]) => sameValue(now[f], ours[f])));
      }
      const applied = await this.#applyRelationshipChanges(trx, id, row.term_id, ours, sisChanges);
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
      const status = await applyStatusEvent(trx, 'relationship', id, row.term_id, true, { kind: 'succeeded', at: this.#deps.clock(), version: acknowledged, current });
      this.#status.observe('relationship', status.before.queuedAt ?? started);
      if (status.name === 'superseded_during_post') await this.#deps.queue.enqueue(trx, PUSH_QUEUES.relationship, { id }, { singletonKey: id });
    });
    this.#deps.metrics?.pushes.inc({ type: 'relationship', outcome: 'posted' });
    return 'posted';
  }

  /** Writes the SIS's own changes of a relationship into the hub, audited; false when there were none to write. */
  async #applyRelationshipChanges(trx: Transaction<DB>, id: string, termId: string, ours: Fields, changes: Fields): Promise<boolean> {
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

  // Sweeps and health actions (Send Updates is in send-updates.ts) ---------------------------

  /**
   * Re-enqueues every pending record whose retry time has come and that no worker holds, where
   * its type posts in real time now: what the maintenance switch releases when it is lifted, what
   * a phase that held real-time posting back releases when it ends, and a backstop for jobs lost
   * with a crashed process. Stately keys make it harmless to repeat.
   */
  async sweep(limit = 2000): Promise<number> {
    const { db, queue } = this.#deps;
    const { settings } = await getMergeSettings(db);
    if (settings.maintenance.on) return 0;
    const now = this.#deps.clock();
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
    await this.#deps.db.transaction().execute(async (trx) => {
      const { before, next } = await this.#status.write(type, id, row.term_id, row.sis_key !== null, { kind: 'retry_requested', at: this.#deps.clock() }, trx);
      await auditHealthAction(trx, type, id, before, next, by);
    });
    return this.push(type, id, { trigger: 'manual' });
  }

  async dismiss(type: PostedType, id: string, by: HealthAction): Promise<void> {
    const table = type === 'section' ? 'sections' : 'relationships';
    const row = await this.#deps.db.selectFrom(table).select(['term_id', 'sis_key']).where('id', '=', id).executeTakeFirst();
    await this.#deps.db.transaction().execute(async (trx) => {
      const { before, next } = await this.#status.write(type, id, row?.term_id ?? null, row?.sis_key != null, { kind: 'dismissed', at: this.#deps.clock() }, trx);
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
    await this.#deps.db.transaction().execute(async (trx) => {
      const { before } = await applyStatusEvent(trx, type, id, row.term_id, row.sis_key !== null, { kind: 'retry_requested', at: this.#deps.clock() });
      const next = await enqueuePush(trx, this.#deps.queue, type, { id, termId: row.term_id, sisKey: row.sis_key, version: row.version }, this.#deps.clock());
      await auditHealthAction(trx, type, id, before, next, by);
    });
    this.#deps.queue.wake(PUSH_QUEUES[type]);
    return true;
  }

  /** A record to retry, with its term's code and whether it may be posted now or in real time. */
  async #retryTarget(type: PostedType, id: string) {
    const { db } = this.#deps;
    const table = type === 'section' ? 'sections' : 'relationships';
    const row = await db
      .selectFrom(`${table} as r` as 'sections as r')
      .innerJoin('terms as t', 't.id', 'r.term_id')
      .select(['r.term_id', 'r.sis_key', 'r.version', 't.code as term_code'])
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const [{ settings }, phases] = await Promise.all([getMergeSettings(db), phaseOverridesAt(db, this.#deps.clock())]);
    const posting = {
      manual: postingOn(settings, table, row.term_code, 'manual'),
      realTime: postingOn(settings, table, row.term_code, 'real_time', phases.get(row.term_code)),
    };
    return { ...row, posting };
  }
}

/** A section with its term's code and SIS key, deleted or not, the merge settings' version and its term's phase overrides. */
function sectionRow(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('sections as s')
    .innerJoin('terms as t', 't.id', 's.term_id')
    .select(['s.id', 's.term_id', 's.sis_key', 's.version', 's.deleted_at', 's.allow_integration', 's.section_number', 's.course_id', 't.code as term_code', 't.sis_key as term_key'])
    .select(sql<number>`coalesce((select version from merge_settings where id = 1), 0)`.as('settings_version'))
    .select(phaseOverridesColumn(sql`and p.term_id = s.term_id`).as('phases'))
    .where('s.id', '=', id)
    .executeTakeFirst();
}

type SectionRow = NonNullable<Awaited<ReturnType<typeof sectionRow>>>;
