// Send Updates and the nightly's last steps (DESIGN §4.7): for each enabled term, post what is
// pending or never posted, then compare the hub with the SIS and post what still differs, noting
// each outcome in the run's report. Each post goes through the push engine.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SisMessage } from '../domain/integration-status.ts';
import { postingOn } from '../domain/merge-settings.ts';
import { phaseOverridesAt } from '../store/phases.ts';
import type { Fields } from '../domain/three-way.ts';
import { sameValue } from '../domain/same-value.ts';
import { mapLimit } from '../sis/concurrency.ts';
import { UnreadableRecord, type SisConnector } from '../sis/contract.ts';
import type { SisConnections } from './connection.ts';
import { relationshipFields, sectionFields } from './fields.ts';
import { hubRelationships, hubSections, sectionKeys } from './hub-records.ts';
import { changedWhileSyncOff, type PostedType } from './integration-store.ts';
import { postedLabels } from './posted-labels.ts';
import { writeReport, type ReportRow } from './run-report.ts';
import type { PushEngine } from './push.ts';
import { getMergeSettings } from './settings-store.ts';

/**
 * Send Updates (and the nightly's last steps): for each term enabled for sections or
 * relationships, post everything pending or never posted, then compare the hub with the SIS
 * and post what still differs. Records in the report of `runId`.
 */
export async function sendUpdates(
  deps: { db: Kysely<DB>; connections: SisConnections; clock: () => Date },
  engine: Pick<PushEngine, 'push'>,
  termCodes: string[],
  runId: string,
  trigger: 'nightly' | 'manual' = 'manual',
): Promise<{ posted: number; failed: number }> {
  const { db } = deps;
  // The nightly obeys each term's phase in force; an admin's Send Updates does not (postingOn).
  const [{ settings }, phases] = await Promise.all([getMergeSettings(db), phaseOverridesAt(db, deps.clock())]);
  const totals = { posted: 0, failed: 0 };
  // The maintenance switch holds every post; they go when it is lifted.
  if (settings.maintenance.on) return totals;
  const connector = await deps.connections.connector();
  for (const termCode of termCodes) {
    const term = await db.selectFrom('terms').select(['id', 'sis_key']).where('code', '=', termCode).executeTakeFirst();
    if (!term?.sis_key) continue;
    for (const type of ['sections', 'relationships'] as const) {
      if (!postingOn(settings, type, termCode, trigger, phases.get(termCode))) continue;
      const posted: PostedType = type === 'sections' ? 'section' : 'relationship';
      const candidates = new Set<string>();
      // 1. Everything pending, in error-free retry, never posted, or changed while sync was off
      //    (posted even if the SIS now equals it, so that its status settles).
      const pending = await db
        .selectFrom(`${type} as r` as 'sections as r')
        .leftJoin('integration_status as st', (j) => j.onRef('st.entity_id', '=', 'r.id').on('st.entity_type', '=', posted))
        .select(['r.id'])
        .where('r.term_id', '=', term.id)
        .where((eb) =>
          eb.or([
            eb('st.status', '=', 'pending'),
            changedWhileSyncOff,
            eb.and([eb('r.sis_key', 'is', null), eb('r.deleted_at', 'is', null), eb.or([eb('r.allow_integration', 'is', null), eb('r.allow_integration', '=', true)])]),
          ]),
        )
        .execute();
      for (const p of pending) candidates.add(p.id);
      // 2. Compare with the SIS now: what still differs goes too.
      for (const id of await differing(db, connector, type, term.id, term.sis_key)) candidates.add(id);
      const outcomes = await mapLimit([...candidates], 8, async (id) => ({ id, outcome: await engine.push(posted, id, { runId, trigger }) }));
      const failed = outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'retrying').map((o) => o.id);
      const statuses = new Map(
        failed.length
          ? (await db.selectFrom('integration_status').select(['entity_id', 'messages', 'raw']).where('entity_type', '=', posted).where('entity_id', 'in', failed).execute()).map((st) => [st.entity_id, st])
          : [],
      );
      // Named as schedulers know them ("CS 101 A01"), as everywhere else in the run's report.
      const labels = await postedLabels(db, outcomes.map((o) => ({ type: posted, id: o.id })));
      const rows: ReportRow[] = [];
      for (const { id, outcome } of outcomes) {
        const row = { entity_id: id, sis_key: null, label: labels.get(id) ?? `${posted} ${id}`, fields: [] };
        if (outcome === 'posted' || outcome === 'removed' || outcome === 'in_sync') {
          totals.posted++;
          rows.push({ ...row, kind: 'updated', message: 'Posted to the SIS', raw: null });
        } else if (outcome === 'failed' || outcome === 'retrying') {
          totals.failed++;
          const st = statuses.get(id);
          const messages = (st?.messages ?? []) as SisMessage[];
          rows.push({ ...row, kind: 'error', message: `Posting failed${outcome === 'retrying' ? ' (will retry)' : ''}: ${messages.map((m) => m.message).join('; ')}`, raw: st?.raw ?? null });
        }
      }
      await writeReport(db, runId, type, termCode, rows);
    }
  }
  return totals;
}

/** Hub records (with a SIS key) whose postable fields differ from the SIS's now. */
async function differing(db: Kysely<DB>, connector: SisConnector, type: 'sections' | 'relationships', termId: string, termKey: string): Promise<string[]> {
  const out: string[] = [];
  if (type === 'sections') {
    const hub = (await hubSections(db, { termId }, await sectionKeys(db))).filter((h) => h.sisKey && h.allowIntegration !== false);
    const byKey = new Map(hub.map((h) => [h.sisKey!, h]));
    const postable = new Set<string>(connector.capabilities.postableSectionFields);
    for await (const page of connector.sections(termKey))
      for (const s of page) {
        // A record the hub cannot read is not compared: the sections merge reports it.
        if (s instanceof UnreadableRecord) continue;
        const h = byKey.get(s.key);
        if (!h) continue;
        const theirs = sectionFields(s);
        if ([...postable].some((f) => !sameValue(h.fields[f], theirs[f]))) out.push(h.id);
      }
    return out;
  }
  const hub = (await hubRelationships(db, termId)).filter((h) => h.sisKey && h.allowIntegration !== false);
  const sis = new Map<string, Fields>();
  for await (const page of connector.relationships(termKey)) for (const r of page) if (!(r instanceof UnreadableRecord)) sis.set(r.key, relationshipFields(r));
  for (const h of hub) {
    const theirs = sis.get(h.sisKey!);
    if (theirs && !sameValue(h.fields, theirs)) out.push(h.id);
  }
  return out;
}