// Merge settings: read (defaults until first saved), save as a new version with history and an
// audit entry, and the term guard (a term the SIS does not know cannot be enabled; a term still
// enabled after it ended is flagged).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { InvalidError, StaleVersionError } from '../domain/errors.ts';
import {
  defaultMergeSettings,
  isTermSpecific,
  MERGE_TYPES,
  mergeSettings,
  type MergeSettings,
} from '../domain/merge-settings.ts';
import type { Actor } from '../domain/permissions.ts';
import type { PhaseMergeSettings } from '../domain/phases.ts';
import { recordAudit } from '../store/audit.ts';
import { overridesOf, phaseOverridesColumn, type PhaseOverridesColumn } from '../store/phases.ts';
import { idList } from '../db/id-list.ts';
import type { PostedType, StatusRow } from './integration-store.ts';

export interface VersionedSettings {
  version: number;
  settings: MergeSettings;
}

// Every save and every post reads the settings; they change rarely. The parsed document is kept by
// its text (the text, not the version, because one process may open several databases), frozen
// so that no reader can change what the next one gets.
const parsedByText = new Map<string, MergeSettings>();
function parseDocument(text: string): MergeSettings {
  let settings = parsedByText.get(text);
  if (!settings) {
    const document = JSON.parse(text) as object;
    // Parsing through the schema keeps documents saved by older versions valid as fields are added.
    const parsed = mergeSettings.safeParse(document);
    settings = deepFreeze(parsed.success ? parsed.data : { ...defaultMergeSettings(), ...document });
    if (parsedByText.size >= 8) parsedByText.delete(parsedByText.keys().next().value!);
    parsedByText.set(text, settings);
  }
  return settings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export async function getMergeSettings(db: Kysely<DB>): Promise<VersionedSettings> {
  const row = await db.selectFrom('merge_settings').select(['version', sql<string>`document::text`.as('text')]).where('id', '=', 1).executeTakeFirst();
  return versioned(row?.version ?? null, row?.text ?? null);
}

/** The stored settings (defaults until first saved). */
function versioned(version: number | null, text: string | null): VersionedSettings {
  return version === null || text === null ? { version: 0, settings: defaultMergeSettings() } : { version, settings: parseDocument(text) };
}

/**
 * The merge settings with the codes of the given terms (all terms when none are given), in one
 * statement: every save and every read of a record's integration status needs both. `statusesOf`:
 * also the integration status rows of these records, for a read that shows them. `phasesAt`: also
 * the overrides of these terms' phases in force then, by term code, for a save deciding its post.
 */
export async function settingsWithTerms(
  db: Kysely<DB>,
  termIds?: readonly string[],
  statusesOf?: { type: PostedType; ids: readonly string[] },
  phasesAt?: Date,
): Promise<VersionedSettings & { termCodes: Map<string, string>; statuses: StatusRow[]; phases: Map<string, PhaseMergeSettings> }> {
  const which = termIds ? sql`where t.id in (${sql.join(idList(termIds))})` : sql``;
  const statuses = statusesOf
    ? sql`(select coalesce(json_agg(st), '[]') from integration_status st where st.entity_type = ${statusesOf.type} and st.entity_id in (${sql.join(idList(statusesOf.ids))}))`
    : sql`'[]'::json`;
  const phases = phasesAt ? phaseOverridesColumn(termIds ? sql`and p.term_id in (${sql.join(idList(termIds))})` : sql``) : sql`null`;
  const { rows } = await sql<{ version: number | null; text: string | null; terms: [string, string][]; statuses: StatusRow[]; phases: PhaseOverridesColumn | null }>`
    select ms.version, ms.document::text as text,
      (select coalesce(json_agg(json_build_array(t.id, t.code)), '[]') from terms t ${which}) as terms,
      ${statuses} as statuses,
      ${phases} as phases
    from (values (1)) as one (id) left join merge_settings ms on ms.id = one.id`.execute(db);
  const [row] = rows;
  return {
    ...versioned(row.version, row.text),
    termCodes: new Map(row.terms),
    statuses: row.statuses,
    phases: row.phases && phasesAt ? overridesOf(row.phases, phasesAt) : new Map(),
  };
}

/** Term codes enabled for any term-specific type. */
export function enabledTermCodes(settings: MergeSettings): string[] {
  return [...new Set(MERGE_TYPES.filter(isTermSpecific).flatMap((t) => settings.types[t].enabledTerms))].sort();
}

export async function saveMergeSettings(
  db: Kysely<DB>,
  actor: Actor,
  next: MergeSettings,
  options: { version: number; comment?: string | null; sisTermCodes?: readonly string[] },
): Promise<VersionedSettings> {
  return db.transaction().execute(async (trx) => {
    const current = await getMergeSettings(trx);
    if (current.version !== options.version) throw new StaleVersionError('merge settings', current.version, current);
    if (options.sisTermCodes) {
      const known = new Set(options.sisTermCodes);
      const before = new Set(enabledTermCodes(current.settings));
      const errors = MERGE_TYPES.filter(isTermSpecific).flatMap((type) =>
        next.types[type].enabledTerms
          .filter((code) => !before.has(code) && !known.has(code))
          .map((code) => ({ field: `settings.types.${type}.enabledTerms`, message: `The SIS does not know the term ${code}` })),
      );
      if (errors.length) {
        const codes = [...new Set(errors.map((e) => e.message.split(' ').at(-1)))];
        throw new InvalidError(`The SIS does not know the term${codes.length > 1 ? 's' : ''} ${codes.join(', ')}; it cannot be enabled.`, errors);
      }
    }
    const version = current.version + 1;
    const document = JSON.stringify(next);
    await trx
      .insertInto('merge_settings')
      .values({ id: 1, version, document })
      .onConflict((oc) => oc.column('id').doUpdateSet({ version, document, updated_at: sql`now()` }))
      .execute();
    await trx
      .insertInto('merge_settings_history')
      .values({ version, document, actor_name: actor.name, comment: options.comment ?? null })
      .execute();
    await recordAudit(trx, actor, {
      action: 'update',
      entityType: 'merge_settings',
      entityId: '1',
      changes: fieldChanges(flatten(current.settings), flatten(next)),
      context: options.comment ? { comment: options.comment } : {},
    });
    return { version, settings: next };
  });
}

/** One level of dotted keys, so the audit shows `types.sections.realTime` rather than a whole blob. */
function flatten(settings: MergeSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'types') for (const [type, t] of Object.entries(value as object)) for (const [k, v] of Object.entries(t)) out[`types.${type}.${k}`] = v;
    else out[key] = value;
  }
  return out;
}

export async function settingsHistory(db: Kysely<DB>) {
  const rows = await db.selectFrom('merge_settings_history').selectAll().orderBy('version', 'desc').limit(200).execute();
  return rows.map((r) => ({
    version: r.version,
    settings: r.document as unknown as MergeSettings,
    actor: r.actor_name,
    comment: r.comment,
    at: r.at.toISOString(),
  }));
}

/** Enabled terms that have ended (by the institution's calendar date): flagged to the admin. */
export async function endedEnabledTerms(db: Kysely<DB>, settings: MergeSettings, today: string): Promise<string[]> {
  const codes = enabledTermCodes(settings);
  if (!codes.length) return [];
  const ended = await db.selectFrom('terms').select('code').where('code', 'in', codes).where('ends_on', '<', today).execute();
  return ended.map((t) => t.code).sort();
}
