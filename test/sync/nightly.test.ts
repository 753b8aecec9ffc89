// The nightly sync as the runtime ticks it, with an injected clock: no sleeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { waitForRun } from './helpers.ts';

let sis: Pair;
let hub: Hub;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:20' });
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
});
afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

const tick = (iso: string) => hub.runtime!.tickNightly(new Date(iso));

describe('the nightly sync', () => {
  it('starts its schedule with the next night on a new installation', async () => {
    expect(await tick('2026-03-07T12:00:00Z')).toMatchObject({ localDate: '2026-03-07', runId: null, skipped: expect.stringMatching(/first start/) });
    expect(await tick('2026-03-07T23:00:00Z')).toBeNull();
  });

  it('fires at 02:00 Chicago time across the spring-forward change, once', async () => {
    expect(await tick('2026-03-08T07:59:00Z')).toBeNull(); // 01:59 CST; 02:00 does not exist tonight
    const fired = await tick('2026-03-08T08:00:00Z'); // 03:00 CDT, the first instant after the gap
    expect(fired).toMatchObject({ localDate: '2026-03-08', runId: expect.any(String) });
    const run = await waitForRun(hub.admin, fired!.runId!);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect((await hub.admin.get(`/api/v1/admin/merges/${run.id}`)).body).toMatchObject({ trigger: 'nightly', options: { sendUpdates: true } });
    expect(await tick('2026-03-08T09:00:00Z')).toBeNull();
    expect(await tick('2026-03-09T06:59:00Z')).toBeNull(); // 01:59 CDT
    const next = await tick('2026-03-09T07:00:00Z'); // 02:00 CDT
    expect(next).toMatchObject({ localDate: '2026-03-09', runId: expect.any(String) });
    await waitForRun(hub.admin, next!.runId!);
  });

  it('lets only one of two processes start the same night', async () => {
    const [a, b] = await Promise.all([tick('2026-03-10T07:00:00Z'), tick('2026-03-10T07:00:00Z')]);
    const started = [a, b].filter((outcome) => outcome !== null);
    expect(started).toHaveLength(1);
    await waitForRun(hub.admin, started[0]!.runId!);
  });

  it('catches up a night missed while the hub was down, once', async () => {
    const caught = await tick('2026-03-14T15:00:00Z');
    expect(caught).toMatchObject({ localDate: '2026-03-14', runId: expect.any(String) });
    await waitForRun(hub.admin, caught!.runId!);
    expect(await tick('2026-03-14T16:00:00Z')).toBeNull();
  });

  it('skips the night during maintenance', async () => {
    const paused = await hub.admin.post('/api/v1/admin/maintenance', { on: true, comment: 'Banner upgrade weekend' });
    expect(paused.status).toBe(200);
    expect(await tick('2026-03-15T07:00:00Z')).toMatchObject({ localDate: '2026-03-15', runId: null, skipped: 'maintenance' });
    const history = (await hub.admin.get('/api/v1/admin/merge-settings/history')).body.items;
    expect(history[0]).toMatchObject({ comment: 'Banner upgrade weekend', actor: 'registrar@example.edu' });
  });

  it('merges each type only for the terms enabled for that type', async () => {
    expect((await hub.admin.post('/api/v1/admin/maintenance', { on: false, comment: 'Upgrade done' })).status).toBe(200);
    const [term] = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms.map((t) => t.code);
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    const next = structuredClone(current.settings);
    next.types.courses.enabledTerms = [term];
    next.types.sections.enabledTerms = [term];
    next.types.relationships.enabledTerms = []; // relationships are not synced for any term
    expect((await hub.admin.put('/api/v1/admin/merge-settings', { version: current.version, settings: next })).status).toBe(200);
    const fired = await tick('2026-03-16T07:00:00Z');
    const run = await waitForRun(hub.admin, fired!.runId!);
    expect(run.items.filter((i) => i.term !== null).map((i) => `${i.type} ${i.term}`)).toEqual([`courses ${term}`, `sections ${term}`]);
    // Its start is in the audit log as the nightly's, with what it ran.
    const [started] = (await hub.admin.get(`/api/v1/audit?entityType=merge_run&entityId=${run.id}`)).body.items;
    expect(started).toMatchObject({ action: 'start', actor: { type: 'system', name: 'nightly sync' }, changes: { trigger: { before: null, after: 'nightly' }, terms: { before: null, after: [term] } } });
  });

  it('follows the institution time zone set through admin/institution', async () => {
    const set = await hub.admin.put('/api/v1/admin/institution', { timeZone: 'America/New_York' });
    expect(set.body).toMatchObject({ timeZone: 'America/New_York' });
    expect(await tick('2026-03-17T05:59:00Z')).toBeNull(); // 01:59 in New York (00:59 in Chicago)
    const fired = await tick('2026-03-17T06:00:00Z'); // 02:00 in New York, 01:00 in Chicago
    expect(fired).toMatchObject({ localDate: '2026-03-17', runId: expect.any(String) });
    await waitForRun(hub.admin, fired!.runId!);
  });

  it("leaves out of a term the types its phase in force holds back, and merges them again once it ends", async () => {
    const [term] = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms.map((t) => t.code);
    const termId = (await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow()).id;
    const phase = await hub.admin.post(`/api/v1/terms/${termId}/phases`, {
      name: 'Final review',
      startsAt: '2026-03-19T00:00',
      endsAt: '2026-03-20T00:00',
      mergeSettings: { mergeTypes: ['courses'] },
    });
    expect(phase.status, JSON.stringify(phase.body)).toBe(201);
    const termItems = async (iso: string) => (await waitForRun(hub.admin, (await tick(iso))!.runId!)).items.filter((i) => i.term !== null).map((i) => `${i.type} ${i.term}`);
    expect(await termItems('2026-03-19T06:00:00Z')).toEqual([`courses ${term}`]); // 02:00 in New York, inside the phase
    expect(await termItems('2026-03-20T06:00:00Z')).toEqual([`courses ${term}`, `sections ${term}`]);
  });
});
