// The push engine (DESIGN §4.6–4.8): posts one section's or relationship's latest hub state to the
// SIS. Read the SIS record, merge three ways (base = sis_base, theirs = SIS now, ours = hub now),
// create or update, then store the SIS's representation as the new base and its key — with the
// integration status, in one transaction. A lease on the status row keeps two workers (or a
// worker and Send Updates) from posting one record at once; pg-boss's stately queue does the same
// for jobs, the lease covers everything else.
//
// This file is the orchestration a job calls: whether a record posts now, its lease, and its
// outcome. The pieces it runs share one context made here (push-context.ts): the lease
// (push-lease.ts), the status writer (push-status.ts), the posting of a section (push-section.ts)
// or a relationship (push-relationship.ts), and the sweep and health actions (push-health.ts).
import type { Logger } from 'pino';
import { postingOn, type MergeSettings } from '../domain/merge-settings.ts';
import type { PhaseMergeSettings } from '../domain/phases.ts';
import { overridesOf, type PhaseOverridesColumn } from '../store/phases.ts';
import type { HealthAction } from './health-audit.ts';
import type { PostedType } from './integration-store.ts';
import type { PushContext } from './push-context.ts';
import { PushHealth } from './push-health.ts';
import { RecordLease } from './push-lease.ts';
import { RelationshipPoster } from './push-relationship.ts';
import { sectionRow, SectionPoster } from './push-section.ts';
import { StatusWriter } from './push-status.ts';
import type { PushDeps, PushOptions, PushOutcome } from './push-types.ts';
import { getMergeSettings, type VersionedSettings } from './settings-store.ts';

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
  readonly #sections: SectionPoster;
  readonly #relationships: RelationshipPoster;
  readonly #health: PushHealth;

  constructor(deps: PushDeps) {
    this.#deps = deps;
    this.#lease = new RecordLease(deps.db, deps.leaseMs ?? 30_000);
    this.#status = new StatusWriter(deps);
    const context: PushContext = { deps, lease: this.#lease, status: this.#status };
    this.#sections = new SectionPoster(context);
    this.#relationships = new RelationshipPoster(context);
    this.#health = new PushHealth(context, (type, id, options) => this.push(type, id, options));
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
      outcome = await this.#sections.post(id, row, settings, claim.sent, log);
      return outcome;
    } catch (error) {
      return await this.#status.failed('section', id, row.term_id, hasKey, error, log);
    } finally {
      stop();
      // A post that ended in 'posted' let go of the lease in the transaction that recorded it.
      await this.#lease.release('section', id, outcome !== 'posted');
    }
  }

  // Relationships -----------------------------------------------------------------------------

  async pushRelationship(id: string, options: PushOptions): Promise<PushOutcome> {
    const { db } = this.#deps;
    const { settings } = await getMergeSettings(db);
    const row = await this.#relationships.row(id);
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
      return await this.#relationships.post(id, settings, claim.sent, log);
    } catch (error) {
      return await this.#status.failed('relationship', id, row.term_id, hasKey, error, log);
    } finally {
      stop();
      await this.#lease.release('relationship', id);
    }
  }

  // Sweeps and health actions (push-health.ts) ------------------------------------------------

  sweep(limit?: number): Promise<number> {
    return this.#health.sweep(limit);
  }

  retryNow(type: PostedType, id: string, by: HealthAction): Promise<PushOutcome> {
    return this.#health.retryNow(type, id, by);
  }

  dismiss(type: PostedType, id: string, by: HealthAction): Promise<void> {
    return this.#health.dismiss(type, id, by);
  }

  enqueue(type: PostedType, id: string, by: HealthAction): Promise<boolean> {
    return this.#health.enqueue(type, id, by);
  }
}
