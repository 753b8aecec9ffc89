// The merge engine end to end: a hub and a real SIS simulator over HTTP.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonbDigest } from '../../src/db/jsonb-digest.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES, item, merge, waitForRun } from './helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;

interface SimSection {
  id: string;
  crn: string;
  capacity: number;
  title: string | null;
}

async function simSections(): Promise<SimSection[]> {
  return sis.admin<SimSection[]>('GET', `/sections?term=${term}`);
}
async function hubSection(sisKey: string) {
  const row = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow();
  return (await hub.admin.get(`/api/v1/sections/${row.id}`)).body;
}

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:120' });
  const stats = await sis.admin<{ terms: { code: string; sections: number }[] }>('GET', '/stats');
  term = stats.terms[0].code;
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 10_000 } });
});
afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('Execute Merge against the Ethos simulator', () => {
  it('imports reference data, a term, its courses, sections and crosslists', async () => {
    const run = await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
    expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
    const sections = await simSections();
    expect(item(run, 'sections').counts).toMatchObject({ created: sections.length, errors: 0 });
    const { n } = await hub.db
      .selectFrom('sections')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('sis_key', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(n).toBe(sections.length);
    // What lets a re-merge settle a section by digest instead of reading it whole.
    const stored = await hub.db.selectFrom('sections').select(['sis_key', 'sis_base', 'sis_digest']).execute();
    expect(stored.filter((r) => r.sis_digest !== jsonbDigest(r.sis_base)).map((r) => r.sis_key)).toEqual([]);
    const sample = await hubSection(sections[0].id);
    expect(sample.capacity).toBe(sections[0].capacity);
    expect(sample.sisKey).toBe(sections[0].id);
    expect(sample.enrolled).toBeNull(); // Ethos sections carry no enrollment: unknown, not 0
    // The CRN registrars know it by (the SIS key is a GUID), and found by it.
    expect(sample.sisNumber).toBe(sections[0].crn);
    expect((await hub.admin.get(`/api/v1/sections?q=${sections[0].crn}`)).body.items.map((x: { id: string }) => x.id)).toEqual([sample.id]);
    // A variable-credit course keeps its whole range, not only its minimum.
    const variable = Object.values(sis.sim.store.state.courses).find((c) => c.creditsMax !== null)!;
    const [course] = (await hub.admin.get(`/api/v1/courses?q=${encodeURIComponent(`${variable.subject} ${variable.number}`)}`)).body.items;
    expect(course).toMatchObject({ credits: variable.credits, creditsMax: variable.creditsMax });
  });

  it('makes no writes when run again with nothing changed', async () => {
    // Records' entries only: the start of the run itself is audited (below).
    const recordEntries = () => hub.db.selectFrom('audit_log').select(sql<number>`count(*)::int`.as('n')).where('entity_type', '!=', 'merge_run').executeTakeFirstOrThrow();
    const auditBefore = await recordEntries();
    const run = await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
    expect(run.status).toBe('succeeded');
    for (const i of run.items) expect(i.counts, i.type).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    const auditAfter = await recordEntries();
    expect(auditAfter.n).toBe(auditBefore.n);
  });

  it('brings the SIS number of a section merged before the hub kept one at the next merge', async () => {
    const [, b] = await simSections();
    // Its base as an older version stored it: without the number.
    await sql`update sections set sis_base = sis_base - 'sisNumber' where sis_key = ${b.id}`.execute(hub.db);
    expect((await hubSection(b.id)).sisNumber).toBeNull();
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await hubSection(b.id)).sisNumber).toBe(b.crn);
    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').counts).toMatchObject({ updated: 0, unchanged: (await simSections()).length });
  });

  it('audits who started an Execute Merge and with which options, force and allowEmpty included', async () => {
    const run = await merge(hub.admin, { types: ['sections'], terms: [term], force: true, allowEmpty: true, dryRun: true });
    const audit = await hub.admin.get(`/api/v1/audit?entityType=merge_run&entityId=${run.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      action: 'start',
      actor: { type: 'user', id: hub.adminId },
      changes: {
        trigger: { before: null, after: 'manual' },
        types: { before: null, after: ['sections'] },
        terms: { before: null, after: [term] },
        sendUpdates: { before: null, after: false },
        dryRun: { before: null, after: true },
        allowEmpty: { before: null, after: true },
        force: { before: null, after: true },
      },
    });
  });

  it('brings SIS-side edits in and keeps hub edits the SIS did not touch', async () => {
    const [a, b] = await simSections();
    await sis.admin('PATCH', `/sections/${term}/${a.crn}`, { capacity: a.capacity + 7 });
    const hubB = await hubSection(b.id);
    const edited = await hub.admin.patch(`/api/v1/sections/${hubB.id}`, { version: hubB.version, title: 'Hub-only title' });
    expect(edited.status).toBe(200);

    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect((await hubSection(a.id)).capacity).toBe(a.capacity + 7);
    expect((await hubSection(b.id)).title).toBe('Hub-only title');

    const report = await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=updated`);
    expect(report.body.items[0]).toMatchObject({
      sisKey: a.id,
      fields: [{ field: 'capacity', before: a.capacity, after: a.capacity + 7, source: 'sis' }],
    });
  });

  it('takes a change to instructors alone as a new version of the section', async () => {
    const target = (await simSections()).find((x) => sis.sim.store.section(x.id).instructors.length > 0)!;
    const before = await hubSection(target.id);
    sis.sim.store.deleteSectionInstructor(sis.sim.store.section(target.id).instructors[0].id);
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ updated: 1, conflicts: 0 });
    const after = await hubSection(target.id);
    expect(after.instructors).toHaveLength(before.instructors.length - 1);
    expect(after.version).toBe(before.version + 1);
  });

  it('reports a conflict with both values and stops only that object', async () => {
    const settings = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    settings.settings.types.sections.fieldExceptions.capacity = 'none';
    expect((await hub.admin.put('/api/v1/admin/merge-settings', { version: settings.version, settings: settings.settings })).status).toBe(200);

    const [, , c, d] = await simSections();
    const hubC = await hubSection(c.id);
    await hub.admin.patch(`/api/v1/sections/${hubC.id}`, { version: hubC.version, capacity: 5 });
    await sis.admin('PATCH', `/sections/${term}/${c.crn}`, { capacity: 6, title: 'SIS title' });
    await sis.admin('PATCH', `/sections/${term}/${d.crn}`, { capacity: d.capacity + 1 });

    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(run.status).toBe('partial');
    expect(item(run, 'sections').counts).toMatchObject({ conflicts: 1, updated: 1 });
    const conflict = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=conflict`)).body.items[0];
    expect(conflict.sisKey).toBe(c.id);
    expect(conflict.fields).toEqual([expect.objectContaining({ field: 'capacity', hub: 5, sis: 6, resolvedBy: 'none' })]);
    const afterC = await hubSection(c.id);
    expect(afterC.capacity).toBe(5); // the conflicted object is left as it was, title included
    expect(afterC.title).not.toBe('SIS title');
    expect((await hubSection(d.id)).capacity).toBe(d.capacity + 1); // the others went on
  });

  it('refuses to delete more than the threshold unless forced, and marks deletions instead of dropping rows', async () => {
    const sections = await simSections();
    const doomed = sections.slice(0, Math.ceil(sections.length * 0.15));
    for (const s of doomed) await sis.admin('DELETE', `/sections/${term}/${s.crn}`);

    const refused = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(refused, 'sections').status).toBe('refused');
    expect(item(refused, 'sections').error).toMatch(/threshold; nothing was written/);
    const marked = () =>
      hub.db.selectFrom('sections').select(sql<number>`count(*)::int`.as('n')).where('sis_deleted_at', 'is not', null).executeTakeFirstOrThrow();
    expect((await marked()).n).toBe(0);

    const forced = await merge(hub.admin, { types: ['sections'], terms: [term], force: true });
    expect(item(forced, 'sections').counts.deleted).toBe(doomed.length);
    expect((await marked()).n).toBe(doomed.length);
    const row = await hub.db.selectFrom('sections').select(['deleted_at', 'sis_deleted_at']).where('sis_key', '=', doomed[0].id).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeNull();
  });

  it('refuses an empty dataset for a term that has data unless allowed', async () => {
    const sections = await simSections();
    for (const s of sections) await sis.admin('DELETE', `/sections/${term}/${s.crn}`);
    const refused = await merge(hub.admin, { types: ['sections'], terms: [term], force: true });
    expect(item(refused, 'sections').status).toBe('refused');
    expect(item(refused, 'sections').error).toMatch(/returned no records/);
    const allowed = await merge(hub.admin, { types: ['sections'], terms: [term], force: true, allowEmpty: true });
    expect(item(allowed, 'sections').counts.deleted).toBeGreaterThan(0);
  });

  it('answers a dry run with the diff and writes nothing', async () => {
    await sis.admin('POST', '/seed', { seed: 'synthetic:120' });
    const before = await hub.db.selectFrom('sections').select(sql<number>`count(*)::int`.as('n')).where('sis_deleted_at', 'is', null).executeTakeFirstOrThrow();
    const run = await merge(hub.admin, { types: ['sections'], terms: [term], dryRun: true, force: true });
    expect(item(run, 'sections').counts.updated).toBeGreaterThan(0); // the re-seed restores the deleted sections
    const after = await hub.db.selectFrom('sections').select(sql<number>`count(*)::int`.as('n')).where('sis_deleted_at', 'is', null).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('allows one run per type × term at a time', async () => {
    const first = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term], force: true });
    const second = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    if (second.status === 409) expect(second.body).toMatchObject({ runningRunId: first.body.id });
    else expect(second.status).toBe(202); // the first had already finished: nothing to collide with
    await waitForRun(hub.admin, first.body.id);
    if (second.status === 202) await waitForRun(hub.admin, second.body.id);
  });

  it('exports the report as CSV and refuses unknown terms plainly', async () => {
    const runs = (await hub.admin.get('/api/v1/admin/merges?limit=1')).body.items;
    const csv = await hub.admin.get(`/api/v1/admin/merges/${runs[0].id}/report.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('type,term,kind,label,sis_key,entity_id,fields,message');
    // A byte-order mark first, so Excel reads it as UTF-8 (a decoded body hides it).
    const raw = await fetch(`${hub.url}/api/v1/admin/merges/${runs[0].id}/report.csv`, { headers: { cookie: hub.admin.cookie! } });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const unknown = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: ['1999-xx'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe('terms');
    // Sections merge per term: without terms they would be dropped and the run reported a success.
    const termless = await hub.admin.post('/api/v1/admin/merges', { types: ['terms', 'sections'], terms: [] });
    expect(termless.status).toBe(422);
    expect(termless.body.errors).toEqual([{ field: 'terms', message: 'Required for sections' }]);
  });

  it('honours a per-section source of truth, which only those who edit merge settings may set', async () => {
    await merge(hub.admin, { types: ['sections'], terms: [term], force: true, allowEmpty: true });
    const [e] = (await simSections()).slice(-1);
    const hubE = await hubSection(e.id);
    const { client: registrar } = await hub.user({ email: 'registrar-sot@example.edu', role: 'Registrar' });
    await hub.admin.post('/api/v1/admin/roles', { name: 'Section editor', permissions: ['sections.view', 'sections.edit'] });
    const { client: editor } = await hub.user({ email: 'editor-sot@example.edu', role: 'Section editor' });
    const refused = await editor.patch(`/api/v1/sections/${hubE.id}`, { version: hubE.version, sourceOfTruth: 'none' });
    expect(refused.status).toBe(403);
    expect(refused.body.permission).toBe('mergeSettings.edit');
    const set = await registrar.patch(`/api/v1/sections/${hubE.id}`, { version: hubE.version, sourceOfTruth: 'none', title: 'Hub says' });
    expect(set.status).toBe(200);
    expect(set.body.sourceOfTruth).toBe('none');
    await sis.admin('PATCH', `/sections/${term}/${e.crn}`, { title: 'SIS says' });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    const conflicts = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=conflict`)).body.items;
    expect(conflicts.find((c: { sisKey: string }) => c.sisKey === e.id).fields).toEqual([expect.objectContaining({ field: 'title', resolvedBy: 'none' })]);
    expect((await hubSection(e.id)).title).toBe('Hub says');
  });

  it('leaves alone a section the hub deleted and has not posted yet: neither imported again nor restored', async () => {
    const [d] = (await simSections()).slice(-2);
    const hubD = await hubSection(d.id);
    expect((await hub.admin.del(`/api/v1/sections/${hubD.id}?version=${hubD.version}`)).status).toBe(204);
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ skipped: 1, created: 0, deleted: 0 });
    const rows = await hub.db.selectFrom('sections').select(['id', 'deleted_at']).where('sis_key', '=', d.id).execute();
    expect(rows).toEqual([{ id: hubD.id, deleted_at: expect.any(Date) }]);
  });
});
