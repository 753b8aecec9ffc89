// Simulator + connector pairs for the contract suite: each starts a real HTTP simulator on a
// free port and the connector that speaks its dialect.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startSisSim, type SisSim, type SisSimOptions } from '../../sis-sim/server.ts';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import type { LoggedRequest } from '../../sis-sim/request-log.ts';
import { UnreadableRecord, type Read, type SisConnector } from '../../src/sis/contract.ts';
import { createConnector } from '../../src/sis/registry.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedData = path.resolve(projectRoot, '../shared/data');
export const uiucFile = (term: string) => path.join(sharedData, 'uiuc', `${term}.csv`);
export const hasSharedData = existsSync(uiucFile('2025-su'));
export const SKIP_SHARED = `skipped: ${sharedData} is absent (the UIUC files are not part of the project)`;

export type Dialect = 'ethos' | 'peoplesoft';

export interface Pair {
  sim: SisSim;
  connector: SisConnector;
  /** Advances the simulator's clock. */
  advance(ms: number): void;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  connect(overrides?: Record<string, unknown>): SisConnector;
}

export const API_KEY = 'test-key';

export async function startPair(dialect: Dialect, options: Partial<SisSimOptions> = {}): Promise<Pair> {
  let now = Date.parse('2025-06-01T12:00:00Z');
  const sim = await startSisSim({ dialect, port: 0, apiKey: API_KEY, seed: 'synthetic:200', clock: () => now, ...options });
  const connect = (overrides: Record<string, unknown> = {}) =>
    createConnector(
      dialect === 'ethos'
        ? { kind: 'ethos', baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 5_000, ...overrides }
        : { kind: 'peoplesoft', baseUrl: `${sim.url}${PS_BASE}`, username: 'COURSEBRIDGE', password: API_KEY, timeoutMs: 5_000, ...overrides },
    );
  return {
    sim,
    connector: connect(),
    advance: (ms) => {
      now += ms;
    },
    admin: async <T>(method: string, p: string, body?: unknown) => {
      const response = await fetch(`${sim.url}/__admin${p}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`admin ${method} ${p}: ${response.status} ${await response.text()}`);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    connect,
  };
}

/** The requests the simulator has answered, as sorted "METHOD path" shapes: Ethos GUIDs as :id, PeopleSoft's base left out and its term and class numbers as :strm and :nbr. */
export async function requestShapes(pair: Pair): Promise<string[]> {
  return (await pair.admin<LoggedRequest[]>('GET', '/requests'))
    .map((r) => `${r.method} ${r.path.replace(PS_BASE, '').replace(/[0-9a-f-]{36}/g, ':id').replace(/\/terms\/[^/]+\/classes\/\d+$/, '/terms/:strm/classes/:nbr')}`)
    .sort();
}

/** Waits (bounded) until the simulator has answered at least `count` requests. */
export async function waitForRequests(pair: Pair, count: number): Promise<void> {
  for (let i = 0; (await pair.admin<LoggedRequest[]>('GET', '/requests')).length < count; i++) {
    if (i > 400) throw new Error(`fewer than ${count} SIS requests: ${JSON.stringify(await requestShapes(pair))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A page a reader yielded; a record it could not read fails the test with the reader's reason. */
export function readable<T>(page: Read<T>[]): T[] {
  return page.map((record) => {
    if (record instanceof UnreadableRecord) throw new Error(`unreadable SIS record ${record.key}: ${record.message}`);
    return record;
  });
}

/** Every record a reader yields (all of them readable). */
export async function collect<T>(pages: AsyncIterable<Read<T>[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let count = 0;
  for await (const page of pages) {
    items.push(...readable(page));
    count++;
  }
  return { items, pages: count };
}

/**
 * The hub's way to the simulator: `before` sees each request first, and may hold it. An answer
 * the simulator drops (a lost response) is dropped here too.
 */
export async function startProxy(target: string, before: (req: IncomingMessage) => Promise<void> | void) {
  const proxy = createServer(async (req, res) => {
    await before(req);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const upstream = await fetch(target + req.url, {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.socket?.destroy();
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, close: () => new Promise((resolve) => proxy.close(resolve)) };
}
