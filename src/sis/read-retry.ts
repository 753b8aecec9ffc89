// A page of a read that fails transiently (a 429, a 503, a reset) is asked for again here, a few
// times and briefly, instead of failing the whole read: a term's sections come in hundreds of
// requests, and the merge's own retry (src/sync/sis-fetch.ts) starts the term over. A wait the SIS
// asks for that is longer than a moment is left to those outer retries, which wait without holding
// a connection or a post's slot.
import { SisError } from './errors.ts';

const ATTEMPTS = 3;
const FIRST_WAIT_MS = 250;
/** The longest wait spent here; a longer Retry-After goes to the caller. */
const MAX_WAIT_MS = 5_000;

export async function readWithRetry<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof SisError) || !error.retryable || attempt >= ATTEMPTS) throw error;
      const wait = error.retryAfterMs ?? FIRST_WAIT_MS * 2 ** (attempt - 1);
      if (wait > MAX_WAIT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
