import { describe, expect, it } from 'vitest';
import { guessField, hubField, initialStatus, RETRY_AFTER_CEILING_MS, retryDelayMs, transition, type StatusRecord } from '../../src/domain/integration-status.ts';
import { hintFor } from '../../src/domain/sis-error-hints.ts';

const at = new Date('2026-03-01T10:00:00Z');
const later = new Date('2026-03-01T10:00:05Z');
const policy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 3 };

describe('integration status transitions', () => {
  it('names every step of a post that fails, retries and succeeds', () => {
    let r: StatusRecord = initialStatus(false);
    expect(r.status).toBe('not_synced');
    const steps: string[] = [];
    const apply = (e: Parameters<typeof transition>[1]) => {
      const { next, name } = transition(r, e);
      steps.push(`${name}:${next.status}`);
      r = next;
    };
    apply({ kind: 'enqueued', at, version: 2 });
    apply({ kind: 'transient_failure', at, retryAt: later, code: 'server_error', messages: [{ message: 'boom', field: null, code: 'server_error' }], raw: null, maxAttempts: 3 });
    expect(r).toMatchObject({ attempts: 1, nextRetryAt: later, detail: 'retrying' });
    apply({ kind: 'succeeded', at: later, version: 2, current: 2 });
    expect(steps).toEqual(['enqueued:pending', 'failed_transiently:pending', 'succeeded:synced']);
    expect(r).toMatchObject({ attempts: 0, messages: [], errorCode: null, pushedVersion: 2, queuedAt: null, lastSuccessAt: later });
  });

  it('stays pending when an edit arrived during the post', () => {
    const { next, name } = transition({ ...initialStatus(true), status: 'pending' }, { kind: 'succeeded', at, version: 3, current: 4 });
    expect(name).toBe('superseded_during_post');
    expect(next.status).toBe('pending');
  });

  it('turns into an error when retries run out, and on a permanent refusal keeps the messages', () => {
    let r: StatusRecord = { ...initialStatus(true), status: 'pending', attempts: 2 };
    const t = transition(r, { kind: 'transient_failure', at, retryAt: later, code: 'timeout', messages: [], raw: null, maxAttempts: 3 });
    expect(t).toMatchObject({ name: 'retries_exhausted', next: { status: 'error', detail: 'retries_exhausted', nextRetryAt: null } });
    r = transition(initialStatus(true), {
      kind: 'permanent_failure',
      at,
      code: 'validation',
      messages: [{ message: 'ORA-12899: value too large', field: 'title', code: 'validation' }],
      raw: { errors: [] },
    }).next;
    expect(r).toMatchObject({ status: 'error', detail: 'rejected', errorCode: 'validation', raw: { errors: [] } });
    const dismissed = transition(r, { kind: 'dismissed', at }).next;
    expect(dismissed).toMatchObject({ status: 'error', dismissedAt: at });
    expect(transition(dismissed, { kind: 'enqueued', at, version: 5 }).next).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('marks records the hub may not post, and those waiting', () => {
    expect(transition(initialStatus(true), { kind: 'integration_disabled' }).next).toMatchObject({ status: 'not_synced', detail: 'integration_disabled' });
    const failed = transition(initialStatus(true), { kind: 'permanent_failure', at, code: 'validation', messages: [{ message: 'no', field: null, code: null }], raw: null }).next;
    expect(transition(failed, { kind: 'section_integration_disabled' })).toMatchObject({
      name: 'held_by_sections',
      next: { status: 'not_synced', detail: 'section_integration_disabled', messages: [], errorCode: null },
    });
    expect(transition(initialStatus(true), { kind: 'maintenance' }).next).toMatchObject({ status: 'pending', detail: 'maintenance' });
    expect(transition(initialStatus(false), { kind: 'waiting_for_sections' }).next).toMatchObject({ status: 'pending', detail: 'waiting_for_sections' });
    expect(transition(initialStatus(false), { kind: 'awaiting_sis_key', at, retryAt: later, version: 1 }).next).toMatchObject({
      status: 'pending',
      detail: 'awaiting_sis_key',
      nextRetryAt: later,
    });
  });

  it('marks a synced record changed where the save does not post it: not synced while sync is off, pending for the nightly', () => {
    const synced = transition(initialStatus(true), { kind: 'succeeded', at, version: 3, current: 3 }).next;
    expect(transition(synced, { kind: 'changed_while_sync_off', version: 4 })).toMatchObject({
      name: 'changed_while_sync_off',
      next: { status: 'not_synced', detail: 'changed_while_sync_off', wantedVersion: 4, pushedVersion: 3 },
    });
    const failed = transition(synced, { kind: 'permanent_failure', at, code: 'validation', messages: [{ message: 'no', field: null, code: null }], raw: null }).next;
    expect(transition(failed, { kind: 'changed_while_sync_off', version: 5 }).next).toMatchObject({ status: 'not_synced', messages: [], errorCode: null, attempts: 0 });
    expect(transition(synced, { kind: 'awaiting_nightly', at: later, version: 4 })).toMatchObject({
      name: 'awaiting_nightly',
      next: { status: 'pending', detail: 'awaiting_nightly', queuedAt: later, wantedVersion: 4 },
    });
  });
});

describe('retry backoff', () => {
  it('grows exponentially with jitter, caps, and never undercuts Retry-After', () => {
    expect(retryDelayMs(1, undefined, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, undefined, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(4, undefined, policy, () => 1)).toBe(8000);
    expect(retryDelayMs(30, undefined, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1, 20_000, policy, () => 0.5)).toBe(20_000);
    const spread = new Set(Array.from({ length: 20 }, (_, i) => retryDelayMs(3, undefined, policy, () => i / 20)));
    expect(spread.size).toBe(20);
  });

  it('honours a Retry-After of up to an hour, and waits an hour for one further away', () => {
    expect(retryDelayMs(1, 45 * 60_000, policy, () => 0.5)).toBe(45 * 60_000);
    expect(retryDelayMs(1, RETRY_AFTER_CEILING_MS, policy, () => 0.5)).toBe(60 * 60_000);
    // A Retry-After date a year away (a wrong SIS clock) would otherwise park the record for a year.
    expect(retryDelayMs(1, 365 * 24 * 3600_000, policy, () => 0.5)).toBe(60 * 60_000);
    // A backoff longer than the ceiling still applies.
    expect(retryDelayMs(30, 365 * 24 * 3600_000, { ...policy, maxMs: 2 * 3600_000 }, () => 1)).toBe(2 * 3600_000);
  });
});

describe('SIS messages', () => {
  it('maps SIS fields and messages to hub fields', () => {
    expect(hubField('meetings.0.roomKey')).toBe('meetings.0.roomId');
    expect(hubField('instructors.1.instructorKey')).toBe('instructors.1.instructorId');
    expect(guessField('ORA-20100: ::Section credit hours must equal course credit hours::')).toBe('credits');
    expect(guessField('Something else entirely')).toBeNull();
  });

  it('has hints for the known Banner and PeopleSoft errors', () => {
    expect(hintFor('ORA-20100: ::Section credit hours/CEUs must equal course credit hours/CEUs::')?.id).toBe('banner-credit-hours');
    expect(hintFor('ORA-12899: value too large for column "SATURN"."SSBSECT"."SSBSECT_CRSE_TITLE"')?.id).toBe('banner-title-too-long');
    expect(hintFor('ORA-06502: PL/SQL: numeric or value error: character string buffer too small')?.id).toBe('banner-title-too-long');
    expect(hintFor('*ERROR* Room ALT 314 is inactive.')?.id).toBe('room-inactive');
    expect(hintFor('Class 12345 cannot be cancelled: 12 students are enrolled. (14640,160)')?.id).toBe('peoplesoft-cancel-with-enrollment');
    expect(hintFor('Reserve Capacity Total Must Not Be More Than Enrollment Capacity')?.id).toBe('peoplesoft-reserve-capacity');
    expect(hintFor('instructional-methods: no entry with id 0f6c…')?.id).toBe('sis-code-missing');
    expect(hintFor('sites: the SIS has no code "EAST"')?.id).toBe('sis-code-missing');
    expect(hintFor('no idea')).toBeNull();
  });
});
