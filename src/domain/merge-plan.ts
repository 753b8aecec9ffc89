// What one merge of one type × term will do, decided before anything is written (DESIGN §4):
// records matched by SIS key (or, for hub records the SIS never acknowledged, by natural key),
// merged field by field, and the guards against empty datasets and mass deletions. Pure.
import type { SourceOfTruth } from './merge-settings.ts';
import { baseWithSent, mergeRecord, type Fields, type RecordMerge } from './three-way.ts';
import { sameValue } from './same-value.ts';

export type { Fields };

export interface SisRecord {
  sisKey: string;
  naturalKey: string | null;
  label: string;
  fields: Fields;
  /** The digest of `fields` as the database prints them (sections: src/db/jsonb-digest.ts). */
  digest?: string;
}

export interface HubRecord {
  id: string;
  sisKey: string | null;
  naturalKey: string | null;
  label: string;
  base: Fields | null;
  fields: Fields;
  /** Marked deleted in the SIS by an earlier merge. */
  sisDeleted: boolean;
  override: SourceOfTruth | null;
  postingEnabled: boolean;
  /** The record's version as read, for types that have one: the merge writes only that version. */
  version?: number;
  /** What the hub sent to the SIS in a write not yet acknowledged (posted types only). */
  sent?: Fields | null;
}

export interface Matched {
  hub: HubRecord;
  sis: SisRecord;
  merge: RecordMerge;
  /** The hub record had no SIS key: this merge links it. */
  linked: boolean;
  /** It was marked deleted in the SIS and the SIS has it again. */
  restored: boolean;
  /** The stored base differs from the SIS now and must be refreshed. */
  baseChanged: boolean;
}

export interface MergePlan {
  creates: SisRecord[];
  updates: Matched[];
  /** Matched records whose only write is the refreshed base (or the link). */
  baseOnly: Matched[];
  unchanged: number;
  blocked: Matched[];
  /** Every matched record with at least one conflict (resolved or not), for the report. */
  conflicted: Matched[];
  deletes: HubRecord[];
  /** SIS records that would duplicate a hub record's natural key (a unique code): reported, not written. */
  collisions: SisRecord[];
  /** SIS records the hub has deleted and not yet posted: left alone. */
  skipped: number;
  refusal: string | null;
}

export interface PlanOptions {
  owner: (field: string, hub: HubRecord) => SourceOfTruth;
  /** Whether records missing from the SIS are marked deleted (not for catalogs read per term). */
  deleteMissing: boolean;
  deletionThreshold: number;
  allowEmpty: boolean;
  force: boolean;
  /** The natural key of a record's fields, to detect duplicates of unique codes. */
  naturalKey: (fields: Fields) => string | null;
  /** SIS keys of records the hub deleted and has not posted yet. */
  ignoreKeys?: ReadonlySet<string>;
  /** SIS keys of records the SIS sent that could not be read or failed validation: still in the SIS, so never deleted. */
  invalidKeys?: ReadonlySet<string>;
  /** SIS keys of records the hub posted since the SIS read began: made there after it listed them, they are not deleted. */
  postedKeys?: ReadonlySet<string>;
  /**
   * Linked hub records the SIS holds exactly as their base (found by digest, not read in full), by
   * SIS key, with their natural key. Whatever the hub changed since, the SIS changed nothing, so
   * the three-way merge has nothing to take: unchanged, and counted as synced.
   */
  settled?: ReadonlyMap<string, string | null>;
}

const addKey = (set: Set<string>, key: string | null) => key !== null && set.add(key);

export function planMerge(sisRecords: readonly SisRecord[], hubRecords: readonly HubRecord[], options: PlanOptions): MergePlan {
  const byKey = new Map<string, HubRecord>();
  const unkeyedByNatural = new Map<string, HubRecord>();
  for (const hub of hubRecords) {
    if (hub.sisKey) byKey.set(hub.sisKey, hub);
    else if (hub.naturalKey) unkeyedByNatural.set(hub.naturalKey, hub);
  }
  const plan: MergePlan = {
    creates: [],
    updates: [],
    baseOnly: [],
    unchanged: 0,
    blocked: [],
    conflicted: [],
    deletes: [],
    collisions: [],
    skipped: 0,
    refusal: null,
  };
  const seen = new Set<string>();
  const matchedIds = new Set<string>();
  for (const sis of sisRecords) {
    seen.add(sis.sisKey);
    if (options.ignoreKeys?.has(sis.sisKey)) {
      plan.skipped++;
      continue;
    }
    if (options.settled?.has(sis.sisKey)) {
      plan.unchanged++;
      continue;
    }
    let hub = byKey.get(sis.sisKey);
    let linked = false;
    if (!hub && sis.naturalKey) {
      hub = unkeyedByNatural.get(sis.naturalKey);
      if (hub) {
        unkeyedByNatural.delete(sis.naturalKey);
        linked = true;
      }
    }
    if (!hub) {
      plan.creates.push(sis);
      continue;
    }
    matchedIds.add(hub.id);
    const merge = mergeRecord(baseWithSent(hub.base, sis.fields, hub.sent ?? null), sis.fields, hub.fields, (field) => options.owner(field, hub));
    const matched: Matched = {
      hub,
      sis,
      merge,
      linked,
      restored: hub.sisDeleted,
      baseChanged: !sameValue(hub.base, sis.fields),
    };
    if (merge.conflicts.length) plan.conflicted.push(matched);
    if (merge.blocked) plan.blocked.push(matched);
    else if (merge.changes.length || matched.restored) plan.updates.push(matched);
    else if (matched.baseChanged || linked) plan.baseOnly.push(matched);
    else plan.unchanged++;
  }
  if (options.deleteMissing)
    for (const hub of hubRecords)
      if (hub.sisKey && !hub.sisDeleted && !seen.has(hub.sisKey) && !options.invalidKeys?.has(hub.sisKey) && !options.postedKeys?.has(hub.sisKey))
        plan.deletes.push(hub);

  // The natural keys the hub will hold after this merge: a create may not duplicate one of them.
  const taken = new Set<string>();
  for (const m of [...plan.updates, ...plan.baseOnly, ...plan.blocked]) addKey(taken, options.naturalKey(m.merge.merged));
  for (const hub of hubRecords) if (!matchedIds.has(hub.id)) addKey(taken, options.naturalKey(hub.fields));
  for (const key of options.settled?.values() ?? []) addKey(taken, key);
  plan.creates = plan.creates.filter((sis) => {
    const key = options.naturalKey(sis.fields);
    if (key !== null && taken.has(key)) {
      plan.collisions.push(sis);
      return false;
    }
    addKey(taken, key);
    return true;
  });

  const synced = hubRecords.filter((h) => h.sisKey && !h.sisDeleted).length + (options.settled?.size ?? 0);
  if (options.deleteMissing && sisRecords.length === 0 && !options.invalidKeys?.size && synced > 0 && !options.allowEmpty)
    plan.refusal = `The SIS returned no records where the hub has ${synced}; nothing was written. Run again allowing empty datasets if this is intended.`;
  else if (plan.deletes.length > options.deletionThreshold * synced && plan.deletes.length > 0 && !options.force)
    plan.refusal =
      `This merge would mark ${plan.deletes.length} of ${synced} records deleted, more than the ` +
      `${Math.round(options.deletionThreshold * 100)} % threshold; nothing was written. Run again with force if this is intended.`;
  return plan;
}
