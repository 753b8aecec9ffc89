// Integration status rows: read, and changed only through the domain's transition() (one named
// transition per call), under a row lock so a save and a worker never overwrite each other.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { INTEGRATION_STATES, initialStatus, transition, type IntegrationState, type SisMessage, type StatusEvent, type StatusRecord, type Transition } from '../domain/integration-status.ts';
import type { IntegrationStatusView } from '../domain/schedule.ts';
import { idList } from '../db/id-list.ts';
import { reachedRecords } from '../store/record-departments.ts';

export type PostedType = 'section' | 'relationship';

/** A status row as selected. */
type Row = Selectable<DB['integration_status']>;

type TimestampColumn = 'last_attempt_at' | 'next_retry_at' | 'last_success_at' | 'queued_at' | 'dismissed_at';
/** A status row as selected, or as read back as JSON (timestamps as text). */
export type StatusRow = Omit<Row, TimestampColumn> & { [K in TimestampColumn]: Date | string | null };

const date = (d: Date | string | null) => (d === null ? null : new Date(d));

/**
 * A record changed while its term's sync was off, still in the hub: once sync is on it goes out,
 * by real-time posting or Send Updates (a record deleted meanwhile is left as it is in the SIS).
 * A condition on a query that names the status row `st` and the record `r`.
 */
export const changedWhileSyncOff = sql<boolean>`(st.status = 'not_synced' and st.detail = 'changed_while_sync_off' and r.deleted_at is null)`;

export function recordOf(row: StatusRow): StatusRecord {
  return {
    status: row.status,
    detail: row.detail as StatusRecord['detail'],
    attempts: row.attempts,
    lastAttemptAt: date(row.last_attempt_at),
    nextRetryAt: date(row.next_retry_at),
    lastSuccessAt: date(row.last_success_at),
    queuedAt: date(row.queued_at),
    wantedVersion: row.wanted_version,
    pushedVersion: row.pushed_version,
    errorCode: row.error_code,
    messages: (row.messages ?? []) as SisMessage[],
    raw: row.raw,
    dismissedAt: date(row.dismissed_at),
  };
}

const columns = (r: StatusRecord) => ({
  status: r.status,
  detail: r.detail,
  attempts: r.attempts,
  last_attempt_at: r.lastAttemptAt,
  next_retry_at: r.nextRetryAt,
  last_success_at: r.lastSuccessAt,
  queued_at: r.queuedAt,
  wanted_version: r.wantedVersion,
  pushed_version: r.pushedVersion,
  error_code: r.errorCode,
  messages: JSON.stringify(r.messages),
  raw: r.raw === null || r.raw === undefined ? null : JSON.stringify(safeRaw(r.raw)),
  dismissed_at: r.dismissedAt,
});

/** Raw payloads may be Error objects (network failures): keep what serialises. */
function safeRaw(raw: unknown): unknown {
  if (raw instanceof Error) return { name: raw.name, message: raw.message, cause: (raw as { cause?: { code?: string } }).cause?.code ?? null };
  return raw;
}

export interface Applied {
  before: StatusRecord;
  next: StatusRecord;
  name: Transition;
}

/**
 * Applies one status event to a record inside the caller's transaction. `releaseLeaseOf`: the
 * lease owner whose post this event ends; its lease goes in the same write.
 */
export async function applyStatusEvent(
  trx: Transaction<DB>,
  type: PostedType,
  id: string,
  termId: string | null,
  hasSisKey: boolean,
  event: StatusEvent,
  options: { releaseLeaseOf?: string } = {},
): Promise<Applied> {
  // Locked, or made if missing. Locking first, where an upsert would always write a row version
  // even when the row exists (as it does for all but a record's first event). A first event inserts
  // its row already moved on (one write, not an insert and an update); one that races another's
  // insert finds nothing inserted and applies its event to the row the other made.
  const lock = () => trx.selectFrom('integration_status').selectAll().where('entity_type', '=', type).where('entity_id', '=', id).forUpdate().executeTakeFirst();
  const found = await lock();
  if (!found) {
    const before = initialStatus(hasSisKey);
    const { next, name } = transition(before, event);
    const made = await trx
      .insertInto('integration_status')
      .values({ entity_type: type, entity_id: id, term_id: termId, ...columns(next) })
      .onConflict((oc) => oc.columns(['entity_type', 'entity_id']).doNothing())
      .returning('entity_id')
      .executeTakeFirst();
    if (made) return { before, next, name };
  }
  const row = found ?? (await lock());
  if (!row) throw new Error(`integration status of ${type} ${id}: neither found nor made`);
  const before = recordOf(row);
  const { next, name } = transition(before, event);
  const owner = options.releaseLeaseOf;
  await trx
    .updateTable('integration_status')
    .set({
      ...columns(next),
      ...(termId && { term_id: termId }),
      ...(owner && {
        lease_owner: sql`case when lease_owner = ${owner} then null else lease_owner end`,
        lease_until: sql`case when lease_owner = ${owner} then null else lease_until end`,
      }),
      // Acknowledged: the base now holds what the SIS has, so what was last sent is no longer needed.
      ...(event.kind === 'succeeded' && { sent: null }),
      updated_at: sql`now()`,
    } as never)
    .where('entity_type', '=', type)
    .where('entity_id', '=', id)
    .execute();
  return { before, next, name };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function viewOf(record: StatusRecord): IntegrationStatusView {
  return {
    status: record.status,
    detail: record.detail,
    attempts: record.attempts,
    lastAttemptAt: iso(record.lastAttemptAt),
    nextRetryAt: iso(record.nextRetryAt),
    lastSuccessAt: iso(record.lastSuccessAt),
    errorCode: record.errorCode,
    messages: record.messages,
    raw: record.raw ?? null,
  };
}

/** The status views of `records`, from their status rows (read by the caller); a record without a row is synced when the SIS knows it, else not synced. */
export function viewsOf(records: { id: string; sisKey: string | null }[], statusRows: StatusRow[]): Map<string, IntegrationStatusView> {
  const rows = new Map(statusRows.map((r) => [r.entity_id, recordOf(r)]));
  return new Map(records.map((r) => [r.id, viewOf(rows.get(r.id) ?? initialStatus(r.sisKey !== null))]));
}

/**
 * Sections (not deleted) of the given terms per integration status: a section without a status row
 * is synced when the SIS knows it, else not synced. Every state is present, zero when no section is in it.
 * `departmentIds`: only the sections a reader limited to them reaches (null: every section).
 */
export async function sectionCountsByStatus(db: Kysely<DB>, termIds: readonly string[], departmentIds: readonly string[] | null = null): Promise<Record<IntegrationState, number>> {
  const counts = Object.fromEntries(INTEGRATION_STATES.map((s) => [s, 0])) as Record<IntegrationState, number>;
  if (!termIds.length) return counts;
  const rows = await sql<{ status: IntegrationState; n: number }>`
    select coalesce(st.status, case when s.sis_key is null then 'not_synced' else 'synced' end) as status, count(*)::int as n
    from sections s left join integration_status st on st.entity_type = 'section' and st.entity_id = s.id
    where s.deleted_at is null and s.term_id in (${sql.join(idList(termIds))})
    ${departmentIds ? sql`and s.id in (${reachedRecords(db, 'section', departmentIds)})` : sql``} group by 1`.execute(db);
  for (const r of rows.rows) counts[r.status] = Number(r.n);
  return counts;
}
