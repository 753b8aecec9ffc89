// Merge settings over HTTP: versioned with history, the term guard, the SIS connection's secrets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { merge } from './helpers.ts';

let sis: Pair;
let hub: Hub;
let terms: string[];

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:10' });
  terms = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms.map((t) => t.code);
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY }, clock: () => new Date('2027-06-01T12:00:00Z') });
});
afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('merge settings', () => {
  it('start from the defaults: SIS wins, schedulers own meetings, instructors, capacity and status', async () => {
    const res = await hub.admin.get('/api/v1/admin/merge-settings');
    expect(res.body).toMatchObject({
      version: 0,
      settings: {
        nightlyTime: '02:00',
        deletionThreshold: 0.1,
        types: { sections: { sourceOfTruth: 'sis', fieldExceptions: { meetings: 'hub', capacity: 'hub' }, realTime: false } },
      },
    });
  });

  it('save as new versions with history and an audit entry, and refuse a stale version', async () => {
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    const next = structuredClone(current.settings);
    next.types.sections.enabledTerms = [terms[0]];
    next.types.sections.realTime = true;
    const saved = await hub.admin.put('/api/v1/admin/merge-settings', { version: 0, settings: next, comment: 'Fall scheduling opens' });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(1);
    const stale = await hub.admin.put('/api/v1/admin/merge-settings', { version: 0, settings: next });
    expect(stale.status).toBe(409);
    const history = (await hub.admin.get('/api/v1/admin/merge-settings/history')).body.items;
    expect(history[0]).toMatchObject({ version: 1, comment: 'Fall scheduling opens', actor: 'registrar@example.edu' });
    const audit = (await hub.admin.get('/api/v1/audit?entityType=merge_settings')).body.items[0];
    expect(audit.changes['types.sections.realTime']).toEqual({ before: false, after: true });
  });

  it('refuse enabling a term the SIS does not know, and validate every field', async () => {
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    const next = structuredClone(current.settings);
    next.types.courses.enabledTerms = ['1999-xx'];
    const refused = await hub.admin.put('/api/v1/admin/merge-settings', { version: current.version, settings: next });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/does not know the term 1999-xx/);
    expect(refused.body.errors).toEqual([{ field: 'settings.types.courses.enabledTerms', message: 'The SIS does not know the term 1999-xx' }]);
    const invalid = await hub.admin.put('/api/v1/admin/merge-settings', {
      version: current.version,
      settings: { ...current.settings, nightlyTime: '25:00', deletionThreshold: 2 },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(['settings.nightlyTime', 'settings.deletionThreshold']);
  });

  it("refuse a time zone of their own, naming where the institution's is set", async () => {
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    expect(current.settings).not.toHaveProperty('timeZone');
    const refused = await hub.admin.put('/api/v1/admin/merge-settings', { version: current.version, settings: { ...current.settings, timeZone: 'America/New_York' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'settings.timeZone', message: "The time zone is the institution's: set it with PUT /api/v1/admin/institution" }]);
    expect((await hub.admin.get('/api/v1/admin/merge-settings')).body.version).toBe(current.version);
    expect((await hub.admin.get('/api/v1/admin/institution')).body.timeZone).toBe('America/Chicago');
  });

  it('flag an enabled term that has ended', async () => {
    await merge(hub.admin, { types: ['terms'] });
    const view = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    expect(view.warnings).toEqual([`Term ${terms[0]} has ended but is still enabled for merges.`]);
  });

  it("flag an ended term by the institution's calendar, in the zone set through admin/institution", async () => {
    // The hub's clock reads 2027-06-01T12:00Z: still June 1 in Chicago, already June 2 in Kiritimati (UTC+14).
    const term = hub.db.updateTable('terms').where('code', '=', terms[0]);
    const { ends_on } = await hub.db.selectFrom('terms').select('ends_on').where('code', '=', terms[0]).executeTakeFirstOrThrow();
    await term.set({ ends_on: '2027-06-01' }).execute();
    try {
      expect((await hub.admin.get('/api/v1/admin/merge-settings')).body.warnings).toEqual([]);
      expect((await hub.admin.put('/api/v1/admin/institution', { timeZone: 'Pacific/Kiritimati' })).status).toBe(200);
      expect((await hub.admin.get('/api/v1/admin/merge-settings')).body.warnings).toEqual([`Term ${terms[0]} has ended but is still enabled for merges.`]);
    } finally {
      await hub.admin.put('/api/v1/admin/institution', { timeZone: 'America/Chicago' });
      await term.set({ ends_on }).execute();
    }
  });

  it('never return the SIS secrets, and test the connection', async () => {
    const connection = await hub.admin.get('/api/v1/admin/sis-connection');
    expect(connection.body).toMatchObject({ source: 'environment', settings: { kind: 'ethos', apiKey: '********' } });
    expect(JSON.stringify(connection.body)).not.toContain(API_KEY);
    expect((await hub.admin.post('/api/v1/admin/sis-connection/test')).body).toMatchObject({ ok: true });
    const fixed = await hub.admin.put('/api/v1/admin/sis-connection', { kind: 'ethos', baseUrl: 'http://127.0.0.1:1', apiKey: 'x' });
    expect(fixed.status).toBe(409);
  });

  it('need the Admin product', async () => {
    const { client } = await hub.user({ email: 'reg@example.edu', role: 'Registrar' });
    expect((await client.get('/api/v1/admin/merge-settings')).status).toBe(403);
    expect((await client.post('/api/v1/admin/merges', { types: ['terms'] })).status).toBe(403);
  });
});

describe('a saved SIS connection', () => {
  it('is stored with secrets redacted in answers and audit, and bad settings name their fields', async () => {
    const local = await startHub({ sis: 'none' });
    try {
      expect((await local.admin.get('/api/v1/admin/sis-connection')).body).toEqual({ source: 'none', settings: null });
      const bad = await local.admin.put('/api/v1/admin/sis-connection', { kind: 'ethos', baseUrl: 'not a url' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['baseUrl']);
      const saved = await local.admin.put('/api/v1/admin/sis-connection', { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY });
      expect(saved.body).toMatchObject({ source: 'database', settings: { apiKey: '********' } });
      const audit = JSON.stringify((await local.admin.get('/api/v1/audit?entityType=sis_connection')).body);
      expect(audit).not.toContain(API_KEY);
      const run = await merge(local.admin, { types: ['terms'] });
      expect(run.status).toBe('succeeded');
    } finally {
      await local.close();
    }
  });
});

describe('merge progress', () => {
  it('streams as server-sent events until the run is done', async () => {
    const started = await hub.admin.post('/api/v1/admin/merges', { types: ['terms', 'departments'] });
    const res = await fetch(`${hub.url}/api/v1/admin/merges/${started.body.id}/events`, { headers: { cookie: hub.admin.cookie! } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text(); // the server ends the stream after `done`
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) }));
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { id: started.body.id, status: 'succeeded' } });
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThanOrEqual(1);
  });
});
