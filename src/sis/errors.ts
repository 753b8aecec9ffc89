// One error class for every connector, so the push engine decides retry vs stop without
// knowing which SIS answered.

export type SisErrorCode =
  | 'network' // connection refused, reset, DNS
  | 'timeout' // no answer before the client gave up
  | 'unavailable' // 503, maintenance window
  | 'rate_limited' // 429
  | 'server_error' // other 5xx
  | 'unauthorized' // credentials refused
  | 'forbidden' // authenticated but lacks the SIS permission
  | 'not_found'
  | 'not_supported' // verb or operation the SIS refuses by design (e.g. DELETE sections)
  | 'validation' // the SIS rejected the data
  | 'conflict'
  | 'bad_response'; // the SIS answered something we cannot read

const RETRYABLE: ReadonlySet<SisErrorCode> = new Set([
  'network',
  'timeout',
  'unavailable',
  'rate_limited',
  'server_error',
]);

export interface SisErrorInit {
  code: SisErrorCode;
  message: string;
  field?: string;
  status?: number;
  retryAfterMs?: number;
  raw?: unknown;
}

export class SisError extends Error {
  readonly code: SisErrorCode;
  readonly field: string | undefined;
  readonly retryable: boolean;
  /** Set when the SIS said how long to wait (Retry-After). */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  /** The SIS's own error payload (or the underlying exception), kept for reports. */
  readonly raw: unknown;

  constructor(init: SisErrorInit) {
    super(init.message);
    this.name = 'SisError';
    this.code = init.code;
    this.field = init.field;
    this.retryable = RETRYABLE.has(init.code);
    this.retryAfterMs = init.retryAfterMs;
    this.status = init.status;
    this.raw = init.raw;
  }
}

export function codeForStatus(status: number): SisErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 405 || status === 406 || status === 415) return 'not_supported';
  if (status === 408) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'server_error';
  return 'validation';
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A read of one record: a 404 from the SIS means the record is not there (null); any other failure is thrown. */
export async function ignoreNotFound<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof SisError && error.code === 'not_found') return null;
    throw error;
  }
}
