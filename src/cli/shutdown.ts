// Stopping `coursebridge serve` within a deadline: a part that does not stop is named in the log
// and left behind, instead of the process hanging until its supervisor kills it without a word
// (systemd does after 90 s, by default).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface ShutdownStep {
  /** What is abandoned if this step is still running at the deadline. */
  name: string;
  stop(): Promise<unknown>;
}

/**
 * Runs the steps in order (a step that fails is logged and the next one runs); true once all have
 * ended. At the deadline it logs the step still running and those not begun, and answers false
 * without waiting for them.
 */
export async function shutDown(steps: ShutdownStep[], deadlineMs: number, logger: Logger): Promise<boolean> {
  let current = 0;
  const run = async () => {
    for (; current < steps.length; current++) {
      await steps[current].stop().catch((err: unknown) => logger.error({ err }, `shutdown: stopping ${steps[current].name} failed`));
    }
    return true;
  };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  const finished = await Promise.race([run(), expired]);
  clearTimeout(timer);
  if (!finished) {
    const abandoned = steps.slice(current).map((s) => s.name);
    logger.error({ abandoned }, `shutdown did not finish within ${deadlineMs / 1000} s: exiting without stopping ${abandoned.join(', ')}`);
  }
  return finished;
}

/**
 * Closes the HTTP server: no new requests, open progress streams end, requests in flight finish
 * within `drainMs`; after that their connections are cut, so the job workers and the database
 * still get to stop cleanly.
 */
export async function closeHttp(app: FastifyInstance, drainMs: number, logger: Logger): Promise<void> {
  const timer = setTimeout(() => {
    logger.warn(`shutdown: HTTP requests still running after ${drainMs / 1000} s; closing their connections`);
    app.server.closeAllConnections();
  }, drainMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
