// The three-way merge of one record, field by field (DESIGN §4.2), against `base` (the SIS state
// last seen or accepted), `theirs` (the SIS now) and `ours` (the hub now). Pure.
import type { SourceOfTruth } from './merge-settings.ts';
import { sameValue } from './same-value.ts';

export type Fields = Record<string, unknown>;

export interface FieldDecision {
  field: string;
  before: unknown;
  after: unknown;
  /** Where the hub's new value came from. */
  source: 'sis' | 'converged';
}

export interface FieldConflict {
  field: string;
  base: unknown;
  hub: unknown;
  sis: unknown;
  /** Who the owner rule made win; 'none' means nobody did and the object stops. */
  resolvedBy: SourceOfTruth;
}

export interface RecordMerge {
  /** The hub's fields after the merge. */
  merged: Fields;
  /** Hub fields the SIS changed (what the merge writes). */
  changes: FieldDecision[];
  /** Both sides changed a field to different values. */
  conflicts: FieldConflict[];
  /** True when some conflict has no owner: nothing of this record may be written. */
  blocked: boolean;
  /** Fields where the hub now differs from the SIS and must be pushed. */
  hubAhead: string[];
}

/**
 * The base with the hub's last write counted in: a write whose answer was lost may have landed, so
 * a field the SIS holds exactly as the hub last sent it is the hub's own value coming back, not a
 * change made in the SIS (which, where the SIS owns the field, would overwrite a newer hub edit).
 */
export function baseWithSent(base: Fields | null, theirs: Fields, sent: Fields | null): Fields | null {
  if (!base || !sent) return base;
  const merged = { ...base };
  for (const [field, value] of Object.entries(sent)) if (sameValue(theirs[field], value)) merged[field] = value;
  return merged;
}

export function mergeRecord(
  base: Fields | null,
  theirs: Fields,
  ours: Fields,
  owner: (field: string) => SourceOfTruth,
): RecordMerge {
  const merged: Fields = { ...ours };
  const changes: FieldDecision[] = [];
  const conflicts: FieldConflict[] = [];
  const hubAhead: string[] = [];
  for (const field of Object.keys(theirs)) {
    const t = theirs[field];
    const o = ours[field];
    // Without a base (first sight of a record both sides have) every difference is a conflict.
    const b = base?.[field];
    if (sameValue(o, t)) continue; // equal: nothing to do (converged, or never diverged)
    if (base !== null && sameValue(t, b)) {
      hubAhead.push(field); // only the hub changed it: keep ours, it will be pushed
      continue;
    }
    if (base !== null && sameValue(o, b)) {
      merged[field] = t; // only the SIS changed it: take theirs
      changes.push({ field, before: o, after: t, source: 'sis' });
      continue;
    }
    const rule = owner(field);
    conflicts.push({ field, base: base === null ? null : b, hub: o, sis: t, resolvedBy: rule });
    if (rule === 'sis') {
      merged[field] = t;
      changes.push({ field, before: o, after: t, source: 'sis' });
    } else if (rule === 'hub') hubAhead.push(field);
  }
  const blocked = conflicts.some((c) => c.resolvedBy === 'none');
  return blocked ? { merged: { ...ours }, changes: [], conflicts, blocked, hubAhead: [] } : { merged, changes, conflicts, blocked, hubAhead };
}
