// The requests the simulator answered, so a test can say what a client sent (how many writes, to
// which resources) the way an SIS administrator would read the SIS's access log.
export interface LoggedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
}

/** Keeps the most recent requests only: a long-running demo SIS must not grow without bound. */
const LIMIT = 10_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  record(method: string, url: string): void {
    if (this.entries.length >= LIMIT) this.entries.shift();
    this.entries.push({ method, path: url.split('?')[0] });
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
