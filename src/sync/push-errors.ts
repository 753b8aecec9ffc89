// How a post's failure reads (pure, no I/O): a refusal the hub decides before asking the SIS, a
// conflict no source of truth decides, and any error as the messages its integration status shows.
import { guessField, hubField, type SisMessage } from '../domain/integration-status.ts';
import type { RecordMerge } from '../domain/three-way.ts';
import { SisError } from '../sis/errors.ts';

/** A refusal the hub decides before asking the SIS (unknown course, unsupported kind…). */
export const permanent = (code: 'validation' | 'not_supported' | 'not_found' | 'conflict', message: string, field?: string) =>
  new SisError({ code, message, field });

export function messagesOf(error: unknown): { code: string; messages: SisMessage[]; raw: unknown; retryable: boolean; retryAfterMs?: number } {
  if (error instanceof SisError) {
    const text = error.message.replace(/^(GET|POST|PUT|DELETE) [^:]+: /, '');
    const parts = text.split('; ').filter(Boolean);
    const messages = (parts.length ? parts : [text]).map((message, i) => ({
      message,
      field: (i === 0 ? hubField(error.field) : null) ?? guessField(message),
      code: error.code,
    }));
    return { code: error.code, messages, raw: error.raw ?? null, retryable: error.retryable, retryAfterMs: error.retryAfterMs };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', messages: [{ message, field: null, code: 'internal' }], raw: null, retryable: true };
}

/** A field both sides changed that no source-of-truth rule decides: the record stops, with both values. */
export function conflictError(merge: RecordMerge): SisError {
  const open = merge.conflicts.filter((c) => c.resolvedBy === 'none');
  return new SisError({
    code: 'conflict',
    message: open.map((c) => `${c.field} was changed both in the hub and in the SIS (no source of truth decides)`).join('; '),
    field: open[0]?.field,
    raw: merge.conflicts,
  });
}
