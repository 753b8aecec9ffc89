// A push batch (`coursebridge push`) as a stored run: a run with no merge items whose report
// holds what Send Updates posted and what failed, listed with the merges in the run history.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Actor } from '../domain/permissions.ts';
import { markRun, type MergeRequest } from '../sync/runs.ts';

export async function startPushRun(db: Kysely<DB>, actor: Actor, terms: string[]): Promise<string> {
  const options: MergeRequest = { types: [], terms, sendUpdates: true, dryRun: false, allowEmpty: false, force: false };
  const run = await db
    .insertInto('merge_runs')
    .values({ trigger: 'manual', actor_name: actor.name, options: JSON.stringify(options), status: 'running', started_at: sql`now()`, heartbeat_at: sql`now()` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
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
