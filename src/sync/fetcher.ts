// A merge's fetches run on their own thread (src/sync/fetch-thread.ts: a Node worker thread, not a
// job-queue worker) with its own connector for the same settings: the SIS's HTTP, JSON parsing
// and validation of the next term no longer compete with the apply of this one (on PGlite, every
// statement runs on the main thread) nor with the API's requests. One thread per connection
// settings, started on first use; it does not keep the process alive while idle.
import { Worker } from 'node:worker_threads';
import type { MergeType } from '../domain/merge-settings.ts';
import { SisError, type SisErrorInit } from '../sis/errors.ts';
import type { ConnectorSettings } from '../sis/settings.ts';
import type { Converted, ConvertedPage } from './sis-fetch.ts';

export interface FetchRequest {
  id: number;
  type: MergeType;
  termKey: string | null;
}

export type FetchReply =
  | { id: number; page: ConvertedPage }
  | { id: number; restart: true }
  | { id: number; done: true }
  | { id: number; error: { sis: SisErrorInit } | { message: string } };

// The thread holds one page and, for Ethos, a term's meeting events; unbounded, V8 let its heap
// grow by hundreds of MB before collecting (merge bench, 15k-section terms: peak RSS 1.06–1.24 GB
// without these limits, 0.8–0.95 GB with them).
const HEAP = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

interface Pending {
  onFetched(count: number): void;
  read: Converted;
  resolve(result: Converted): void;
  reject(error: Error): void;
}

export class SisFetcher {
  readonly #settings: ConnectorSettings;
  #worker: Worker | null = null;
  #pending = new Map<number, Pending>();
  #next = 0;
  #retired = false;

  constructor(settings: ConnectorSettings) {
    this.#settings = settings;
  }

  /** Everything of one type × term from the SIS, validated and converted; `onFetched` hears the count so far. */
  fetch(type: MergeType, termKey: string | null, onFetched: (count: number) => void): Promise<Converted> {
    const worker = this.#start();
    const id = ++this.#next;
    return new Promise<Converted>((resolve, reject) => {
      this.#pending.set(id, { onFetched, read: { records: [], invalid: [], fetched: 0 }, resolve, reject });
      worker.ref(); // a fetch under way keeps the process alive, as an HTTP request would
      worker.postMessage({ id, type, termKey } satisfies FetchRequest);
    });
  }

  /** Stops the thread once no fetch is under way (the settings changed, or the hub stops). */
  async close(): Promise<void> {
    this.#retired = true;
    if (this.#pending.size === 0) await this.#worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./fetch-thread.ts', import.meta.url), { workerData: { settings: this.#settings }, resourceLimits: HEAP });
    worker.on('message', (reply: FetchReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      const { read } = pending;
      if ('page' in reply) {
        for (const record of reply.page.records) read.records.push(record);
        for (const row of reply.page.invalid) read.invalid.push(row);
        read.fetched += reply.page.records.length + reply.page.invalid.length;
        return pending.onFetched(read.fetched);
      }
      if ('restart' in reply) {
        pending.read = { records: [], invalid: [], fetched: 0 };
        return;
      }
      this.#settle(reply.id);
      if ('done' in reply) pending.resolve(read);
      else pending.reject('sis' in reply.error ? new SisError(reply.error.sis) : new Error(reply.error.message));
    });
    const stopped = (error: Error) => {
      this.#worker = null;
      for (const [id, pending] of this.#pending) {
        this.#pending.delete(id);
        pending.reject(error);
      }
    };
    worker.on('error', (error: Error & { code?: string }) =>
      stopped(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new Error(`The SIS fetch needed more than its ${HEAP.maxOldGenerationSizeMb} MB of memory; nothing of it was written.`)
          : error,
      ),
    );
    worker.on('exit', (code) => stopped(new Error(`The SIS fetch thread stopped (exit code ${code}).`)));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #settle(id: number) {
    this.#pending.delete(id);
    if (this.#pending.size > 0) return;
    this.#worker?.unref();
    if (this.#retired) void this.#worker?.terminate();
  }
}
