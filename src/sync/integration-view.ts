// Who sees integration status, and where (DESIGN §4.8): roles with integrationStatus.view, for
// terms where real-time or nightly sync is on for the record's type. Elsewhere the field is
// simply absent.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { postingOn, type MergeSettings } from '../domain/merge-settings.ts';
import { can, type Actor } from '../domain/permissions.ts';
import type { IntegrationStatusView, Section } from '../domain/schedule.ts';
import type { SectionRead } from '../store/sections.ts';
import { sectionCountsByStatus, viewsOf, type PostedType, type StatusRow } from './integration-store.ts';
import { getMergeSettings, settingsWithTerms, type VersionedSettings } from './settings-store.ts';

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
 * have a status to show (the sync dashboard and the metrics gauge); of their departments only for
 * a reader limited to `departmentIds` (null: every section).
 */
export async function shownSectionCounts(db: Kysely<DB>, departmentIds: readonly string[] | null = null) {
  return sectionCountsByStatus(db, [...syncedTerms('section', await settingsWithTerms(db))], departmentIds);
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
  return withViews(records, syncedTerms(type, read), read.statuses);
}

/** The records, those of `terms` with the status view made of their status row. */
function withViews<T extends { id: string; termId: string; sisKey: string | null }>(
  records: T[],
  terms: Set<string>,
  statusRows: StatusRow[],
): (T & { integrationStatus?: IntegrationStatusView })[] {
  const shown = records.filter((r) => terms.has(r.termId));
  if (!shown.length) return records;
  const views = viewsOf(shown, statusRows);
  return records.map((r) => (views.has(r.id) ? { ...r, integrationStatus: views.get(r.id) } : r));
}

/**
 * The merge settings at the version a read took with its records, for one database: read again only
 * after they changed (they change rarely), so that a read showing statuses is one statement.
 */
export function settingsAtVersion(db: Kysely<DB>): (version: number) => Promise<MergeSettings> {
  let last: VersionedSettings | undefined;
  return async (version) => {
    if (last?.version !== version) last = await getMergeSettings(db);
    return last.settings;
  };
}

/**
 * The sections of reads made by one statement, with `integrationStatus` where the actor may see it,
 * made of what each read took in the section's own statement (store/sections.ts `SectionRead`).
 */
export async function sectionsWithStatus(
  settingsAt: (version: number) => Promise<MergeSettings>,
  actor: Actor,
  reads: SectionRead[],
): Promise<(Section & { integrationStatus?: IntegrationStatusView })[]> {
  const sections = reads.map((r) => r.section);
  if (!reads.length || !can(actor, 'integrationStatus.view')) return sections;
  const settings = await settingsAt(reads[0].settingsVersion);
  const terms = syncedTerms('section', { settings, termCodes: new Map(reads.map((r) => [r.section.termId, r.termCode])) });
  return withViews(sections, terms, reads.flatMap((r) => (r.statusRow ? [r.statusRow as StatusRow] : [])));
}
