import { Command, Option } from 'commander';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { isTermSpecific, MERGE_TYPES, type MergeType } from '../../domain/merge-settings.ts';
import type { Runtime } from '../../runtime.ts';
import { executeRun } from '../../sync/merge-runner.ts';
import { getRun, startRun, type RunView } from '../../sync/runs.ts';
import { CliError, cliActor, list, withRuntime } from '../open.ts';

export function mergeCommand(): Command {
  return new Command('merge')
    .description('Pull from the SIS now (Execute Merge), with a progress bar and a summary; exits 1 unless every part succeeded (and every post, with --send-updates)')
    .option('--type <types>', `only these merge types, comma-separated or repeated: ${MERGE_TYPES.join(', ')} (default: all of them; courses, sections and relationships only with --term)`, list)
    .option('--term <codes>', 'term codes for courses, sections and relationships', list, [])
    .option('--send-updates', 'after pulling, post the hub\'s pending changes for these terms (those enabled for posting)')
    .option('--dry-run', 'compute and report the diff, write nothing')
    .option('--allow-empty', 'accept an empty SIS dataset for a term that has data')
    .option('--force', 'apply even when deletions exceed the threshold')
    .addOption(new Option('--quiet', 'no progress bar'))
    .action(async (options: { type?: string[]; term: string[]; sendUpdates?: boolean; dryRun?: boolean; allowEmpty?: boolean; force?: boolean; quiet?: boolean }) => {
      // Everything, as Execute Merge of every type: the runner orders the types (reference data
      // first, then per term in the connector's order); the per-term types need terms to run for.
      const types = options.type ?? MERGE_TYPES.filter((t) => options.term.length > 0 || !isTermSpecific(t));
      const unknown = types.filter((t) => !(MERGE_TYPES as readonly string[]).includes(t));
      if (unknown.length) throw new CliError(`Unknown merge type ${unknown.join(', ')}; use ${MERGE_TYPES.join(', ')}.`);
      await withRuntime(async (runtime) => {
        const { database } = runtime;
        const runId = await startRun(database.db, runtime.queue, cliActor(), 'manual', {
          types: types as MergeType[],
          terms: options.term,
          sendUpdates: Boolean(options.sendUpdates),
          dryRun: Boolean(options.dryRun),
          allowEmpty: Boolean(options.allowEmpty),
          force: Boolean(options.force),
        });
        const progress = options.quiet || !process.stderr.isTTY ? null : setInterval(async () => draw(await getRun(database.db, runId)), 200);
        // Send Updates as the server's workers run it: through the push engine, counted here.
        const sent: Posted[] = [];
        const sendUpdates = async (terms: string[], id: string) => {
          sent.push(await runtime.sendUpdates(terms, id));
        };
        await executeRun({ db: database.db, connections: runtime.connections, sendUpdates }, runId);
        let run = await getRun(database.db, runId);
        // Another process may have claimed it (PostgreSQL): follow it to the end.
        while (!run.finishedAt) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          run = await getRun(database.db, runId);
        }
        if (progress) clearInterval(progress);
        if (progress) process.stderr.write('\r\x1b[K');
        process.stdout.write(summary(run, sent[0], await firstErrors(database.db, run)));
        process.exitCode = run.status === 'succeeded' && !sent[0]?.failed ? 0 : 1;
      });
    });
}

function draw(run: RunView) {
  const done = run.items.filter((i) => i.finishedAt).length;
  const current = run.items.find((i) => i.status === 'running');
  const width = 24;
  const filled = Math.round((done / run.items.length) * width);
  const label = current ? `${current.type}${current.term ? ` ${current.term}` : ''}: ${current.fetched} fetched` : run.status;
  process.stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${run.items.length} ${label}`);
}

type Posted = Awaited<ReturnType<Runtime['sendUpdates']>>;

/** How many of an item's error messages the summary shows; the run's report holds them all. */
const SHOWN_ERRORS = 3;

/** The first few error messages of each item that reported errors, by the item's position. */
async function firstErrors(db: Kysely<DB>, run: RunView): Promise<Map<number, string[]>> {
  const shown = new Map<number, string[]>();
  for (const [position, item] of run.items.entries()) {
    if (!item.counts.errors) continue;
    const rows = await db
      .selectFrom('merge_run_changes')
      .select(['label', 'message'])
      .where('run_id', '=', run.id)
      .where('kind', '=', 'error')
      .where('merge_type', '=', item.type)
      .where('term_code', item.term === null ? 'is' : '=', item.term)
      .orderBy('id')
      .limit(SHOWN_ERRORS)
      .execute();
    const more = item.counts.errors - rows.length;
    shown.set(position, [...rows.map((r) => `${r.label}: ${r.message ?? 'error'}`), ...(more > 0 ? [`… and ${more} more`] : [])]);
  }
  return shown;
}

function summary(run: RunView, sent: Posted | undefined, errors: Map<number, string[]>): string {
  const rows = run.items.map((i, position) => {
    const c = i.counts;
    const counts = ['created', 'updated', 'unchanged', 'deleted', 'conflicts', 'errors'].map((k) => `${k} ${c[k] ?? 0}`).join(', ');
    const reasons = [...(i.error ? [i.error] : []), ...(errors.get(position) ?? [])].map((line) => `\n    ${line}`);
    return `  ${i.type.padEnd(13)} ${(i.term ?? '').padEnd(10)} ${i.status.padEnd(9)} ${counts}${reasons.join('')}`;
  });
  // Not known when another process (PostgreSQL) ran it: its report holds what was posted.
  const posts = sent ? `  Send Updates: posted ${sent.posted}, failed ${sent.failed}\n` : '';
  const report = errors.size ? `Every error is in the run's report: GET /api/v1/admin/merges/${run.id}/changes?kind=error (Admin › Merges).\n` : '';
  // A run that failed as a whole (no SIS connection) said why on each item already.
  const error = run.error && !run.items.some((i) => i.error === run.error) ? `${run.error}\n` : '';
  return `Merge ${run.id}: ${run.status}${run.options.dryRun ? ' (dry run: nothing written)' : ''}\n${rows.join('\n')}\n${posts}${report}${error}`;
}
