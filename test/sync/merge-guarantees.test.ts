// What a merge guarantees beyond the happy path: an apply that fails half-way leaves nothing
// behind, PeopleSoft is read sections first, a real Banner term imports whole, an edit saved
// while a merge runs is not overwritten, and a section posted meanwhile is not taken for deleted.
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import { jsonbDigest } from '../../src/db/jsonb-digest.ts';
import { startHub } from '../helpers/hub.ts';
import { API_KEY, hasSharedData, SKIP_SHARED, startPair, startProxy, uiucFile } from '../sis/harness.ts';
import { ALL_TYPES, item, merge, readyForSections, waitForRun } from './helpers.ts';
import { setSync, settled } from './push-helpers.ts';

const onPostgres = Boolean(inject('postgresTemplate'));

// Each test's hub and SIS are closed when it ends: on PostgreSQL a hub holds two connection pools,
// and the server's connections are shared with every other test file running meanwhile.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const count = async (db: Awaited<ReturnType<typeof startHub>>['db'], table: 'sections' | 'meetings') =>
  (await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;

/** A SIS of 20 sections per term, and a hub with everything of its first term merged but sections and relationships. */
describe('merge guarantees', () => {
  it('rolls back a type × term whose apply fails half-way, and applies it whole when run again', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:60' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'sections' && t !== 'relationships'), terms: [term] });

    // The database fails on the 25th meeting row, in the middle of the sections' transaction.
    await sql`create sequence meeting_boom`.execute(hub.db);
    await sql`create function meeting_boom() returns trigger language plpgsql as $$
      begin if nextval('meeting_boom') > 25 then raise exception 'disk full (simulated)'; end if; return new; end $$`.execute(hub.db);
    await sql`create trigger meeting_boom before insert on meetings for each row execute function meeting_boom()`.execute(hub.db);

    const failed = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(failed, 'sections')).toMatchObject({ status: 'failed', error: expect.stringMatching(/disk full/) });
    expect(await count(hub.db, 'sections')).toBe(0);
    expect(await count(hub.db, 'meetings')).toBe(0);

    await sql`drop trigger meeting_boom on meetings`.execute(hub.db);
    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').status).toBe('succeeded');
    const simSections = await sis.admin<unknown[]>('GET', `/sections?term=${term}`);
    expect(await count(hub.db, 'sections')).toBe(simSections.length);
  });

  it('rides out transient SIS failures during a fetch: nothing is written until all of it has arrived', async () => {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups);
    await sis.admin('PUT', '/faults', { rules: [{ kind: 'server_error', remaining: 2, pathPrefix: '/api/sections' }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ errors: 0 }) });
    const faults = await sis.admin<{ rules: unknown[] }>('GET', '/faults');
    expect(faults.rules).toEqual([]); // an exhausted rule is dropped: both failures were really served
    expect(await count(hub.db, 'sections')).toBe(inTerm);
  });

  it('fails only the term whose fetch the SIS keeps failing; the next term is merged, and the run says partial', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:10' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const [first, second] = (await sis.admin<{ terms: { code: string; sections: number }[] }>('GET', '/stats')).terms;
    await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'sections' && t !== 'relationships'), terms: [first.code, second.code] });
    // Every attempt at the first term's sections fails (the fetch tries four times, each asking
    // three times for its first page: src/sis/read-retry.ts); then the SIS recovers.
    await sis.admin('PUT', '/faults', { rules: [{ kind: 'server_error', remaining: 12, pathPrefix: '/api/sections' }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [first.code, second.code] });
    expect(run.status).toBe('partial');
    expect(run.items.find((i) => i.term === first.code)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Internal server error/) });
    expect(run.items.find((i) => i.term === second.code)).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: second.sections }) });
    expect(await count(hub.db, 'sections')).toBe(second.sections);
  });

  it('fails every item with the SIS answer when it refuses the hub, and writes nothing', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:20' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: 'not-the-key' } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const run = await merge(hub.admin, { types: ['terms', 'departments'], terms: [] });
    expect(run.status).toBe('failed');
    for (const type of ['terms', 'departments']) expect(item(run, type)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The SIS answered unauthorized: .*Invalid API key/) });
    expect((await hub.db.selectFrom('terms').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n).toBe(0);
  });

  it('asks again for a page the SIS failed once, without starting the fetch over', async () => {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups, { pageSize: 5 });
    await sis.admin('DELETE', '/requests');
    await sis.admin('PUT', '/faults', { seed: 2, rules: [{ kind: 'server_error', rate: 0.1, remaining: 1, pathPrefix: '/api/section-instructors' }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ fetched: inTerm, created: inTerm, errors: 0 }) });
    // One read of each section's instructors, and one more: the one that failed.
    const links = (await sis.admin<{ path: string }[]>('GET', '/requests')).filter((r) => r.path.startsWith('/api/section-instructors')).length;
    expect(links).toBe(inTerm + 1);
  });

  it('starts a fetch over when the SIS fails after some pages have arrived, and counts each record once', async () => {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups, { pageSize: 5 });
    await sis.admin('DELETE', '/requests');
    // Asked to wait longer than a page's own retries do (src/sis/read-retry.ts), the fetch starts over.
    await sis.admin('PUT', '/faults', { seed: 2, rules: [{ kind: 'rate_limit', rate: 0.1, remaining: 1, retryAfterSeconds: 6, pathPrefix: '/api/section-instructors' }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ fetched: inTerm, created: inTerm, errors: 0 }) });
    // Each section's instructors are read once per attempt: more than a page of them before the
    // failure means pages had already been handed over when the fetch started again.
    const links = (await sis.admin<{ path: string }[]>('GET', '/requests')).filter((r) => r.path.startsWith('/api/section-instructors')).length;
    expect(links).toBeGreaterThan(inTerm + 5);
    expect(await count(hub.db, 'sections')).toBe(inTerm);
  });

  it('reports a SIS record it cannot read or that fails validation, imports the rest, and never marks such a record deleted', async () => {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups, { pageSize: 5 });
    // The first section of the first page names an instructional method the SIS does not list; the
    // first of the second page has a negative capacity.
    const malformed = () =>
      sis.admin('PUT', '/faults', {
        rules: [
          { kind: 'malformed_record', remaining: 1, pathPrefix: '/api/sections', field: 'instructionalMethods.0.id', value: 'no-such-method' },
          { kind: 'malformed_record', remaining: 1, pathPrefix: '/api/sections', field: 'maxEnrollment', value: -5 },
        ],
      });
    const errors = async (runId: string) => (await hub.admin.get(`/api/v1/admin/merges/${runId}/changes?kind=error`)).body.items as { sisKey: string; message: string; raw: unknown }[];

    await malformed();
    const first = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(first, 'sections')).toMatchObject({ status: 'partial', counts: expect.objectContaining({ fetched: inTerm, created: inTerm - 2, errors: 2 }) });
    const reported = await errors(first.id);
    expect(reported).toHaveLength(2);
    const unreadable = reported.find((e) => e.message.includes('cannot read'))!;
    const invalid = reported.find((e) => e.message.includes('fails validation'))!;
    expect(unreadable).toMatchObject({
      message: 'The SIS sent a record the hub cannot read: instructional-methods: no entry with id no-such-method',
      raw: { section: { id: unreadable.sisKey, instructionalMethods: [{ id: 'no-such-method' }] } },
    });
    expect(invalid).toMatchObject({ message: expect.stringMatching(/^The SIS sent a record that fails validation: capacity: /), raw: { key: invalid.sisKey, capacity: -5 } });
    expect(await count(hub.db, 'sections')).toBe(inTerm - 2);

    // Nothing is lost: read as the SIS holds them, both arrive with the next merge.
    const second = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(second, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: 2, errors: 0 }) });

    // Unreadable again later: reported again, and still in the hub as the SIS's, not deleted there.
    await malformed();
    const third = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(third, 'sections')).toMatchObject({ status: 'partial', counts: expect.objectContaining({ created: 0, updated: 0, deleted: 0, errors: 2 }) });
    const keys = (await errors(third.id)).map((e) => e.sisKey);
    const kept = await hub.db.selectFrom('sections').select(['sis_deleted_at', 'deleted_at']).where('sis_key', 'in', keys).execute();
    expect(kept).toEqual([
      { sis_deleted_at: null, deleted_at: null },
      { sis_deleted_at: null, deleted_at: null },
    ]);
  });

  /** Imports a term whose SIS sends one record `malformed` makes invalid: that one is reported, the rest imported. */
  async function importWithOneInvalid(malformed: { pathPrefix: string; field: string; value: unknown }) {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups, { pageSize: 5 });
    await sis.admin('PUT', '/faults', { rules: [{ kind: 'malformed_record', remaining: 1, ...malformed }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections')).toMatchObject({ status: 'partial', counts: expect.objectContaining({ created: inTerm - 1, errors: 1 }) });
    const [error] = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=error`)).body.items;
    return error as { message: string; raw: unknown };
  }

  it('reports a SIS record holding the NUL character, which the database cannot store, and imports the rest', async () => {
    const error = await importWithOneInvalid({ pathPrefix: '/api/sections', field: 'titles.0.value', value: 'Calculus\u0000I' });
    expect(error.message).toMatch(/^The SIS sent a record that fails validation: title: Must not contain the NUL character/);
    expect(JSON.stringify(error.raw)).toContain('Calculus\\\\u0000I');
  });

  it('ends the item failed, the SIS message written out, when the SIS refuses a key holding the NUL character', async () => {
    const { sis, hub, term } = await readyForSections(cleanups, { pageSize: 5 });
    // The SIS then answers the lookup of that section's instructors "section key\0x not found".
    await sis.admin('PUT', '/faults', { rules: [{ kind: 'malformed_record', remaining: 1, pathPrefix: '/api/sections', field: 'id', value: 'key\u0000x' }] });
    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(run.status).toBe('failed');
    expect(item(run, 'sections')).toMatchObject({ status: 'failed', error: expect.stringContaining('key\\u0000x') });
  });

  it('reports a SIS meeting that ends before it starts as an invalid record, and imports the rest', async () => {
    const error = await importWithOneInvalid({ pathPrefix: '/api/instructional-events', field: 'recurrence.timePeriod.endOn', value: '2025-01-01T06:00:00-06:00' });
    expect(error.message).toMatch(/^The SIS sent a record that fails validation: meetings\.0\.endTime: must be after the start time/);
  });

  it('reports an Ethos crosslist whose term it cannot tell in the term merged, and keeps the relationship', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:60' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const term = (await sis.admin<{ terms: { code: string; relationships: number }[] }>('GET', '/stats')).terms[0];
    await merge(hub.admin, { types: ALL_TYPES, terms: [term.code] });
    const relationships = () => hub.db.selectFrom('relationships').select(['sis_key', 'sis_deleted_at']).orderBy('sis_key').execute();
    const before = await relationships();
    expect(before).toHaveLength(term.relationships);

    await sis.admin('PUT', '/faults', { rules: [{ kind: 'malformed_record', remaining: 1, pathPrefix: '/api/section-crosslists', field: 'sections', value: null }] });
    const run = await merge(hub.admin, { types: ['relationships'], terms: [term.code] });
    expect(item(run, 'relationships')).toMatchObject({ status: 'partial', counts: expect.objectContaining({ deleted: 0, errors: 1 }) });
    const [error] = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=error`)).body.items;
    expect(error).toMatchObject({ message: expect.stringMatching(/^The SIS sent a record the hub cannot read: /), raw: { sections: null } });
    expect(await relationships()).toEqual(before);
  });

  it('asks Ethos for the term of each crosslist once, however many terms a run merges', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:60' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const terms = (await sis.admin<{ terms: { code: string; relationships: number }[] }>('GET', '/stats')).terms;
    const codes = terms.map((t) => t.code);
    await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'relationships'), terms: codes });
    await sis.admin('DELETE', '/requests');
    const run = await merge(hub.admin, { types: ['relationships'], terms: codes });
    expect(run.status).toBe('succeeded');
    const crosslists = terms.reduce((n, t) => n + t.relationships, 0);
    expect(run.items.reduce((n, i) => n + i.counts.created, 0)).toBe(crosslists);
    // Section crosslists have no term filter: each term's read lists them all, and the term of
    // each is its first member's, read once.
    const memberReads = (await sis.admin<{ method: string; path: string }[]>('GET', '/requests')).filter((r) => r.method === 'GET' && /^\/api\/sections\/[^/]+$/.test(r.path));
    expect(memberReads).toHaveLength(crosslists);
  });

  it('does not take a section posted after its term was read for one deleted in the SIS, nor preview it so in a dry run', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:10' });
    // The SIS's answers pass through here; the crosslists listing, read after the sections, can be held.
    let release = () => {};
    let held: Promise<void> | null = null;
    let holding = false;
    const proxy = await startProxy(sis.sim.url, async (req) => {
      if (!holding || req.method !== 'GET' || !req.url!.startsWith('/api/section-crosslists')) return;
      held ??= new Promise<void>((resolve) => (release = resolve));
      await held;
    });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: proxy.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), proxy.close, () => hub.close());
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
    await setSync(hub.admin, term);
    const [s] = (await hub.admin.get(`/api/v1/sections?limit=1`)).body.items;

    /** A merge (or dry run) during which, once the term's sections have been read, a new section is saved and posted. */
    const mergeWhilePosting = async (sectionNumber: string, dryRun: boolean) => {
      holding = true;
      held = null;
      const started = await hub.admin.post('/api/v1/admin/merges', { types: ['sections', 'relationships'], terms: [term], dryRun });
      expect(started.status).toBe(202);
      for (let i = 0; !held; i++) {
        if (i > 600) throw new Error('the merge never came to read crosslists');
        await new Promise((r) => setTimeout(r, 50));
      }
      const created = await hub.admin.post('/api/v1/sections', { termId: s.termId, courseId: s.courseId, sectionNumber, component: s.component, capacity: 20, meetings: [], instructors: [] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect((await settled(hub.admin, created.body.id)).status).toBe('synced');
      holding = false;
      release();
      return { run: await waitForRun(hub.admin, started.body.id), id: created.body.id as string };
    };

    const preview = await mergeWhilePosting('N1', true);
    expect(item(preview.run, 'sections').counts).toMatchObject({ deleted: 0 });
    // The SIS's answer to the post told the hub the new section's CRN.
    const posted = (await hub.admin.get(`/api/v1/sections/${preview.id}`)).body;
    expect(posted.sisNumber).toBe(sis.sim.store.state.sections[posted.sisKey].crn);
    const report = await hub.admin.get(`/api/v1/admin/merges/${preview.run.id}/changes?kind=deleted`);
    expect(report.status).toBe(200);
    expect(report.body.items).toEqual([]);

    const { run, id } = await mergeWhilePosting('N2', false);
    expect(item(run, 'sections').counts).toMatchObject({ deleted: 0 });
    for (const posted of [preview.id, id]) {
      const row = await hub.db.selectFrom('sections').select(['sis_key', 'sis_deleted_at']).where('id', '=', posted).executeTakeFirstOrThrow();
      expect(row.sis_key).not.toBeNull();
      expect(row.sis_deleted_at).toBeNull();
    }
    // The next merge reads them in the SIS like any other.
    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').counts).toMatchObject({ created: 0, deleted: 0 });
  });

  it('reads PeopleSoft sections before courses, and still applies courses first', async () => {
    const sis = await startPair('peoplesoft', { seed: 'synthetic:40' });
    const requests: string[] = [];
    const proxy = await startProxy(sis.sim.url, (req) => void requests.push(`${req.method} ${req.url}`));
    const hub = await startHub({ sis: { kind: 'peoplesoft', baseUrl: `${proxy.url}${PS_BASE}`, username: 'COURSEBRIDGE', password: API_KEY } });
    cleanups.push(() => sis.sim.close(), proxy.close, () => hub.close());
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'courses' && t !== 'sections' && t !== 'relationships'), terms: [term] });
    requests.length = 0;

    const run = await merge(hub.admin, { types: ['courses', 'sections', 'relationships'], terms: [term] });
    expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
    const firstClasses = requests.findIndex((r) => r.includes('/classes'));
    const firstCourses = requests.findIndex((r) => r.includes('/courses'));
    expect(firstClasses).toBeGreaterThanOrEqual(0);
    expect(firstCourses).toBeGreaterThan(firstClasses);
    expect(item(run, 'sections').counts.created).toBeGreaterThan(0);
    expect(item(run, 'sections').counts.errors).toBe(0);

    // PeopleSoft reports enrollment (ENRL_TOT): the hub shows its count, and the next one; and its CLASS_NBR.
    const [simClass] = await sis.admin<{ crn: string; enrolled: number }[]>('GET', `/sections?term=${term}`);
    const enrolledOf = async () => (await hub.db.selectFrom('sections').select('enrolled').where('sis_key', 'like', `%:${simClass.crn}`).executeTakeFirstOrThrow()).enrolled;
    expect(await enrolledOf()).toBe(simClass.enrolled);
    expect((await hub.db.selectFrom('sections').select('sis_number').where('sis_key', 'like', `%:${simClass.crn}`).executeTakeFirstOrThrow()).sis_number).toBe(simClass.crn);
    await sis.admin('PATCH', `/sections/${term}/${simClass.crn}`, { enrolled: simClass.enrolled + 4 });
    expect(item(await merge(hub.admin, { types: ['sections'], terms: [term] }), 'sections').counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect(await enrolledOf()).toBe(simClass.enrolled + 4);
  });

  it('merges a term where the SIS changed most sections, and keeps the hub edits of the rest', async () => {
    // Past a few hundred changed sections the merge reads the whole term and leaves out those the
    // SIS did not change (src/sync/merge-item.ts), instead of reading the changed ones by id.
    const sis = await startPair('ethos', { seed: 'synthetic:600' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
    const sections = await sis.admin<{ id: string; capacity: number }[]>('GET', `/sections?term=${term}`);
    const [changed, kept] = [sections.slice(0, 550), sections.slice(550)];
    for (const x of changed) sis.sim.store.patchSection(x.id, { capacity: x.capacity + 3 });
    const editedInHub = async (sisKey: string) => {
      const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow();
      const read = (await hub.admin.get(`/api/v1/sections/${id}`)).body;
      expect((await hub.admin.patch(`/api/v1/sections/${id}`, { version: read.version, title: 'Edited in the hub' })).status).toBe(200);
      return id;
    };
    const both = await editedInHub(changed[0].id); // the SIS changed its capacity, the hub its title
    const hubOnly = await editedInHub(kept[0].id);

    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ updated: 550, unchanged: kept.length, deleted: 0, conflicts: 0 });
    const capacities = new Map(
      (await hub.db.selectFrom('sections').select(['sis_key', 'capacity']).where('sis_key', 'in', sections.map((x) => x.id)).execute()).map((r) => [r.sis_key, r.capacity]),
    );
    for (const x of changed) expect(capacities.get(x.id), x.id).toBe(x.capacity + 3);
    for (const x of kept) expect(capacities.get(x.id), x.id).toBe(x.capacity);
    for (const id of [both, hubOnly]) expect((await hub.admin.get(`/api/v1/sections/${id}`)).body.title).toBe('Edited in the hub');
    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').counts).toMatchObject({ updated: 0, unchanged: sections.length });
  }, 120_000);

  it.skipIf(!hasSharedData)('imports a real UIUC term whole', async () => {
    const sis = await startPair('ethos', { seed: `csv:${uiucFile('2025-su')}` });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 30_000 } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const stats = await sis.admin<{ terms: { code: string; sections: number; relationships: number }[] }>('GET', '/stats');
    const term = stats.terms.find((t) => t.code === '2025-su')!;
    const run = await merge(hub.admin, { types: ALL_TYPES, terms: [term.code] });
    expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
    expect(await count(hub.db, 'sections')).toBe(term.sections);
    expect(item(run, 'relationships').counts.created).toBe(term.relationships);
    // Banner through Ethos reports no enrollment: every section's is unknown, none 0.
    const enrolled = await hub.db.selectFrom('sections').select(sql<number>`count(enrolled)::int`.as('n')).executeTakeFirstOrThrow();
    expect(enrolled.n).toBe(0);
    // Found by its CRN, which tells it from a section of another term that looks the same.
    const byCrn = (await hub.admin.get('/api/v1/sections?q=40507')).body.items;
    expect(byCrn).toMatchObject([{ subject: 'AAS', courseNumber: '201', sectionNumber: 'ONL', sisNumber: '40507' }]);
    // "1 TO 5 hours.": the range, not its minimum.
    expect((await hub.admin.get('/api/v1/courses?q=ABE%20199')).body.items).toMatchObject([{ code: 'ABE 199', credits: 1, creditsMax: 5 }]);
    // A re-merge settles a section by digest (src/db/jsonb-digest.ts), reading it in full only when
    // its digest differs: every real section's stored digest is the one computed of its fields.
    const stored = await hub.db.selectFrom('sections').select(['sis_key', 'sis_base', 'sis_digest']).execute();
    expect(stored.filter((r) => r.sis_digest !== jsonbDigest(r.sis_base)).map((r) => r.sis_key)).toEqual([]);
    const again = await merge(hub.admin, { types: ALL_TYPES, terms: [term.code] });
    for (const i of again.items) expect(i.counts, i.type).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  }, 240_000); // ~6 s alone; generous for a loaded two-core machine
  if (!hasSharedData) it.skip(SKIP_SHARED, () => {});
  it.skipIf(!onPostgres)('keeps an edit saved while the merge runs: that record is reported, not overwritten, and merged next time', async () => {
    const sis = await startPair('ethos', { seed: 'synthetic:20' });
    const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
    cleanups.push(() => sis.sim.close(), () => hub.close());
    const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
    await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
    const [a] = await sis.admin<{ id: string; crn: string; capacity: number }[]>('GET', `/sections?term=${term}`);
    await sis.admin('PATCH', `/sections/${term}/${a.crn}`, { capacity: a.capacity + 5 });
    const before = await hub.db.selectFrom('sections').select(['id', 'version', 'capacity']).where('sis_key', '=', a.id).executeTakeFirstOrThrow();

    // A scheduler's save, not yet committed when the merge has read the section and comes to write it.
    const editor = new pg.Client({ connectionString: hub.database.databaseUrl! });
    await editor.connect();
    cleanups.push(() => editor.end());
    await editor.query('begin');
    await editor.query(`update sections set title = 'Edited meanwhile', version = version + 1 where id = $1`, [before.id]);
    const started = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    expect(started.status).toBe(202);
    const waitingOnTheEdit = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query ilike 'update "sections"%'`.execute(hub.db)
      ).rows[0].n > 0;
    for (let i = 0; !(await waitingOnTheEdit()); i++) {
      if (i > 600) throw new Error('the merge never came to write the edited section');
      await new Promise((r) => setTimeout(r, 50));
    }
    await editor.query('commit');

    const run = await waitForRun(hub.admin, started.body.id);
    expect(run.status).toBe('partial');
    expect(item(run, 'sections').counts).toMatchObject({ conflicts: 1, updated: 0 });
    const conflict = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=conflict`)).body.items[0];
    expect(conflict).toMatchObject({ entityId: before.id, message: expect.stringMatching(/Changed in the hub while this merge ran/) });
    // With both values of what the SIS changed and the merge did not apply.
    expect(conflict.fields).toEqual([{ field: 'capacity', base: a.capacity, hub: a.capacity, sis: a.capacity + 5, resolvedBy: 'hub' }]);
    const kept = await hub.db.selectFrom('sections').select(['title', 'capacity', 'version']).where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(kept).toEqual({ title: 'Edited meanwhile', capacity: before.capacity, version: before.version + 1 });

    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections').counts).toMatchObject({ conflicts: 0, updated: 1 });
    const merged = await hub.db.selectFrom('sections').select(['title', 'capacity']).where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(merged).toEqual({ title: 'Edited meanwhile', capacity: a.capacity + 5 });
  });
});
