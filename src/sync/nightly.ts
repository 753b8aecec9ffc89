// The nightly sync (DESIGN §4.7): at the configured local time (in the institution's time zone,
// the one phases are read in), merge each enabled type for each term enabled for that type, and
// then push what is pending. Any process may tick; the ledger's
// primary key on the local date lets exactly one of them start each night.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ConflictError } from '../domain/errors.ts';
import { dueNightly } from '../domain/nightly.ts';
import { isTermSpecific, MERGE_TYPES, nightlyMerges, type MergeSettings, type TermSpecificType } from '../domain/merge-settings.ts';
import { SYSTEM_ACTOR } from '../domain/permissions.ts';
import type { JobQueue } from '../jobs/queue.ts';
import { institutionTimeZone, phaseOverridesAt } from '../store/phases.ts';
import { startRun } from './runs.ts';
import { endedEnabledTerms, getMergeSettings, saveMergeSettings } from './settings-store.ts';
import { instantToLocal } from '../domain/zoned-time.ts';

export interface NightlyOutcome {
  localDate: string;
  runId: string | null;
  skipped?: string;
}

const nightlyActor = { ...SYSTEM_ACTOR, name: 'nightly sync' };

export async function nightlyTick(db: Kysely<DB>, queue: JobQueue, now: Date): Promise<NightlyOutcome | null> {
  const [{ settings, version }, timeZone] = await Promise.all([getMergeSettings(db), institutionTimeZone(db)]);
  const last = await db.selectFrom('nightly_runs').select('local_date').orderBy('local_date', 'desc').limit(1).executeTakeFirst();
  const localDate = dueNightly(now, timeZone, settings.nightlyTime, last?.local_date ?? null);
  if (!localDate) return null;
  const claimed = await db
    .insertInto('nightly_runs')
    .values({ local_date: localDate })
    .onConflict((oc) => oc.column('local_date').doNothing())
    .returning('local_date')
    .executeTakeFirst();
  if (!claimed) return null; // another process took this night
  // A new installation starts its schedule with the next night instead of syncing at first start.
  if (!last) return { localDate, runId: null, skipped: 'first start: the schedule begins with the next night' };
  if (settings.maintenance.on) return { localDate, runId: null, skipped: 'maintenance' };

  let current = settings;
  if (settings.removeEndedTerms) current = await dropEndedTerms(db, settings, version, instantToLocal(now, timeZone).slice(0, 10));
  // Each type merges only for its own enabled terms: a term enabled for sections is not thereby
  // enabled for relationships; a term's phase in force may hold its types back (or run them where
  // nightly is off). A term-specific type with no term to merge sits the night out.
  const phases = await phaseOverridesAt(db, now);
  const termsOf = (type: TermSpecificType) => current.types[type].enabledTerms.filter((code) => nightlyMerges(current, type, code, phases.get(code)));
  const types = MERGE_TYPES.filter((t) => (isTermSpecific(t) ? termsOf(t).length > 0 : current.types[t].enabled && current.types[t].nightly));
  if (!types.length) return { localDate, runId: null, skipped: 'no merge type runs nightly' };
  let runId: string;
  try {
    const request = { types, terms: [...new Set(types.filter(isTermSpecific).flatMap(termsOf))], sendUpdates: true, dryRun: false, allowEmpty: false, force: false };
    runId = await startRun(db, queue, nightlyActor, 'nightly', request, termsOf);
  } catch (error) {
    // The night is claimed either way: a nightly that overlaps a long-running merge is skipped, said so.
    if (error instanceof ConflictError) return { localDate, runId: null, skipped: error.message };
    throw error;
  }
  await db.updateTable('nightly_runs').set({ run_id: runId }).where('local_date', '=', localDate).execute();
  return { localDate, runId };
}

async function dropEndedTerms(db: Kysely<DB>, settings: MergeSettings, version: number, today: string): Promise<MergeSettings> {
  const ended = new Set(await endedEnabledTerms(db, settings, today));
  if (!ended.size) return settings;
  const next: MergeSettings = structuredClone(settings);
  for (const type of MERGE_TYPES) next.types[type].enabledTerms = next.types[type].enabledTerms.filter((code) => !ended.has(code));
  await saveMergeSettings(db, nightlyActor, next, { version, comment: `Removed ended terms: ${[...ended].join(', ')}` });
  return next;
}
