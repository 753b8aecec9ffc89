// The requests the simulator answered, so a test can say what a client sent (how many writes, to
// which resources) the way an SIS administrator would read the SIS's access log.
export interface LoggedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
}

/** Keeps the most recent requests only: a long-running demo SIS must not grow without bound. */
export const REQUEST_LOG_LIMIT = 10_000;

export class RequestLog {
  // A ring: once full, each request overwrites the oldest (shifting a 10,000-entry array on every
  // request cost the simulator's CPU on the benchmarks' busy machine).
  private entries: LoggedRequest[] = [];
  private next = 0;

  record(method: string, url: string): void {
    const entry = { method, path: url.split('?')[0] };
    if (this.entries.length < REQUEST_LOG_LIMIT) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % REQUEST_LOG_LIMIT;
  }

  /** Oldest first. */
  list(): LoggedRequest[] {
    return this.entries.length < REQUEST_LOG_LIMIT ? [...this.entries] : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  clear(): void {
    this.entries = [];
    this.next = 0;
  }
}
