// What a real-time post sends to an Ethos or a PeopleSoft SIS, read from the simulator's request log over
// real HTTP, and that one process never posts one record twice at once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import type { LoggedRequest } from '../../sis-sim/request-log.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, requestShapes, startPair, waitForRequests, type Pair } from '../sis/harness.ts';
import { drained, expectSisEqualsHub, importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let sections: { id: string; version: number; capacity: number }[];

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40' });
  const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 10_000 }, runtime: { pushSweepMs: 0 } });
  await importAndSync(hub.admin, [term]);
  const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
  sections = (await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=50`)).body.items;
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

beforeEach(async () => {
  await sis.admin('PUT', '/faults', { latencyMs: 0, rules: [] });
  await sis.admin('DELETE', '/requests');
});

const log = () => sis.admin<LoggedRequest[]>('GET', '/requests');

describe('a real-time post to Ethos', () => {
  it('of a capacity change reads the section once and writes only the section: no meeting or instructor writes', async () => {
    const s = sections[0];
    const res = await hub.admin.patch(`/api/v1/sections/${s.id}`, { version: s.version, capacity: s.capacity + 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await settled(hub.admin, s.id)).status).toBe('synced');
    expect(await requestShapes(sis)).toEqual(['GET /api/instructional-events', 'GET /api/section-instructors', 'GET /api/sections/:id', 'PUT /api/sections/:id']);
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
  });

  it('of a section deleted in the hub reads it once and cancels it with one write', async () => {
    const s = sections[2];
    expect((await hub.admin.del(`/api/v1/sections/${s.id}?version=${s.version}`)).status).toBe(204);
    await waitForRequests(sis, 4);
    await drained(hub.db);
    expect(await requestShapes(sis)).toEqual(['GET /api/instructional-events', 'GET /api/section-instructors', 'GET /api/sections/:id', 'PUT /api/sections/:id']);
    const { sis_key: key } = await hub.db.selectFrom('sections').select('sis_key').where('id', '=', s.id).executeTakeFirstOrThrow();
    expect((await sis.connector.getSection(key!))?.status).toBe('cancelled');
  });

  it('is not started a second time while the first is in flight in the same process', async () => {
    const s = sections[1];
    const engine = hub.runtime!.push;
    await hub.db.updateTable('sections').set({ capacity: s.capacity + 1, version: s.version + 1 }).where('id', '=', s.id).execute();
    // The SIS answers slowly: the first post holds its claim from before its first request until its write is answered.
    await sis.admin('PUT', '/faults', { latencyMs: 1_000, rules: [] });
    const { sis_key: key } = await hub.db.selectFrom('sections').select('sis_key').where('id', '=', s.id).executeTakeFirstOrThrow();
    const first = engine.push('section', s.id, { trigger: 'manual' });
    for (let i = 0; !(await log()).some((r) => r.path === `/api/sections/${key}`); i++) {
      if (i > 1000) throw new Error('the first post never reached the SIS');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await engine.push('section', s.id, { trigger: 'manual' })).toBe('busy');
    expect(await first).toBe('posted');
    await sis.admin('PUT', '/faults', { latencyMs: 0, rules: [] });
    expect(await engine.push('section', s.id, { trigger: 'manual' })).toBe('posted');
    await expectSisEqualsHub(hub.db, sis.connector, [s.id]);
  });
});

describe('a real-time post to PeopleSoft', () => {
  let ps: Pair;
  let psHub: Hub;
  beforeAll(async () => {
    ps = await startPair('peoplesoft', { seed: 'synthetic:40' });
    const term = (await ps.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    psHub = await startHub({
      sis: { kind: 'peoplesoft', baseUrl: `${ps.sim.url}${PS_BASE}`, username: 'COURSEBRIDGE', password: API_KEY, timeoutMs: 10_000 },
      runtime: { pushSweepMs: 0 },
    });
    await importAndSync(psHub.admin, [term]);
  }, 120_000);
  afterAll(async () => {
    await psHub?.close();
    await ps?.sim.close();
  });

  it('reads the class once and puts it back changed (or cancelled): the read the merge used is the one written', async () => {
    const t = await psHub.db.selectFrom('terms').select('id').where('sis_key', 'is not', null).executeTakeFirstOrThrow();
    const [s] = (await psHub.admin.get(`/api/v1/sections?termId=${t.id}&limit=1`)).body.items;
    await ps.admin('DELETE', '/requests');
    const res = await psHub.admin.patch(`/api/v1/sections/${s.id}`, { version: s.version, capacity: s.capacity + 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await settled(psHub.admin, s.id)).status).toBe('synced');
    expect(await requestShapes(ps)).toEqual(['GET /terms/:strm/classes/:nbr', 'PUT /terms/:strm/classes/:nbr']);
    await expectSisEqualsHub(psHub.db, ps.connector, [s.id]);

    // Deleted in the hub: cancelled in PeopleSoft from the same single read.
    const current = (await psHub.admin.get(`/api/v1/sections/${s.id}`)).body;
    await ps.admin('DELETE', '/requests');
    expect((await psHub.admin.del(`/api/v1/sections/${s.id}?version=${current.version}`)).status).toBe(204);
    await waitForRequests(ps, 2);
    await drained(psHub.db);
    expect(await requestShapes(ps)).toEqual(['GET /terms/:strm/classes/:nbr', 'PUT /terms/:strm/classes/:nbr']);
  });
});
