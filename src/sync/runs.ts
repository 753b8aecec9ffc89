// Merge runs: one durable job per run, with its type × term items, progress and report. A run is
// started by hand (Execute Merge), by the nightly schedule, or for one record in real time.
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB, RunItemStatus, RunStatus } from '../db/schema.ts';
import { ConflictError, InvalidError, NotFoundError } from '../domain/errors.ts';
import { isTermSpecific, MERGE_TYPES, type MergeType, type TermSpecificType } from '../domain/merge-settings.ts';
import { fieldChanges } from '../domain/changes.ts';
import type { Actor } from '../domain/permissions.ts';
import { liveJobWith, type JobQueue } from '../jobs/queue.ts';
import { recordAudit } from '../store/audit.ts';

export const MERGE_QUEUE = 'merge-run';

export interface MergeRequest {
  types: MergeType[];
  terms: string[];
  sendUpdates: boolean;
  dryRun: boolean;
  allowEmpty: boolean;
  force: boolean;
}

export type Trigger = 'manual' | 'nightly' | 'real_time';

/** Reference types first (their records are what term records point to), then per term in dependency order. */
const APPLY_ORDER: MergeType[] = ['terms', 'departments', 'buildings', 'rooms', 'instructors', 'courses', 'sections', 'relationships'];

/**
 * A run's items: each reference type once, then per term each term-specific type that runs for
 * it. A manual run takes every chosen type for every chosen term; the nightly takes each type's
 * own enabled terms (src/sync/nightly.ts).
 */
export function runItems(types: MergeType[], termsOf: (type: TermSpecificType) => string[]): RunItem[] {
  const wanted = APPLY_ORDER.filter((t) => types.includes(t));
  const reference = wanted.filter((t) => !isTermSpecific(t)).map((type) => ({ type, termCode: null }));
  const termSpecific = wanted.filter(isTermSpecific);
  const terms = [...new Set(termSpecific.flatMap(termsOf))];
  const perTerm = terms.flatMap((termCode) => termSpecific.filter((type) => termsOf(type).includes(termCode)).map((type) => ({ type, termCode })));
  return [...reference, ...perTerm];
}
export interface RunItem {
  type: MergeType;
  termCode: string | null;
}

export async function startRun(
  db: Kysely<DB>,
  queue: JobQueue,
  actor: Actor,
  trigger: Trigger,
  request: MergeRequest,
  termsOf: (type: TermSpecificType) => string[] = () => request.terms,
): Promise<string> {
  const unknownTypes = request.types.filter((t) => !(MERGE_TYPES as readonly string[]).includes(t));
  if (unknownTypes.length) throw new InvalidError('Unknown merge types.', [{ field: 'types', message: `Unknown: ${unknownTypes.join(', ')}` }]);
  // Courses, sections and relationships merge per term: without terms they would be dropped
  // from the run silently, and the run would report success for work it never did.
  const termless = request.types.filter(isTermSpecific).filter((type) => !termsOf(type).length);
  if (termless.length)
    throw new InvalidError(`Pick the terms to merge ${termless.join(', ')} for: they merge per term.`, [
      { field: 'terms', message: `Required for ${termless.join(', ')}` },
    ]);
  const items = runItems(request.types, termsOf);
  if (!items.length) throw new InvalidError('Nothing to merge: pick merge types.', [{ field: 'types', message: 'Nothing selected' }]);
  if (request.terms.length && !request.types.includes('terms')) {
    const known = new Set((await db.selectFrom('terms').select('code').where('code', 'in', request.terms).execute()).map((t) => t.code));
    const unknown = request.terms.filter((code) => !known.has(code));
    if (unknown.length)
      throw new InvalidError(`Unknown term ${unknown.join(', ')}: merge terms first.`, [{ field: 'terms', message: `Unknown: ${unknown.join(', ')}` }]);
  }
  try {
    return await db.transaction().execute(async (trx) => {
      const run = await trx
        .insertInto('merge_runs')
        .values({ trigger, actor_name: actor.name, options: JSON.stringify(request) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('merge_run_items')
        .values(items.map((item, position) => ({ run_id: run.id, position, merge_type: item.type, term_code: item.termCode, counts: '{}' })))
        .execute();
      // Who started it and with which options (force, allowEmpty…): the run's own entries carry only its id.
      await recordAudit(trx, actor, { action: 'start', entityType: 'merge_run', entityId: run.id, changes: fieldChanges(null, { trigger, ...request }) });
      await queue.enqueue(trx, MERGE_QUEUE, { runId: run.id });
      return run.id;
    });
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    const busy = await db
      .selectFrom('merge_run_items')
      .select(['run_id', 'merge_type', 'term_code'])
      .where('status', 'in', ['waiting', 'running'])
      .where((eb) =>
        eb.or(items.map((i) => eb.and([eb('merge_type', '=', i.type), i.termCode === null ? eb('term_code', 'is', null) : eb('term_code', '=', i.termCode)]))),
      )
      .executeTakeFirst();
    throw new ConflictError(
      busy
        ? `A merge of ${busy.merge_type}${busy.term_code ? ` for ${busy.term_code}` : ''} is already running (run ${busy.run_id}); wait for it to finish.`
        : 'A merge of the same types and terms is already running.',
      busy ? { runningRunId: busy.run_id } : {},
    );
  }
}

/**
 * A push batch (`coursebridge push`) as a run: no merge items, `sendUpdates` only; its report holds
 * what was posted and what failed, and it is listed with the merges in the run history.
 */
export async function startPushRun(db: Kysely<DB>, actor: Actor, terms: string[]): Promise<string> {
  const options: MergeRequest = { types: [], terms, sendUpdates: true, dryRun: false, allowEmpty: false, force: false };
  return db.transaction().execute(async (trx) => {
    const run = await trx
      .insertInto('merge_runs')
      .values({ trigger: 'manual', actor_name: actor.name, options: JSON.stringify(options), status: 'running', started_at: sql`now()`, heartbeat_at: sql`now()` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'start', entityType: 'merge_run', entityId: run.id, changes: fieldChanges(null, { trigger: 'manual', ...options }) });
    return run.id;
  });
}

/** Succeeded when every post went; partial when some did; failed when none did or the batch stopped with an error. */
export async function finishPushRun(db: Kysely<DB>, runId: string, outcome: { posted: number; failed: number } | { error: unknown }) {
  if ('error' in outcome) {
    const { error } = outcome;
    return markRun(db, runId, 'failed', `Posting failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!outcome.failed) return markRun(db, runId, 'succeeded');
  return markRun(db, runId, outcome.posted ? 'partial' : 'failed', `${outcome.failed} of ${outcome.posted + outcome.failed} posts failed; see the report.`);
}

export async function markRun(db: Kysely<DB>, runId: string, status: RunStatus, error: string | null = null) {
  const finished = status !== 'running' && status !== 'queued';
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('merge_runs')
      .set({
        status,
        error,
        heartbeat_at: sql`now()`,
        ...(status === 'running' && { started_at: sql`now()` }),
        ...(finished && { finished_at: sql`now()` }),
      } as never)
      .where('id', '=', runId)
      .execute();
    // A run that ends ends all of it: an item whose last write was lost does not stay running.
    if (finished)
      await trx
        .updateTable('merge_run_items')
        .set({ status: 'failed', error: 'The run ended before this item did.', finished_at: sql`now()` } as never)
        .where('run_id', '=', runId)
        .where('status', 'in', ['waiting', 'running'])
        .execute();
  });
}

export async function markItem(
  db: Kysely<DB>,
  runId: string,
  position: number,
  update: { status?: RunItemStatus; fetched?: number; counts?: object; error?: string | null; startedAt?: Date },
) {
  // An item is marked running in the background (src/sync/merge-runner.ts), so its start is the
  // time it was taken up, not the time that write reached the database.
  await db
    .updateTable('merge_run_items')
    .set({
      ...(update.status && { status: update.status }),
      ...(update.startedAt && { started_at: update.startedAt }),
      ...(update.status && update.status !== 'running' && update.status !== 'waiting' && { finished_at: sql`now()` }),
      ...(update.fetched !== undefined && { fetched: update.fetched }),
      ...(update.counts && { counts: JSON.stringify(update.counts) }),
      ...(update.error !== undefined && { error: update.error }),
    } as never)
    .where('run_id', '=', runId)
    .where('position', '=', position)
    .execute();
  await db.updateTable('merge_runs').set({ heartbeat_at: sql`now()` } as never).where('id', '=', runId).execute();
}

/**
 * How often a run in progress writes its heartbeat, on its own timer: nothing else writes it while
 * one long transaction applies a term. Twenty beats fit in STALE_RUN_MS, so only a run whose
 * process is gone goes that long without one.
 */
export const RUN_HEARTBEAT_MS = 30_000;
/** How long a run may go without a heartbeat before a process's check calls it interrupted. */
export const STALE_RUN_MS = 10 * 60_000;

// Runs this process is executing, with their heartbeat timers. They are alive whatever their
// heartbeat says: on PGlite a heartbeat waits behind a long apply like every other statement.
const aliveHere = new Map<string, { holders: number; timer: NodeJS.Timeout }>();

/** Writes the run's heartbeat every RUN_HEARTBEAT_MS until the function it answers is called. */
export function keepRunAlive(db: Kysely<DB>, runId: string): () => void {
  const held = aliveHere.get(runId);
  if (held) held.holders++;
  else {
    let beating = false;
    const beat = () => {
      if (beating) return; // the last one still waits for the database
      beating = true;
      void db
        .updateTable('merge_runs')
        .set({ heartbeat_at: sql`now()` } as never)
        .where('id', '=', runId)
        .where('status', '=', 'running')
        .execute()
        .catch(() => {}) // a missed beat is made up by the next; twenty may be missed
        .finally(() => (beating = false));
    };
    const timer = setInterval(beat, RUN_HEARTBEAT_MS);
    timer.unref();
    aliveHere.set(runId, { holders: 1, timer });
  }
  let released = false;
  return () => {
    const entry = aliveHere.get(runId);
    if (released || !entry) return;
    released = true;
    if (--entry.holders > 0) return;
    clearInterval(entry.timer);
    aliveHere.delete(runId);
  };
}

const INTERRUPTED = 'Interrupted: the process running it stopped. Items not finished wrote nothing; run the merge again.';

/**
 * Runs a process stopped in the middle of: running with no heartbeat since `staleBefore` (when
 * null, the database's clock — the one heartbeats are written by — minus STALE_RUN_MS), or queued
 * that long ago with no job left to take them up (it failed before claiming its run). A queued run
 * whose job still waits is not stopped: it waits its turn behind a long merge. Runs this process
 * is executing are alive, whatever their heartbeat says.
 */
export async function failInterruptedRuns(db: Kysely<DB>, staleBefore: Date | null): Promise<string[]> {
  const cutoff = staleBefore ?? sql`now() - make_interval(secs => ${STALE_RUN_MS / 1000})`;
  const stale = await db
    .selectFrom('merge_runs as r')
    .select('r.id')
    .where((eb) =>
      eb.or([
        eb.and([eb('r.status', '=', 'running'), sql<boolean>`coalesce(r.heartbeat_at, r.started_at, r.queued_at) < ${cutoff}`]),
        eb.and([
          eb('r.status', '=', 'queued'),
          sql<boolean>`r.queued_at < ${cutoff}`,
          sql<boolean>`not ${liveJobWith(MERGE_QUEUE, 'runId', sql`r.id::text`)}`,
        ]),
      ]),
    )
    .$if(aliveHere.size > 0, (q) => q.where('r.id', 'not in', [...aliveHere.keys()]))
    .execute();
  return failRuns(db, stale.map((r) => r.id), INTERRUPTED);
}

/**
 * Ends runs still queued or running as failed with `message`, with each item not finished (those
 * finished keep their outcome). Each item applies in one transaction, so an unfinished one wrote
 * nothing and can simply run again; its type × term is free for a new run once this commits.
 */
export async function failRuns(db: Kysely<DB>, ids: string[], message: string): Promise<string[]> {
  if (!ids.length) return [];
  return db.transaction().execute(async (trx) => {
    // Only those still unfinished: one may have ended on its own since it was found stale.
    const failed = (
      await trx
        .updateTable('merge_runs')
        .set({ status: 'failed', error: message, finished_at: sql`now()` } as never)
        .where('id', 'in', ids)
        .where('status', 'in', ['queued', 'running'])
        .returning('id')
        .execute()
    ).map((r) => r.id);
    if (failed.length)
      await trx
        .updateTable('merge_run_items')
        .set({ status: 'failed', error: message, finished_at: sql`now()` } as never)
        .where('run_id', 'in', failed)
        .where('status', 'in', ['waiting', 'running'])
        .execute();
    return failed;
  });
}

// Reading runs for the API.

// A run with its items (as a JSON array) in one statement: the list is one query, and progress,
// polled while a run goes, costs one.
const runQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('merge_runs as r')
    .selectAll('r')
    .select((eb) => jsonArrayFrom(eb.selectFrom('merge_run_items as i').selectAll('i').whereRef('i.run_id', '=', 'r.id').orderBy('i.position')).as('items'));

// Timestamps inside the JSON array arrive as text.
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function runOf(run: Awaited<ReturnType<ReturnType<typeof runQuery>['executeTakeFirstOrThrow']>>) {
  return {
    id: run.id,
    trigger: run.trigger,
    actor: run.actor_name,
    options: run.options as unknown as MergeRequest,
    status: run.status,
    queuedAt: iso(run.queued_at)!,
    startedAt: iso(run.started_at),
    finishedAt: iso(run.finished_at),
    error: run.error,
    items: run.items.map((i) => ({
      type: i.merge_type as MergeType,
      term: i.term_code,
      status: i.status,
      fetched: i.fetched,
      counts: i.counts as Record<string, number>,
      error: i.error,
      startedAt: iso(i.started_at),
      finishedAt: iso(i.finished_at),
    })),
  };
}

export async function getRun(db: Kysely<DB>, id: string) {
  const run = await runQuery(db).where('r.id', '=', id).executeTakeFirst();
  if (!run) throw new NotFoundError('merge run', id);
  return runOf(run);
}
export type RunView = Awaited<ReturnType<typeof getRun>>;

export async function listRuns(db: Kysely<DB>, filter: { status?: RunStatus; trigger?: Trigger; limit?: number; before?: string }) {
  let query = runQuery(db).orderBy('r.queued_at', 'desc').orderBy('r.id', 'desc');
  if (filter.status) query = query.where('r.status', '=', filter.status);
  if (filter.trigger) query = query.where('r.trigger', '=', filter.trigger);
  if (filter.before) query = query.where('r.queued_at', '<', new Date(filter.before));
  return (await query.limit(filter.limit ?? 50).execute()).map(runOf);
}

export async function runChanges(db: Kysely<DB>, runId: string, filter: { kind?: string; type?: string; afterId?: number; limit?: number }) {
  let query = db.selectFrom('merge_run_changes').selectAll().where('run_id', '=', runId).orderBy('id');
  if (filter.kind) query = query.where('kind', '=', filter.kind as never);
  if (filter.type) query = query.where('merge_type', '=', filter.type);
  if (filter.afterId) query = query.where('id', '>', filter.afterId);
  const rows = await query.limit(filter.limit ?? 500).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.merge_type,
    term: r.term_code,
    kind: r.kind,
    entityId: r.entity_id,
    sisKey: r.sis_key,
    label: r.label,
    fields: r.fields as unknown[],
    message: r.message,
    raw: r.raw,
  }));
}
