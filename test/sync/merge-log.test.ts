// What an operator finds in the hub's log about a merge: its run id on the run's start, on each
// item's outcome (with its counts) and on its end, and the SIS's code and message when the SIS
// failed it; and who made each API request.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub } from '../helpers/hub.ts';
import { API_KEY, startPair } from '../sis/harness.ts';
import { merge } from './helpers.ts';

type Line = Record<string, any> & { msg: string };

/** A logger writing into `lines`, as the hub's would to standard output. */
function capture(lines: Line[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text));
      done();
    },
  });
  return pino({ level: 'info' }, stream);
}

/** The first line matching `wanted`, waited for (bounded): a run's last line follows the write that ends it. */
async function lineOf(lines: Line[], wanted: (line: Line) => boolean): Promise<Line> {
  for (let i = 0; i < 200; i++) {
    const found = lines.find(wanted);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no such log line in ${JSON.stringify(lines.map((l) => l.msg))}`);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('the merge in the log', () => {
  it('logs the run with its id: who started it and what, each item with its status and counts, and its end', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:10' });
    const lines: Line[] = [];
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY }, logger: capture(lines) });
    cleanups.push(() => sis.sim.close(), () => hub.close());

    const run = await merge(hub.admin, { types: ['terms', 'departments'], terms: [] });
    expect(run.status).toBe('succeeded');
    const ofRun = lines.filter((l) => l.runId === run.id);
    expect(ofRun.find((l) => l.msg === 'merge run started')).toMatchObject({ trigger: 'manual', actor: 'registrar@example.edu', types: ['terms', 'departments'], terms: [] });
    for (const type of ['terms', 'departments'])
      expect(ofRun.find((l) => l.msg === 'merge item finished' && l.type === type)).toMatchObject({
        term: null,
        status: 'succeeded',
        counts: expect.objectContaining({ created: run.items.find((i) => i.type === type)!.counts.created }),
        ms: expect.any(Number),
      });
    expect(await lineOf(lines, (l) => l.runId === run.id && l.msg === 'merge run finished')).toMatchObject({ status: 'succeeded', error: null });

    // The request that started it names who made it.
    const started = lines.find((l) => l.msg === 'incoming request' && l.req?.method === 'POST' && l.req?.url === '/api/v1/admin/merges')!;
    expect(await lineOf(lines, (l) => l.msg === 'request completed' && l.reqId === started.reqId)).toMatchObject({
      res: { statusCode: 202 },
      actor: { type: 'user', id: hub.adminId, name: 'registrar@example.edu' },
    });
  });

  it('logs an item the SIS failed with the SIS code and message, under the run id', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:10' });
    const lines: Line[] = [];
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: 'not-the-key' }, logger: capture(lines) });
    cleanups.push(() => sis.sim.close(), () => hub.close());

    const run = await merge(hub.admin, { types: ['terms'], terms: [] });
    expect(run.status).toBe('failed');
    const ofRun = lines.filter((l) => l.runId === run.id);
    expect(ofRun.find((l) => l.msg === 'merge item failed')).toMatchObject({
      level: 40,
      type: 'terms',
      status: 'failed',
      code: 'unauthorized',
      err: expect.stringMatching(/Invalid API key/),
    });
    expect(await lineOf(lines, (l) => l.runId === run.id && l.msg === 'merge run finished')).toMatchObject({ level: 40, status: 'failed' });
  });
});
