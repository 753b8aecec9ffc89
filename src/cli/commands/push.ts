// `coursebridge push`: what the nightly does after its merge, now — post what the hub holds
// pending or different from the SIS, in the terms enabled for posting — or post one section.
import { Command } from 'commander';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { postingOn } from '../../domain/merge-settings.ts';
import type { Runtime } from '../../runtime.ts';
import type { PushOutcome } from '../../sync/push-types.ts';
import { postedLabels } from '../../sync/posted-labels.ts';
import { finishPushRun, getRun, runChanges, startPushRun } from '../../sync/runs.ts';
import { getMergeSettings } from '../../sync/settings-store.ts';
import { CliError, cliActor, list, withRuntime } from '../open.ts';

export function pushCommand(): Command {
  return new Command('push')
    .description('Post to the SIS now what the hub holds pending or different from it, in the terms enabled for posting (as the nightly does); exits 1 unless every post went')
    .option('--term <codes>', 'only these terms, comma-separated or repeated', list, [])
    .option('--section <id>', 'only this section (its id)')
    .action(async (options: { term: string[]; section?: string }) => {
      const { section } = options;
      if (section !== undefined && options.term.length) throw new CliError('Use --term or --section, not both.');
      if (section !== undefined && !z.uuid().safeParse(section).success) throw new CliError(`--section takes a section's id (a UUID), not ${section}.`);
      await withRuntime(async (runtime) => {
        process.exitCode = section ? await pushSection(runtime, section) : await pushTerms(runtime, options.term);
      });
    });
}

/** Send Updates for the terms (every term enabled for posting when none are named), as one stored run. */
async function pushTerms(runtime: Runtime, only: string[]): Promise<number> {
  const { db } = runtime.database;
  const { settings } = await getMergeSettings(db);
  if (settings.maintenance.on) throw new CliError('The maintenance switch is on: posts wait until it is lifted.');
  const posting = (code: string) => postingOn(settings, 'sections', code, 'manual') || postingOn(settings, 'relationships', code, 'manual');
  const enabled = [...new Set([...settings.types.sections.enabledTerms, ...settings.types.relationships.enabledTerms])].filter(posting);
  const known = only.length ? new Set((await db.selectFrom('terms').select('code').where('code', 'in', only).execute()).map((t) => t.code)) : new Set();
  const unknown = only.filter((code) => !known.has(code));
  if (unknown.length) throw new CliError(`The hub has no term ${unknown.join(', ')}: terms come from the SIS with \`coursebridge merge --type terms\`.`);
  const refused = only.filter((code) => !posting(code));
  if (refused.length) throw new CliError(`Term ${refused.join(', ')} is not enabled for posting: enable it in the merge settings.`);
  const terms = only.length ? only : enabled;
  if (!terms.length) throw new CliError('No term is enabled for posting: enable one in the merge settings.');

  const runId = await startPushRun(db, cliActor(), terms);
  const outcome = await runtime.sendUpdates(terms, runId).catch((error: unknown) => ({ error }));
  await finishPushRun(db, runId, outcome);
  const run = await getRun(db, runId);
  const failures = (await runChanges(db, runId, { kind: 'error' })).map((c) => `  ${c.label}: ${c.message}\n`);
  const counts = 'error' in outcome ? '' : `  posted ${outcome.posted}, failed ${outcome.failed}\n`;
  process.stdout.write(`Push ${run.id} (${terms.join(', ')}): ${run.status}\n${counts}${failures.join('')}${run.error ? `${run.error}\n` : ''}`);
  return run.status === 'succeeded' ? 0 : 1;
}

const SAID: Record<PushOutcome, { ok: boolean; text: string }> = {
  posted: { ok: true, text: 'posted' },
  in_sync: { ok: true, text: 'already the same in the SIS' },
  removed: { ok: true, text: 'removed from the SIS (deleted in the hub)' },
  awaiting_sis_key: { ok: true, text: 'posted; the SIS has not published its key yet (the server looks again)' },
  paused: { ok: false, text: 'not posted: the maintenance switch is on' },
  not_enabled: { ok: false, text: 'not posted: its term is not enabled for posting' },
  integration_disabled: { ok: false, text: 'not posted: Allow integration is off for it' },
  waiting_for_sections: { ok: false, text: 'not posted: it waits for its sections' },
  busy: { ok: false, text: 'not posted: another process is posting it now' },
  retrying: { ok: false, text: 'failed (the server retries it)' },
  failed: { ok: false, text: 'failed' },
  gone: { ok: false, text: 'no such section' },
};

async function pushSection(runtime: Runtime, id: string): Promise<number> {
  const { db } = runtime.database;
  const outcome = await runtime.push.push('section', id, { trigger: 'manual' });
  if (outcome === 'gone') throw new NotFoundError('section', id);
  const label = (await postedLabels(db, [{ type: 'section', id }])).get(id) ?? id;
  const status = await db.selectFrom('integration_status').select('messages').where('entity_type', '=', 'section').where('entity_id', '=', id).executeTakeFirst();
  const messages = SAID[outcome].ok ? [] : ((status?.messages ?? []) as { message: string }[]).map((m) => `  ${m.message}\n`);
  process.stdout.write(`Section ${label}: ${SAID[outcome].text}\n${messages.join('')}`);
  return SAID[outcome].ok ? 0 : 1;
}
