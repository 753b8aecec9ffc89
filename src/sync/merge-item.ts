// One merge of one type × term (DESIGN §4): fetch everything from the SIS first, read the hub,
// plan field by field, refuse on the guards, then apply the whole diff in one transaction — with
// its audit entries and report rows — so a crash leaves the previous state whole.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { insertMany } from '../db/insert-many.ts';
import type { DB } from '../db/schema.ts';
import { fieldChanges } from '../domain/changes.ts';
import { planMerge, type HubRecord, type Matched, type MergePlan, type SisRecord } from '../domain/merge-plan.ts';
import { fieldOwner, postingOn, type MergeSettings, type MergeType } from '../domain/merge-settings.ts';
import type { Actor } from '../domain/permissions.ts';
import type { FieldConflict, Fields } from '../domain/three-way.ts';
import type { SisFetcher } from './fetcher.ts';
import { natural } from './fields.ts';
import {
  hubBuildings,
  hubCourses,
  hubDepartments,
  hubInstructors,
  hubRelationships,
  hubRooms,
  hubSections,
  hubTerms,
  sectionKeys,
} from './hub-records.ts';
import { insertChildren, prepareWrite, replaceChildren, writers, type PreparedWrite, type WriteKeys } from './hub-writers.ts';
import type { PostedType } from './integration-store.ts';
import { keyMap, sectionKeyMap, UnknownReferenceError } from './keys.ts';
import { writeReport, type ReportRow } from './run-report.ts';
import type { Converted } from './sis-fetch.ts';

export interface ItemCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  conflicts: number;
  errors: number;
  skipped: number;
}

export interface ItemResult {
  status: 'succeeded' | 'partial' | 'refused' | 'failed';
  counts: ItemCounts;
  error: string | null;
}

export interface ItemContext {
  db: Kysely<DB>;
  fetcher: Pick<SisFetcher, 'fetch'>;
  settings: MergeSettings;
  runId: string;
  actor: Actor;
  dryRun: boolean;
  allowEmpty: boolean;
  force: boolean;
  onFetched(count: number): void;
}

const naturalKeys: Record<MergeType, (f: Fields) => string | null> = {
  terms: natural.term,
  departments: natural.department,
  buildings: natural.building,
  rooms: natural.room,
  instructors: natural.instructor,
  courses: natural.course,
  sections: natural.section,
  relationships: natural.relationship,
};

/**
 * A term's sections to merge: those whose stored base has the digest of what the SIS sends now are
 * settled (the SIS changed nothing, so the merge has nothing to take) and only counted; the rest
 * are read in full, with their meetings and instructors. A no-change re-merge reads a few small
 * columns per section instead of every section whole. The same read finds the sections the hub
 * deleted and has not posted yet: the plan leaves their SIS records alone.
 */
async function hubSectionsToMerge(db: Kysely<DB>, termId: string, sisRecords: readonly SisRecord[]) {
  const keys = await sectionKeys(db);
  const digests = new Map(sisRecords.map((r) => [r.sisKey, r.digest]));
  const rows = await db
    .selectFrom('sections')
    .select(['id', 'sis_key', 'sis_digest', 'sis_deleted_at', 'deleted_at', 'course_id', 'section_number'])
    .where('term_id', '=', termId)
    .execute();
  const settled = new Map<string, string | null>();
  const ignoreKeys = new Set<string>();
  const rest = new Set<string>();
  for (const r of rows) {
    if (r.deleted_at !== null) {
      if (r.sis_key) ignoreKeys.add(r.sis_key);
    } else if (r.sis_key && r.sis_deleted_at === null && r.sis_digest !== null && r.sis_digest === digests.get(r.sis_key))
      settled.set(r.sis_key, natural.section({ courseKey: keys.courses.key(r.course_id), sectionNumber: r.section_number }));
    else rest.add(r.id);
  }
  // A statement with one parameter per id is slow to send and parse: past a few hundred, reading
  // the whole term and leaving the settled ones out is quicker.
  const records =
    rest.size === 0
      ? []
      : rest.size <= 500
        ? await hubSections(db, { ids: [...rest] }, keys)
        : (await hubSections(db, { termId }, keys)).filter((h) => rest.has(h.id));
  return { records, settled, ignoreKeys };
}

interface LoadedHub {
  records: HubRecord[];
  /** Sections the SIS holds as their base, by SIS key, with their natural key (PlanOptions.settled). */
  settled?: ReadonlyMap<string, string | null>;
  /** SIS keys of sections the hub deleted and has not posted yet (PlanOptions.ignoreKeys). */
  ignoreKeys?: ReadonlySet<string>;
}

async function loadHub(
  db: Kysely<DB>,
  type: MergeType,
  termId: string | null,
  settings: MergeSettings,
  termCode: string | null,
  sisRecords: readonly SisRecord[],
): Promise<LoadedHub> {
  const departments = () => keyMap(db, 'departments');
  switch (type) {
    case 'terms':
      return { records: await hubTerms(db) };
    case 'departments':
      return { records: await hubDepartments(db) };
    case 'buildings':
      return { records: await hubBuildings(db) };
    case 'rooms':
      return { records: await hubRooms(db, await keyMap(db, 'buildings')) };
    case 'instructors':
      return { records: await hubInstructors(db, await departments()) };
    case 'courses':
      return { records: await hubCourses(db, await departments()) };
    case 'sections':
    case 'relationships': {
      const termPosting = postingOn(settings, type, termCode!, 'nightly');
      const { records, ...sections } =
        type === 'sections' ? await hubSectionsToMerge(db, termId!, sisRecords) : { records: await hubRelationships(db, termId!) };
      return { records: records.map((r) => ({ ...r, postingEnabled: termPosting && r.allowIntegration !== false })), ...sections };
    }
  }
}

/**
 * The posting state of a term's sections or relationships, in one statement:
 * - `sent`: what the hub sent in writes not yet acknowledged (src/sync/push-lease.ts);
 * - `changedSince`: records whose posting state changed since the SIS read began. Created in the
 *   SIS after it listed the term, they are missing from what was read, not from the SIS; the next
 *   merge reads them. Read after the hub, so a post that linked a record the hub read is seen.
 *   Compared on the database's clock, a minute early, so a hub clock slightly ahead of it cannot
 *   let one through.
 */
const SAVED_UNPOSTED = new Set(['changed_while_sync_off', 'awaiting_nightly']);

async function postingState(db: Kysely<DB>, type: MergeType, termId: string | null, readFrom: Date) {
  const state = { sent: new Map<string, Fields>(), changedSince: new Set<string>() };
  if ((type !== 'sections' && type !== 'relationships') || !termId) return state;
  const inTerm = type === 'sections' ? db.selectFrom('sections').select('id').where('term_id', '=', termId) : db.selectFrom('relationships').select('id').where('term_id', '=', termId);
  const since = new Date(readFrom.getTime() - 60_000);
  const rows = await db
    .selectFrom('integration_status')
    .select(['entity_id', 'sent', 'updated_at', 'detail'])
    .where('entity_type', '=', (type === 'sections' ? 'section' : 'relationship') satisfies PostedType)
    .where('entity_id', 'in', inTerm)
    .where((eb) => eb.or([eb('sent', 'is not', null), eb('updated_at', '>=', since)]))
    .execute();
  for (const r of rows) {
    if (r.sent) state.sent.set(r.entity_id, r.sent as Fields);
    // A change saved where it is not posted at once (sync off, or nightly only) touched no SIS record.
    if (new Date(r.updated_at) >= since && !SAVED_UNPOSTED.has(r.detail ?? '')) state.changedSince.add(r.entity_id);
  }
  return state;
}

async function writeKeys(db: Kysely<DB>, type: MergeType, termId: string | null): Promise<WriteKeys> {
  switch (type) {
    case 'rooms':
      return { buildings: await keyMap(db, 'buildings') };
    case 'instructors':
    case 'courses':
      return { departments: await keyMap(db, 'departments') };
    case 'sections':
      return { ...(await sectionKeys(db)), termId: termId! };
    case 'relationships':
      return { sections: await sectionKeyMap(db, termId!), termId: termId! };
    default:
      return {};
  }
}

const emptyCounts = (): ItemCounts => ({ fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, conflicts: 0, errors: 0, skipped: 0 });

/**
 * The term a term-specific item works on, as imported from the SIS. `termsMerged`: this run has
 * just merged the SIS's terms, so a code still unknown is one the SIS lacks ("merge terms first"
 * would send the caller round in a circle).
 */
export async function resolveTerm(db: Kysely<DB>, termCode: string, termsMerged: boolean): Promise<{ id: string; sisKey: string } | string> {
  const term = await db.selectFrom('terms').select(['id', 'sis_key']).where('code', '=', termCode).executeTakeFirst();
  if (term?.sis_key) return { id: term.id, sisKey: term.sis_key };
  if (termsMerged) return `The SIS has no term ${termCode}: it is not among the terms just merged from the SIS.`;
  return `Term ${termCode} has not been imported from the SIS yet: merge terms first.`;
}

export interface Fetched extends Converted {
  type: MergeType;
  termCode: string | null;
  /** When the SIS read began: a record the hub posted after it may be missing from what was read. */
  readFrom: Date;
}

/** Step 1: everything of one type × term from the SIS, validated, before anything is written. */
export async function fetchItem(ctx: ItemContext, type: MergeType, termCode: string | null, termKey: string | null): Promise<Fetched> {
  const readFrom = new Date();
  const { records, invalid, fetched } = await ctx.fetcher.fetch(type, termKey, ctx.onFetched);
  return { type, termCode, records, invalid, fetched, readFrom };
}

/** Steps 2 and 3: read the hub, plan, and apply in one transaction (or only report, on a dry run). */
export async function applyItem(ctx: ItemContext, fetched: Fetched, termId: string | null): Promise<ItemResult> {
  const { type, termCode } = fetched;
  const counts = emptyCounts();
  counts.fetched = fetched.fetched;
  const report: ReportRow[] = [...fetched.invalid];
  const sisRecords = fetched.records;

  // 2. The hub, and the plan.
  const { records: loaded, settled, ignoreKeys } = await loadHub(ctx.db, type, termId, ctx.settings, termCode, sisRecords);
  const state = await postingState(ctx.db, type, termId, fetched.readFrom);
  const hub = state.sent.size ? loaded.map((h) => ({ ...h, sent: state.sent.get(h.id) ?? null })) : loaded;
  const plan = planMerge(sisRecords, hub, {
    owner: (field, record) => fieldOwner(ctx.settings, type, field, { recordOverride: record.override, postingEnabled: record.postingEnabled }),
    // A term's course list is not the whole catalog: a course missing from it is not deleted.
    deleteMissing: type !== 'courses',
    deletionThreshold: ctx.settings.deletionThreshold,
    allowEmpty: ctx.allowEmpty,
    force: ctx.force,
    naturalKey: naturalKeys[type],
    ignoreKeys,
    invalidKeys: new Set(fetched.invalid.flatMap((r) => (r.sis_key ? [r.sis_key] : []))),
    postedKeys: new Set(hub.flatMap((h) => (h.sisKey && state.changedSince.has(h.id) ? [h.sisKey] : []))),
    settled,
  });
  counts.skipped = plan.skipped;
  counts.conflicts = plan.conflicted.length;
  for (const m of plan.conflicted)
    report.push({
      kind: 'conflict',
      entity_id: m.hub.id,
      sis_key: m.sis.sisKey,
      label: m.hub.label,
      fields: m.merge.conflicts,
      message: m.merge.blocked ? 'Both sides changed these fields and no source of truth decides: this record was not merged.' : null,
      raw: null,
    });
  for (const sis of plan.collisions)
    report.push({
      kind: 'error',
      entity_id: null,
      sis_key: sis.sisKey,
      label: sis.label,
      fields: [],
      message: 'Another hub record already has this code (it is linked to a different SIS record); resolve the duplicate in the SIS or the hub.',
      raw: sis.fields,
    });

  if (plan.refusal) {
    counts.unchanged = plan.unchanged;
    await writeReport(ctx.db, ctx.runId, type, termCode, [
      ...report,
      { kind: 'error', entity_id: null, sis_key: null, label: `${type}${termCode ? ` ${termCode}` : ''}`, fields: [], message: plan.refusal, raw: null },
    ]);
    return { status: 'refused', counts, error: plan.refusal };
  }

  if (ctx.dryRun) {
    describePlan(plan, report, counts);
    await writeReport(ctx.db, ctx.runId, type, termCode, report);
    counts.errors = report.filter((r) => r.kind === 'error').length;
    return { status: counts.errors ? 'partial' : 'succeeded', counts, error: null };
  }

  // 3. Apply, atomically.
  await ctx.db.transaction().execute(async (trx) => {
    const keys = await writeKeys(trx, type, termId);
    await apply(trx, ctx, type, plan, keys, report, counts);
    await writeReport(trx, ctx.runId, type, termCode, report);
  });
  counts.errors = report.filter((r) => r.kind === 'error').length;
  // Conflicts beyond the plan's are records edited in the hub while the merge ran.
  return { status: counts.errors || plan.blocked.length || counts.conflicts > plan.conflicted.length ? 'partial' : 'succeeded', counts, error: null };
}

function describePlan(plan: MergePlan, report: ReportRow[], counts: ItemCounts) {
  for (const sis of plan.creates)
    report.push({ kind: 'created', entity_id: null, sis_key: sis.sisKey, label: sis.label, fields: [], message: null, raw: null });
  for (const m of plan.updates)
    report.push({ kind: 'updated', entity_id: m.hub.id, sis_key: m.sis.sisKey, label: m.hub.label, fields: m.merge.changes, message: null, raw: null });
  for (const h of plan.deletes)
    report.push({ kind: 'deleted', entity_id: h.id, sis_key: h.sisKey, label: h.label, fields: [], message: 'Missing from the SIS', raw: null });
  counts.created = plan.creates.length;
  counts.updated = plan.updates.length;
  counts.deleted = plan.deletes.length;
  counts.unchanged = plan.unchanged + plan.baseOnly.length;
}

const chunks = <T>(list: T[], size = 500) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

async function apply(
  trx: Transaction<DB>,
  ctx: ItemContext,
  type: MergeType,
  plan: MergePlan,
  keys: WriteKeys,
  report: ReportRow[],
  counts: ItemCounts,
) {
  const writer = writers[type];
  const audit: { action: string; entity_id: string; changes: Record<string, unknown> }[] = [];
  /** `planned`: for a record edited in the hub meanwhile, the SIS's changes that were not applied. */
  const fail = (label: string, sisKey: string | null, entityId: string | null, error: unknown, planned?: Matched) => {
    if (error instanceof EditedDuringMergeError) {
      counts.conflicts++;
      // Both values of each field the merge meant to change: the hub's as the merge read it, the
      // SIS's; the hub's edit is kept this time (resolved by the hub).
      const fields: FieldConflict[] = (planned?.merge.changes ?? []).map((c) => ({ field: c.field, base: planned!.hub.base?.[c.field] ?? null, hub: c.before, sis: c.after, resolvedBy: 'hub' }));
      report.push({ kind: 'conflict', entity_id: entityId, sis_key: sisKey, label, fields, message: error.message, raw: null });
      return;
    }
    if (!(error instanceof UnknownReferenceError)) throw error;
    report.push({ kind: 'error', entity_id: entityId, sis_key: sisKey, label, fields: [], message: error.message, raw: null });
  };

  // Creates: the records, then their child rows.
  const creates: { sis: SisRecord; prepared: PreparedWrite }[] = [];
  for (const sis of plan.creates) {
    try {
      creates.push({ sis, prepared: prepareWrite(type, sis.fields, keys, (f) => Object.hasOwn(sis.fields, f)) });
    } catch (error) {
      fail(sis.label, sis.sisKey, null, error);
    }
  }
  // Ids are made here (random UUIDs, as the tables' default makes them), so the rows' children can
  // follow without reading the inserted rows back.
  const ids = creates.map(() => randomUUID());
  await insertMany(
    trx,
    writer.table,
    creates.map(({ sis, prepared }, i) => ({ id: ids[i], ...writer.insertColumns?.(keys), ...prepared.columns, sis_key: sis.sisKey, sis_base: sis.fields })),
  );
  await insertChildren(trx, creates.map(({ prepared }, i) => ({ id: ids[i], children: prepared.children })));
  for (const [i, { sis }] of creates.entries()) {
    const id = ids[i];
    keys.sections?.add(id, sis.sisKey);
    audit.push({ action: 'create', entity_id: id, changes: fieldChanges(null, sis.fields) });
    report.push({ kind: 'created', entity_id: id, sis_key: sis.sisKey, label: sis.label, fields: [], message: null, raw: null });
  }
  counts.created = creates.length;

  // Updates: the changed fields, the refreshed base, the link, one statement each.
  for (const m of plan.updates) {
    try {
      const changed = new Set(m.merge.changes.map((c) => c.field));
      const prepared = prepareWrite(type, pickFields(m.merge.merged, changed), keys, (f) => changed.has(f));
      await updateRecord(trx, type, m, prepared.columns, prepared.children.length > 0);
      await replaceChildren(trx, m.hub.id, prepared.children);
      audit.push({ action: 'update', entity_id: m.hub.id, changes: fieldChanges(m.hub.fields, pickFields(m.merge.merged, changed), []) });
      report.push({ kind: 'updated', entity_id: m.hub.id, sis_key: m.sis.sisKey, label: m.hub.label, fields: m.merge.changes, message: null, raw: null });
      counts.updated++;
    } catch (error) {
      fail(m.hub.label, m.sis.sisKey, m.hub.id, error, m);
    }
  }
  for (const m of plan.baseOnly) await updateRecord(trx, type, m, {}, false);
  counts.unchanged = plan.unchanged + plan.baseOnly.length;

  for (const batch of chunks(plan.deletes)) {
    await trx
      .updateTable(writer.table)
      .set({ sis_deleted_at: sql`now()` } as never)
      .where('id', 'in', batch.map((h) => h.id))
      .execute();
    for (const h of batch) {
      audit.push({ action: 'sis_delete', entity_id: h.id, changes: { sisDeleted: { before: false, after: true } } });
      report.push({ kind: 'deleted', entity_id: h.id, sis_key: h.sisKey, label: h.label, fields: [], message: 'Missing from the SIS: marked deleted there', raw: null });
    }
  }
  counts.deleted = plan.deletes.length;

  await insertMany(
    trx,
    'audit_log',
    audit.map((a) => ({
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      actor_name: ctx.actor.name,
      action: a.action,
      entity_type: writer.entityType,
      entity_id: a.entity_id,
      changes: a.changes,
      context: { mergeRunId: ctx.runId },
    })),
  );
}

const pickFields = (fields: Fields, names: Set<string>): Fields => Object.fromEntries(Object.entries(fields).filter(([k]) => names.has(k)));

/** The record changed in the hub between the merge's read and its write: the next merge takes it up. */
class EditedDuringMergeError extends Error {
  constructor() {
    super('Changed in the hub while this merge ran: not merged this time, so that edit is kept; the next merge takes the record up.');
  }
}

/** `childrenChanged`: meetings, instructors, parts or members are replaced too — a change of content like any column. */
async function updateRecord(trx: Transaction<DB>, type: MergeType, m: Matched, columns: Record<string, unknown>, childrenChanged: boolean) {
  const writer = writers[type];
  const content = Object.keys(columns).length > 0 || childrenChanged || m.restored;
  // The merge was planned against the version it read: an edit saved since must not be overwritten.
  const guarded = content && writer.versioned && m.hub.version !== undefined;
  let query = trx
    .updateTable(writer.table)
    .set({
      ...columns,
      sis_base: JSON.stringify(m.sis.fields),
      ...(m.linked && { sis_key: m.sis.sisKey }),
      ...(m.restored && { sis_deleted_at: null }),
      ...(content && writer.versioned && { version: sql`version + 1` }),
      ...(content && { updated_at: sql`now()` }),
    } as never)
    .where('id', '=', m.hub.id);
  if (guarded) query = query.where('version' as never, '=', m.hub.version as never);
  const result = await query.executeTakeFirst();
  if (guarded && result.numUpdatedRows === 0n) throw new EditedDuringMergeError();
}
