// Up to `concurrency` jobs of one queue in flight, from one fetch loop: each job is settled as soon
// as its handler ends, and freed slots take new jobs. pg-boss's own workers take their next batch
// only once the whole batch is done, so one slow post held up the rest of its batch: on PGlite the
// push bench's backlog drained at 248 posts/s with 16 workers × 8 jobs, bound by its slowest posts
// rather than by the hub, and at 404–442 posts/s with this pool at the same concurrency (on
// PostgreSQL, with two processes, 347–389 against 380–405, within this machine's noise, and p99
// 0.60 s against 0.72–1.1 s). Idle, one loop polls once per interval where each worker polled.
import type { Job, PgBoss } from 'pg-boss';

export interface JobPoolOptions {
  concurrency: number;
  pollingIntervalSeconds: number;
  /** The queue's heartbeatSeconds, if any: jobs in flight are touched at half that interval. */
  heartbeatSeconds?: number;
  onError(error: unknown): void;
}

export class JobPool<T> {
  readonly #boss: PgBoss;
  readonly #name: string;
  readonly #options: JobPoolOptions;
  readonly #handler: (job: Job<T>) => Promise<void>;
  readonly #inFlight = new Map<string, Promise<void>>();
  /**
   * Jobs per fetch, taken once that many slots are free: fewer would mean a fetch statement per
   * finished job under load, and all free slots at once would let the process woken by a save take
   * every job, leaving other processes idle.
   */
  readonly #batch: number;
  #stopping = false;
  #notified = false;
  #wake: (() => void) | null = null;
  #waitingForSlots = false;
  /** Jobs done, waiting for the statement that marks them completed. */
  readonly #completions: { id: string; resolve(): void; reject(error: unknown): void }[] = [];
  #completing = false;
  readonly #loop: Promise<void>;
  readonly #heartbeat: NodeJS.Timeout | null;

  constructor(boss: PgBoss, name: string, options: JobPoolOptions, handler: (job: Job<T>) => Promise<void>) {
    this.#boss = boss;
    this.#name = name;
    this.#options = options;
    this.#handler = handler;
    this.#batch = Math.max(1, Math.ceil(options.concurrency / 8));
    this.#heartbeat = options.heartbeatSeconds ? setInterval(() => this.#touch(), (options.heartbeatSeconds * 1000) / 2) : null;
    this.#heartbeat?.unref();
    this.#loop = this.#run();
  }

  /** New jobs were committed: fetch now rather than at the next poll. */
  notify() {
    this.#notified = true;
    if (!this.#waitingForSlots) this.#wake?.();
  }

  /** Takes no more jobs and waits for those in flight, up to `timeoutMs` (the rest expire and are retried). */
  async stop(timeoutMs: number) {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#inFlight.values()), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
  }

  async #run() {
    while (!this.#stopping) {
      if (this.#options.concurrency - this.#inFlight.size < this.#batch) {
        await this.#sleep(null, true);
        continue;
      }
      this.#notified = false;
      let drained = true;
      try {
        const jobs = await this.#boss.fetch<T>(this.#name, { batchSize: this.#batch });
        for (const job of jobs) this.#start(job);
        drained = jobs.length < this.#batch;
      } catch (error) {
        this.#options.onError(error);
      }
      // Drained (or failed): wait for new jobs, unless some were committed while fetching.
      if (drained && !this.#notified && !this.#stopping) await this.#sleep(this.#options.pollingIntervalSeconds * 1000, false);
    }
  }

  /** Until woken: by a finished job when waiting for slots, else by notify(), or after `ms`. */
  #sleep(ms: number | null, forSlots: boolean): Promise<void> {
    this.#waitingForSlots = forSlots;
    return new Promise<void>((resolve) => {
      const timer = ms === null ? undefined : setTimeout(() => this.#wake?.(), ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        this.#waitingForSlots = false;
        resolve();
      };
    });
  }

  #start(job: Job<T>) {
    const settled = this.#settle(job).finally(() => {
      this.#inFlight.delete(job.id);
      if (this.#waitingForSlots && this.#options.concurrency - this.#inFlight.size >= this.#batch) this.#wake?.();
    });
    this.#inFlight.set(job.id, settled);
  }

  /** A settle that fails (the database gone) leaves the job active: it expires and is retried. */
  async #settle(job: Job<T>) {
    let failure: Error | null = null;
    try {
      await this.#handler(job);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    try {
      if (failure) await this.#boss.fail(this.#name, job.id, { message: failure.message });
      else await this.#complete(job.id);
    } catch (error) {
      this.#options.onError(error);
    }
  }

  /**
   * Completions ride together: those that end while one statement completes jobs go in the next,
   * so a busy pool commits once per group rather than once per job.
   */
  #complete(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#completions.push({ id, resolve, reject });
      if (this.#completions.length === 1 && !this.#completing) void this.#flushCompletions();
    });
  }

  async #flushCompletions() {
    this.#completing = true;
    while (this.#completions.length) {
      const group = this.#completions.splice(0);
      try {
        await this.#boss.complete(this.#name, group.map((c) => c.id));
        for (const c of group) c.resolve();
      } catch (error) {
        for (const c of group) c.reject(error);
      }
    }
    this.#completing = false;
  }

  #touch() {
    if (this.#inFlight.size) this.#boss.touch(this.#name, [...this.#inFlight.keys()]).catch((error: unknown) => this.#options.onError(error));
  }
}
