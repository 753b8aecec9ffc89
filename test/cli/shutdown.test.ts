// Stopping the hub within a deadline: steps run in order, a failing one does not stop the rest, a
// step that hangs is named in the log as abandoned (with those not begun) once the deadline passes,
// and requests still running when the HTTP drain ends have their connections cut. The clock is
// vitest's fake one; the HTTP drain is given no time at all.
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeHttp, shutDown } from '../../src/cli/shutdown.ts';

function capturedLogger() {
  const lines: { level: number; msg: string; abandoned?: string[] }[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

afterEach(() => vi.useRealTimers());

describe('shutDown', () => {
  it('runs every step in order, past one that fails', async () => {
    const { lines, logger } = capturedLogger();
    const ran: string[] = [];
    const steps = [
      { name: 'HTTP requests', stop: async () => void ran.push('HTTP requests') },
      { name: 'job workers', stop: () => Promise.reject(new Error('boom')) },
      { name: 'the database', stop: async () => void ran.push('the database') },
    ];
    expect(await shutDown(steps, 60_000, logger)).toBe(true);
    expect(ran).toEqual(['HTTP requests', 'the database']);
    expect(lines.map((l) => l.msg)).toEqual(['shutdown: stopping job workers failed']);
  });

  it('gives up at the deadline, naming the step it abandons and those not begun', async () => {
    vi.useFakeTimers();
    const { lines, logger } = capturedLogger();
    const ran: string[] = [];
    const steps = [
      { name: 'HTTP requests', stop: async () => void ran.push('HTTP requests') },
      { name: 'job workers', stop: () => new Promise<void>(() => ran.push('job workers')) },
      { name: 'the database', stop: async () => void ran.push('the database') },
    ];
    const finished = shutDown(steps, 60_000, logger);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(lines).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await finished).toBe(false);
    expect(ran).toEqual(['HTTP requests', 'job workers']);
    expect(lines).toMatchObject([{ level: 50, abandoned: ['job workers', 'the database'], msg: 'shutdown did not finish within 60 s: exiting without stopping job workers, the database' }]);
  });
});

describe('closeHttp', () => {
  it('cuts the connection of a request still running when the drain ends, and closes', async () => {
    const { lines, logger } = capturedLogger();
    const app = Fastify();
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    app.get('/slow', () => {
      arrived();
      return new Promise(() => {}); // never answers
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const request = fetch(`${url}/slow`).then(
      () => 'answered',
      () => 'cut',
    );
    await inFlight;
    await closeHttp(app, 0, logger);
    expect(await request).toBe('cut');
    expect(lines.map((l) => l.msg)).toEqual(['shutdown: HTTP requests still running after 0 s; closing their connections']);
  });
});
