// Who sees integration status, and where (DESIGN §4.8): roles with integrationStatus.view, for
// terms where real-time or nightly sync is on for the record's type. Elsewhere the field is
// simply absent.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { postingOn, type MergeSettings } from '../domain/merge-settings.ts';
import { can, type Actor } from '../domain/permissions.ts';
import type { IntegrationStatusView } from '../domain/schedule.ts';
import { sectionCountsByStatus, viewsOf, type PostedType } from './integration-store.ts';
import { settingsWithTerms } from './settings-store.ts';

/**
 * Term ids whose records of this type show a status to this actor; null = none at all.
 * `among`: only these terms are asked about (the records' own), otherwise every term.
 */
export async function visibleStatusTerms(db: Kysely<DB>, actor: Actor, type: PostedType, among?: readonly string[]): Promise<Set<string> | null> {
  if (!can(actor, 'integrationStatus.view')) return null;
  return syncedTerms(type, await settingsWithTerms(db, among));
}

/** Of the terms read, those where sync (real-time or nightly) is on for this type. */
function syncedTerms(type: PostedType, { settings, termCodes }: { settings: MergeSettings; termCodes: Map<string, string> }): Set<string> {
  const mergeType = type === 'section' ? 'sections' : 'relationships';
  return new Set([...termCodes].filter(([, code]) => postingOn(settings, mergeType, code, 'nightly')).map(([id]) => id));
}

/**
 * Sections per integration status in the terms where sync is on for sections, the only ones that
 * have a status to show (the sync dashboard and the metrics gauge).
 */
export async function shownSectionCounts(db: Kysely<DB>) {
  return sectionCountsByStatus(db, [...syncedTerms('section', await settingsWithTerms(db))]);
}

/** Adds `integrationStatus` to the records the actor may see it on. */
export async function withIntegrationStatus<T extends { id: string; termId: string; sisKey: string | null }>(
  db: Kysely<DB>,
  actor: Actor,
  type: PostedType,
  records: T[],
): Promise<(T & { integrationStatus?: IntegrationStatusView })[]> {
  if (!records.length || !can(actor, 'integrationStatus.view')) return records;
  // The settings, the terms and the status rows in one statement: every read and save of a record answers with it.
  const read = await settingsWithTerms(db, [...new Set(records.map((r) => r.termId))], { type, ids: records.map((r) => r.id) });
  const terms = syncedTerms(type, read);
  const shown = records.filter((r) => terms.has(r.termId));
  if (!shown.length) return records;
  const views = viewsOf(shown, read.statuses);
  return records.map((r) => (views.has(r.id) ? { ...r, integrationStatus: views.get(r.id) } : r));
}
