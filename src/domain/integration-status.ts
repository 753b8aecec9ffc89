// Integration status of a posted record (DESIGN §4.8): the one place every status transition is
// decided and named. Pure: the push engine and the outbox feed it events and store what it returns.
//
//   not_synced  the SIS has not accepted this record: new, posting is not allowed for it (or, for
//               a relationship, for one of its sections), or changed while its term's sync was off
//   pending     queued, posting, retrying, or waiting (maintenance, member sections, SIS key, the
//               nightly sync)
//   synced      the SIS state equals the hub state as of the last successful post or comparison
//   error       the last attempt failed permanently (or ran out of retries); the SIS's messages kept

export const INTEGRATION_STATES = ['not_synced', 'pending', 'synced', 'error'] as const;
export type IntegrationState = (typeof INTEGRATION_STATES)[number];

/** Why a record is in its state, when the state alone does not say. */
export type StatusDetail =
  | 'queued'
  | 'retrying'
  | 'maintenance'
  | 'waiting_for_sections'
  | 'awaiting_sis_key'
  | 'integration_disabled'
  | 'section_integration_disabled'
  | 'changed_while_sync_off'
  | 'awaiting_nightly'
  | 'retries_exhausted'
  | 'rejected'
  | 'conflict'
  | null;

export interface SisMessage {
  message: string;
  /** The hub field the message is about, when it could be mapped. */
  field: string | null;
  code: string | null;
}

export interface StatusRecord {
  status: IntegrationState;
  detail: StatusDetail;
  attempts: number;
  lastAttemptAt: Date | null;
  nextRetryAt: Date | null;
  lastSuccessAt: Date | null;
  /** When the oldest change not yet in the SIS was saved (push latency is measured from it). */
  queuedAt: Date | null;
  wantedVersion: number | null;
  pushedVersion: number | null;
  errorCode: string | null;
  messages: SisMessage[];
  raw: unknown;
  dismissedAt: Date | null;
}

export type Transition =
  | 'enqueued'
  | 'paused_for_maintenance'
  | 'waiting_for_sections'
  | 'awaiting_sis_key'
  | 'skipped_integration_disabled'
  | 'held_by_sections'
  | 'changed_while_sync_off'
  | 'awaiting_nightly'
  | 'succeeded'
  | 'superseded_during_post'
  | 'failed_transiently'
  | 'retries_exhausted'
  | 'failed_permanently'
  | 'retry_requested'
  | 'dismissed'
  | 'found_in_sync';

export type StatusEvent =
  | { kind: 'enqueued'; at: Date; version: number }
  | { kind: 'maintenance' }
  | { kind: 'waiting_for_sections' }
  | { kind: 'awaiting_sis_key'; at: Date; retryAt: Date; version: number }
  | { kind: 'integration_disabled' }
  /** A relationship one of whose sections has Allow integration = No: it is not posted either. */
  | { kind: 'section_integration_disabled' }
  /**
   * A save changed a postable field while its term's sync (real-time and nightly) was off for the
   * type: the SIS does not have it, whatever the record's status was.
   */
  | { kind: 'changed_while_sync_off'; version: number }
  /** A save changed a postable field in a term posted by the nightly sync only: it goes tonight. */
  | { kind: 'awaiting_nightly'; at: Date; version: number }
  /** The SIS acknowledged `version`; `current` is the hub's version now (newer when an edit arrived meanwhile). */
  | { kind: 'succeeded'; at: Date; version: number; current: number }
  | { kind: 'transient_failure'; at: Date; retryAt: Date; code: string; messages: SisMessage[]; raw: unknown; maxAttempts: number }
  | { kind: 'permanent_failure'; at: Date; code: string; messages: SisMessage[]; raw: unknown }
  | { kind: 'retry_requested'; at: Date }
  | { kind: 'dismissed'; at: Date }
  /** A comparison found hub and SIS equal without posting. */
  | { kind: 'in_sync'; at: Date; version: number };

export const initialStatus = (hasSisKey: boolean): StatusRecord => ({
  status: hasSisKey ? 'synced' : 'not_synced',
  detail: null,
  attempts: 0,
  lastAttemptAt: null,
  nextRetryAt: null,
  lastSuccessAt: null,
  queuedAt: null,
  wantedVersion: null,
  pushedVersion: null,
  errorCode: null,
  messages: [],
  raw: null,
  dismissedAt: null,
});

const cleared = { errorCode: null, messages: [] as SisMessage[], raw: null, dismissedAt: null, nextRetryAt: null };

/**
 * A new edit to be posted (now, or by the nightly sync) is a new attempt: pending again. The last
 * error's messages stay visible until the post's outcome replaces them.
 */
const newEdit = (current: StatusRecord, detail: 'queued' | 'awaiting_nightly', edit: { at: Date; version: number }): StatusRecord => ({
  ...current,
  status: 'pending',
  detail,
  attempts: 0,
  nextRetryAt: null,
  queuedAt: current.queuedAt ?? edit.at,
  wantedVersion: Math.max(edit.version, current.wantedVersion ?? 0),
});

/** Applies one event; returns the next record and the transition's name. */
export function transition(current: StatusRecord, event: StatusEvent): { next: StatusRecord; name: Transition } {
  switch (event.kind) {
    case 'enqueued':
      return { name: 'enqueued', next: newEdit(current, 'queued', event) };
    case 'maintenance':
      return { name: 'paused_for_maintenance', next: { ...current, status: current.status === 'error' ? 'error' : 'pending', detail: 'maintenance' } };
    case 'waiting_for_sections':
      return { name: 'waiting_for_sections', next: { ...current, status: 'pending', detail: 'waiting_for_sections' } };
    case 'awaiting_sis_key':
      return {
        name: 'awaiting_sis_key',
        next: { ...current, ...cleared, status: 'pending', detail: 'awaiting_sis_key', lastAttemptAt: event.at, nextRetryAt: event.retryAt, pushedVersion: event.version },
      };
    case 'integration_disabled':
      return { name: 'skipped_integration_disabled', next: { ...current, ...cleared, status: 'not_synced', detail: 'integration_disabled', attempts: 0 } };
    case 'section_integration_disabled':
      return { name: 'held_by_sections', next: { ...current, ...cleared, status: 'not_synced', detail: 'section_integration_disabled', attempts: 0 } };
    case 'changed_while_sync_off':
      return {
        name: 'changed_while_sync_off',
        next: { ...current, ...cleared, status: 'not_synced', detail: 'changed_while_sync_off', attempts: 0, wantedVersion: Math.max(event.version, current.wantedVersion ?? 0) },
      };
    case 'awaiting_nightly':
      return { name: 'awaiting_nightly', next: newEdit(current, 'awaiting_nightly', event) };
    case 'succeeded': {
      const superseded = event.current > event.version;
      return {
        name: superseded ? 'superseded_during_post' : 'succeeded',
        next: {
          ...current,
          ...cleared,
          status: superseded ? 'pending' : 'synced',
          detail: superseded ? 'queued' : null,
          attempts: 0,
          lastAttemptAt: event.at,
          lastSuccessAt: event.at,
          pushedVersion: event.version,
          queuedAt: superseded ? event.at : null,
        },
      };
    }
    case 'in_sync':
      return {
        name: 'found_in_sync',
        next: { ...current, ...cleared, status: 'synced', detail: null, attempts: 0, lastSuccessAt: event.at, pushedVersion: event.version, queuedAt: null },
      };
    case 'transient_failure': {
      const attempts = current.attempts + 1;
      const exhausted = attempts >= event.maxAttempts;
      return {
        name: exhausted ? 'retries_exhausted' : 'failed_transiently',
        next: {
          ...current,
          status: exhausted ? 'error' : 'pending',
          detail: exhausted ? 'retries_exhausted' : 'retrying',
          attempts,
          lastAttemptAt: event.at,
          nextRetryAt: exhausted ? null : event.retryAt,
          errorCode: event.code,
          messages: event.messages,
          raw: event.raw,
          dismissedAt: null,
        },
      };
    }
    case 'permanent_failure':
      return {
        name: 'failed_permanently',
        next: {
          ...current,
          status: 'error',
          detail: event.code === 'conflict' ? 'conflict' : 'rejected',
          attempts: current.attempts + 1,
          lastAttemptAt: event.at,
          nextRetryAt: null,
          errorCode: event.code,
          messages: event.messages,
          raw: event.raw,
          dismissedAt: null,
        },
      };
    case 'retry_requested':
      return { name: 'retry_requested', next: { ...current, status: 'pending', detail: 'queued', attempts: 0, nextRetryAt: null, dismissedAt: null, queuedAt: current.queuedAt ?? event.at } };
    case 'dismissed':
      return { name: 'dismissed', next: { ...current, dismissedAt: event.at } };
  }
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, maxMs: 5 * 60_000, maxAttempts: 20 };

/**
 * The longest Retry-After honoured. A SIS asks for minutes (a rate limit) or an hour or so (a
 * maintenance window); a date days away is a wrong clock or header, and honouring it would park
 * the record with nothing to show why. An hour is the SIS's wait, then retries go on as usual.
 */
export const RETRY_AFTER_CEILING_MS = 60 * 60_000;

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), never sooner than the SIS's
 * Retry-After (up to RETRY_AFTER_CEILING_MS). `random` is injected so tests are deterministic.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(20, Math.max(0, attempt - 1)));
  const jittered = exp / 2 + (exp / 2) * random();
  return Math.max(Math.min(retryAfterMs ?? 0, RETRY_AFTER_CEILING_MS), Math.round(jittered));
}

/** Hub field names for the connectors' field paths (meetings.0.roomKey → meetings.0.roomId). */
export function hubField(sisField: string | null | undefined): string | null {
  if (!sisField) return null;
  return sisField.replace(/roomKey$/, 'roomId').replace(/instructorKey$/, 'instructorId').replace(/^members\.(\d+)\.sectionKey$/, 'members.$1.sectionId');
}

/** Maps a message to a field by what the SIS said, when the SIS did not name one. */
export function guessField(message: string): string | null {
  const m = message.toLowerCase();
  if (/credit hours|credits|ceu/.test(m)) return 'credits';
  if (/title/.test(m)) return 'title';
  if (/room/.test(m)) return 'meetings';
  if (/start time|end time|meeting/.test(m)) return 'meetings';
  if (/instructor/.test(m)) return 'instructors';
  if (/capacity/.test(m)) return 'capacity';
  if (/section number|class_section|unique/.test(m)) return 'sectionNumber';
  if (/cancel|enrol/.test(m)) return 'status';
  return null;
}
