// What the push engine's pieces share, made once per engine (src/sync/push.ts): its dependencies,
// the record lease and the status writer; and how each SIS call a post makes is logged.
import type { Logger } from 'pino';
import type { SisError } from '../sis/errors.ts';
import type { RecordLease } from './push-lease.ts';
import type { StatusWriter } from './push-status.ts';
import type { PushDeps } from './push-types.ts';

export interface PushContext {
  readonly deps: PushDeps;
  readonly lease: RecordLease;
  readonly status: StatusWriter;
}

/** Runs one SIS call, logged with the run and record it belongs to. */
export async function sisCall<T>(log: Logger | null, op: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await fn();
    log?.info({ sisCall: op, ms: Math.round(performance.now() - started) }, 'SIS call');
    return result;
  } catch (error) {
    log?.warn({ sisCall: op, ms: Math.round(performance.now() - started), code: (error as SisError).code, err: (error as Error).message }, 'SIS call failed');
    throw error;
  }
}
