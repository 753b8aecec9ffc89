// Executes a merge run: reference types first, then per term fetching in the connector's declared
// order (PeopleSoft reads sections before courses) and applying in dependency order (courses,
// sections, relationships), each type × term in its own transaction.
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB, RunStatus } from '../db/schema.ts';
import type { MergeType } from '../domain/merge-settings.ts';
import type { Actor } from '../domain/permissions.ts';
import { SisError } from '../sis/errors.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { SisConnections } from './connection.ts';
import { applyItem, fetchItem, resolveTerm, type Fetched, type ItemContext, type ItemResult } from './merge-item.ts';
import { failRuns, getRun, keepRunAlive, markItem, markRun, type MergeRequest } from './runs.ts';
import { escapeNul } from '../domain/nul.ts';
import { getMergeSettings } from './settings-store.ts';

export interface RunnerDeps {
  db: Kysely<DB>;
  connections: SisConnections;
  /** Send Updates: push what the hub has pending for these terms after the pull (the posting engine). */
  sendUpdates?: (termCodes: string[], runId: string) => Promise<void>;
  /** Each run's start, each item's outcome and the run's end are logged with the run's id. */
  logger?: Logger;
}

// NULs written out: the message is stored, and PostgreSQL cannot store one (a SIS echoing a key that holds one).
const describe = (error: unknown) =>
  escapeNul(error instanceof SisError ? `The SIS answered ${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));

/** A failure in a log line: the SIS's code and message (as src/sync/push-context.ts logs them), or the error with its stack. */
const logged = (error: unknown) => (error instanceof SisError ? { code: error.code, err: error.message } : { err: error });

export async function executeRun(deps: RunnerDeps, runId: string): Promise<void> {
  // Claim the run atomically: a CLI and a worker process may both be handed it.
  const claimed = await deps.db
    .updateTable('merge_runs')
    .set({ status: 'running', started_at: sql`now()`, heartbeat_at: sql`now()` } as never)
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return; // already taken, done, or failed as interrupted
  const release = keepRunAlive(deps.db, runId);
  const items = new ItemWrites(deps.db, runId);
  const log = deps.logger?.child({ runId });
  const started = performance.now();
  try {
    const { status, error } = await mergeRun(deps, runId, items, log);
    await items.settled();
    await markRun(deps.db, runId, status, error);
    log?.[status === 'succeeded' ? 'info' : 'warn']({ status, error, ms: Math.round(performance.now() - started) }, 'merge run finished');
  } catch (error) {
    log?.error({ err: error }, 'merge run stopped');
    // Whatever escaped (the database, a fault in the runner): the run ends failed rather than stay
    // running, which would hold its types × terms (409) for good. The item being applied rolled
    // back whole; what a fetch still going in the background reports is not written over it.
    items.close();
    await items.settled();
    await failRuns(deps.db, [runId], `The merge stopped: ${describe(error)}`);
  } finally {
    release();
  }
}

/**
 * An item's progress and status, written in the background, in order, the latest count winning: a
 * fetch never waits for the database, which may be busy applying the previous term in one long
 * transaction (PGlite has one connection, so anything else waits for that to commit).
 */
class ItemWrites {
  readonly #db: Kysely<DB>;
  readonly #runId: string;
  readonly #chains = new Map<number, Promise<void>>();
  readonly #latest = new Map<number, number>();
  #closed = false;

  constructor(db: Kysely<DB>, runId: string) {
    this.#db = db;
    this.#runId = runId;
  }

  write(position: number, update: () => Parameters<typeof markItem>[3]): Promise<void> {
    const written = (this.#chains.get(position) ?? Promise.resolve()).then(() =>
      this.#closed ? undefined : markItem(this.#db, this.#runId, position, update()),
    );
    this.#chains.set(position, written.catch(() => {}));
    return written;
  }

  progress(position: number, count: number): void {
    const queued = this.#latest.has(position);
    this.#latest.set(position, count);
    if (queued) return;
    void this.write(position, () => {
      const fetched = this.#latest.get(position);
      this.#latest.delete(position);
      return { fetched };
    }).catch(() => {});
  }

  start(position: number): void {
    void this.write(position, () => ({ status: 'running', startedAt: new Date() })).catch(() => {});
  }

  /** Every write queued so far has landed (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.#chains.values());
  }

  /** The run is ending: writes not yet made are dropped. */
  close(): void {
    this.#closed = true;
  }
}

/** Fetches and applies every item of a claimed run; answers how the run ended. */
async function mergeRun(deps: RunnerDeps, runId: string, writes: ItemWrites, log: Logger | undefined): Promise<{ status: RunStatus; error: string | null }> {
  const run = await getRun(deps.db, runId);
  const request = run.options as MergeRequest;
  log?.info({ trigger: run.trigger, actor: run.actor, ...request }, 'merge run started');
  let connectorError: string | null = null;
  const sis = await deps.connections.forMerge().catch((error: unknown) => {
    connectorError = describe(error);
    log?.warn(logged(error), 'merge run has no SIS to read');
    return null;
  });
  if (!sis) {
    for (const [position] of run.items.entries()) await writes.write(position, () => ({ status: 'failed', error: connectorError }));
    return { status: 'failed', error: connectorError };
  }
  const { connector, fetcher } = sis;
  const { settings } = await getMergeSettings(deps.db);
  const actor: Actor = {
    type: 'system',
    id: runId,
    name: `merge run ${runId.slice(0, 8)} (${run.trigger})`,
    permissions: new Set(),
    products: [],
    departmentIds: null,
    roleId: null,
  };
  const results: ItemResult['status'][] = [];
  const context = (position: number): ItemContext => ({
    db: deps.db,
    fetcher,
    settings,
    runId,
    actor,
    dryRun: request.dryRun,
    allowEmpty: request.allowEmpty,
    force: request.force,
    onFetched: (count) => writes.progress(position, count),
  });
  const positions = run.items.map((item, position) => ({ ...item, position }));
  // When each item's fetch began (one never begun, its term unknown, counts from the run's start).
  const runStarted = performance.now();
  const began = new Map<number, number>();
  const begin = (position: number) => {
    began.set(position, performance.now());
    writes.start(position);
  };
  const itemLine = (position: number) => ({
    type: positions[position].type,
    term: positions[position].term,
    ms: Math.round(performance.now() - (began.get(position) ?? runStarted)),
  });
  const finish = async (position: number, result: ItemResult) => {
    results.push(result.status);
    const line = { ...itemLine(position), status: result.status, counts: result.counts, error: result.error };
    log?.[result.status === 'succeeded' || result.status === 'partial' ? 'info' : 'warn'](line, 'merge item finished');
    await writes.write(position, () => ({ status: result.status, counts: result.counts, error: result.error }));
  };
  const fail = async (position: number, error: unknown) => {
    results.push('failed');
    log?.warn({ ...itemLine(position), status: 'failed', ...logged(error) }, 'merge item failed');
    await writes.write(position, () => ({ status: 'failed', error: describe(error) }));
  };

  const terms = [...new Set(positions.filter((i) => i.term !== null).map((i) => i.term!))];
  let resolved = new Map<string, Awaited<ReturnType<typeof resolveTerm>>>();
  // Everything of a term is fetched before any of it is written; the next term's fetch runs while
  // this one's is applied, so the SIS and the database work at the same time.
  const fetchTerm = async (termCode: string) => {
    const items = positions.filter((i) => i.term === termCode);
    const term = resolved.get(termCode)!;
    const fetched = new Map<MergeType, Fetched>();
    // A failure found while fetching is written in the background too: awaiting it would hold the
    // fetch behind the previous term's apply. The run is marked only once every such write landed.
    const failLater = (position: number, error: unknown) => void fail(position, error).catch(() => {});
    if (typeof term === 'string') {
      for (const item of items) failLater(item.position, new Error(term));
      return { items, term: null, fetched };
    }
    const fetchOrder = [...items].sort(
      (a, b) => connector.capabilities.mergeOrder.indexOf(a.type as never) - connector.capabilities.mergeOrder.indexOf(b.type as never),
    );
    for (const item of fetchOrder) {
      begin(item.position);
      try {
        fetched.set(item.type, await fetchItem(context(item.position), item.type, termCode, term.sisKey));
      } catch (error) {
        failLater(item.position, error);
      }
    }
    return { items, term, fetched };
  };
  // Terms are resolved once their own merge has run. The first term's SIS read then begins while
  // the other reference types merge: it needs the term's SIS key, not the rooms or instructors.
  let next: ReturnType<typeof fetchTerm> | null = null;
  let termsMerged = false;
  const beginTerms = () => {
    if (next || !terms.length) return;
    next = Promise.all(terms.map(async (code) => [code, await resolveTerm(deps.db, code, termsMerged)] as const)).then((pairs) => {
      resolved = new Map(pairs);
      return fetchTerm(terms[0]);
    });
    next.catch(() => {}); // awaited below, once the reference types are merged
  };
  for (const item of positions.filter((i) => i.term === null)) {
    begin(item.position);
    try {
      const fetched = await fetchItem(context(item.position), item.type, null, null);
      const result = await applyItem(context(item.position), fetched, null);
      await finish(item.position, result);
      if (item.type === 'terms') termsMerged = result.status === 'succeeded' && !request.dryRun;
    } catch (error) {
      await fail(item.position, error);
    }
    if (item.type === 'terms') beginTerms();
  }
  beginTerms();

  // Applies term t once it is fetched, and starts fetching term t + 1 as it begins.
  const applyTerm = async (t: number) => {
    const { items, term, fetched } = await next!;
    next = t + 1 < terms.length ? fetchTerm(terms[t + 1]) : null;
    next?.catch(() => {}); // awaited by the next applyTerm, or dropped if the run stops first
    if (!term) return;
    for (const item of items) {
      const data = fetched.get(item.type);
      if (!data) continue;
      try {
        await finish(item.position, await applyItem(context(item.position), data, term.id));
      } catch (error) {
        await fail(item.position, error);
      }
    }
  };
  for (let t = 0; t < terms.length; t++) {
    await applyTerm(t);
    // Nothing refers to the applied term any more: collect it before the next one arrives.
    collectGarbage();
  }

  let error: string | null = null;
  if (request.sendUpdates && !request.dryRun && deps.sendUpdates) {
    try {
      await deps.sendUpdates(terms, runId);
    } catch (failure) {
      results.push('failed');
      error = `Send Updates failed: ${describe(failure)}`;
    }
  }
  await writes.settled();
  const ok = results.filter((s) => s === 'succeeded').length;
  const status = ok === results.length ? 'succeeded' : ok === 0 && results.every((s) => s === 'failed') ? 'failed' : 'partial';
  return { status, error };
}
