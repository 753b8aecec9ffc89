// The fetch thread (started by src/sync/fetcher.ts): a merge's SIS reads, with their HTTP,
// JSON parsing, validation and conversion, run here, not on the thread that applies the previous
// term to the database and answers the API.
import { parentPort, workerData } from 'node:worker_threads';
import { createConnector } from '../sis/registry.ts';
import { SisError } from '../sis/errors.ts';
import { collectGarbage } from './collect-garbage.ts';
import type { FetchReply, FetchRequest } from './fetcher.ts';
import { fetchPages } from './sis-fetch.ts';

const port = parentPort!;
const connector = createConnector(workerData.settings);
const send = (reply: FetchReply) => port.postMessage(reply);

/** What can cross to the other thread: the SIS's payload as JSON, or as text where it is not JSON. */
function cloneable(raw: unknown): unknown {
  try {
    return structuredClone(raw);
  } catch {
    return String(raw);
  }
}

port.on('message', async ({ id, type, termKey }: FetchRequest) => {
  try {
    await fetchPages(connector, type, termKey, { page: (page) => send({ id, page }), restart: () => send({ id, restart: true }) });
    send({ id, done: true });
  } catch (error) {
    send({
      id,
      error:
        error instanceof SisError
          ? { sis: { code: error.code, message: error.message, field: error.field, status: error.status, retryAfterMs: error.retryAfterMs, raw: cloneable(error.raw) } }
          : { message: error instanceof Error ? error.message : String(error) },
    });
  } finally {
    // What this read held (for Ethos sections, a term's meeting events) is garbage now.
    collectGarbage();
  }
});
