// The SIS simulator: a real HTTP server speaking Ethos or PeopleSoft, with faults and an admin
// API. Our test peer and demo SIS.
import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAdmin } from './admin.ts';
import type { EventTimes } from './ethos-shapes.ts';
import { ethosErrors, registerEthos } from './ethos.ts';
import { faultConfig, Faults, malform, type FaultConfig, type FaultRule } from './faults.ts';
import { loadSnapshot, saveSnapshot } from './persistence.ts';
import { psErrors, registerPeopleSoft } from './peoplesoft.ts';
import { RequestLog } from './request-log.ts';
import { datasetFromSeed } from './seed.ts';
import { emptyState } from './state.ts';
import { SimStore } from './store.ts';

export interface SisSimOptions {
  dialect: 'ethos' | 'peoplesoft';
  /** 0 picks a free port. */
  port: number;
  host?: string;
  apiKey: string;
  /** `csv:PATH` or `synthetic:N`; ignored when dataDir already holds a snapshot. */
  seed?: string;
  dataDir?: string;
  clock?: () => number;
  /** PeopleSoft: how long a new class's CLASS_NBR stays hidden (default 0). */
  crnDelayMs?: number;
  maxPageSize?: number;
  /** Ethos: the zone of the SIS's meeting times (default America/Chicago). */
  timeZone?: string;
  /** Ethos: send event date-times with the zone's offset (default) or as UTC instants. */
  eventTimes?: EventTimes;
  faults?: Partial<FaultConfig>;
}

export interface SisSim {
  url: string;
  port: number;
  store: SimStore;
  faults: Faults;
  requests: RequestLog;
  close(): Promise<void>;
}

export async function startSisSim(options: SisSimOptions): Promise<SisSim> {
  const clock = options.clock ?? Date.now;
  let dirty = false;
  const snapshot = options.dataDir ? loadSnapshot(options.dataDir) : null;
  const store = new SimStore(snapshot ?? emptyState(), {
    clock,
    crnDelayMs: options.crnDelayMs ?? 0,
    onChange: () => {
      dirty = true;
    },
  });
  if (!snapshot && options.seed) store.loadDataset(datasetFromSeed(options.seed));
  const persist = () => {
    if (dirty && options.dataDir) saveSnapshot(options.dataDir, store.state);
    dirty = false;
  };
  persist();

  const faults = new Faults();
  faults.configure(faultConfig.parse(options.faults ?? {}));
  const requests = new RequestLog();
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });
  const lostResponses = new WeakSet<FastifyRequest>();
  const malformed = new WeakMap<FastifyRequest, FaultRule>();
  const fail = (reply: FastifyReply, status: number, message: string) =>
    options.dialect === 'ethos'
      ? ethosErrors(reply, status, [{ code: status === 429 ? 'Global.TooManyRequests' : 'Global.Internal.Error', description: message, message }])
      : psErrors(reply, status, [{ MSGSET: 158, MSGNBR: status, SEVERITY: 'E', MESSAGE_TEXT: message }]);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/__admin')) return;
    requests.record(request.method, request.url);
    const latency = faults.latencyMs();
    if (latency > 0) await delay(latency);
    const rule = faults.pick(request.method, request.url.split('?')[0]);
    switch (rule?.kind) {
      case undefined:
        return;
      case 'server_error':
        return fail(reply, 500, 'Internal server error.');
      case 'rate_limit':
        reply.header('retry-after', String(rule.retryAfterSeconds));
        return fail(reply, 429, 'Too many requests; slow down.');
      case 'maintenance':
        reply.header('retry-after', String(rule.retryAfterSeconds));
        return fail(reply, 503, 'The system is unavailable for scheduled maintenance.');
      case 'timeout':
        // Never answer: the client's own timeout is the only way out.
        reply.hijack();
        return;
      case 'reset':
        reply.hijack();
        request.raw.socket.destroy();
        return;
      case 'lost_response':
        lostResponses.add(request);
        return;
      case 'malformed_record':
        malformed.set(request, rule);
        return;
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    persist();
    if (lostResponses.has(request) && reply.statusCode < 400) request.raw.socket.destroy();
    const rule = malformed.get(request);
    if (rule && reply.statusCode === 200 && typeof payload === 'string') return malform(payload, rule);
    return payload;
  });

  registerAdmin(app, store, faults, requests);
  if (options.dialect === 'ethos') {
    registerEthos(app, {
      apiKey: options.apiKey,
      store,
      maxPageSize: options.maxPageSize ?? 500,
      timeZone: options.timeZone ?? 'America/Chicago',
      eventTimes: options.eventTimes ?? 'offset',
    });
  } else {
    registerPeopleSoft(app, { apiKey: options.apiKey, store, maxPageSize: options.maxPageSize ?? 500 });
  }

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    faults,
    requests,
    close: async () => {
      persist();
      await app.close();
    },
  };
}
