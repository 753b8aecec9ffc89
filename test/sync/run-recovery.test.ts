// A merge run always ends: one stopped by a fault that escapes the runner, or whose process died,
// is marked failed, and its types × terms are free again for the next merge instead of answering
// 409 for good. The periodic check is driven by hand with an injected clock: nothing here waits for it.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/sync/merge-runner.ts';
import type { startHub } from '../helpers/hub.ts';
import { item, merge, readyForSections, waitForRun } from './helpers.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SIS of 20 sections per term, and a hub with everything of its first term merged but sections and relationships. */
const sectionCount = async (db: Awaited<ReturnType<typeof startHub>>['db']) =>
  (await db.selectFrom('sections').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;

describe('a merge run stopped by a fault', () => {
  it('ends failed with its items, leaves the previous state whole, and the same merge can start again', async () => {
    const { hub, term, inTerm } = await readyForSections(cleanups);
    // The sections' apply fails in the database, and so does recording that failure (the
    // connection drops for both): the error escapes the item and stops the run.
    await sql`create function meeting_boom() returns trigger language plpgsql as $$
      begin raise exception 'disk full (simulated)'; end $$`.execute(hub.db);
    await sql`create trigger meeting_boom before insert on meetings for each row execute function meeting_boom()`.execute(hub.db);
    await sql`create sequence report_boom`.execute(hub.db);
    await sql`create function report_boom() returns trigger language plpgsql as $$
      begin if nextval('report_boom') = 1 then raise exception 'connection lost (simulated)'; end if; return new; end $$`.execute(hub.db);
    await sql`create trigger report_boom before update on merge_run_items for each row
      when (old.status = 'running' and new.status = 'failed') execute function report_boom()`.execute(hub.db);

    const started = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    expect(started.status).toBe(202);
    const stopped = await waitForRun(hub.admin, started.body.id);
    expect(stopped).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The merge stopped: .*connection lost \(simulated\)/) });
    expect(item(stopped, 'sections')).toMatchObject({ status: 'failed', error: stopped.error });
    expect(await sectionCount(hub.db)).toBe(0);

    await sql`drop trigger meeting_boom on meetings`.execute(hub.db);
    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: inTerm }) });
    expect(await sectionCount(hub.db)).toBe(inTerm);
  });
});

const databaseNow = async (db: Awaited<ReturnType<typeof startHub>>['db']) => (await sql<{ now: Date }>`select now() as now`.execute(db)).rows[0].now.getTime();
const minutes = (n: number) => n * 60_000;

describe('a merge run whose process died', () => {
  it('is marked failed by the periodic check once its heartbeat is stale, and the same merge runs again', async () => {
    const { hub, term, inTerm } = await readyForSections(cleanups);
    const first = await merge(hub.admin, { types: ['sections'], terms: [term] });
    // What a process killed while applying the sections leaves behind: the run and its item
    // running, the last heartbeat written just before it died.
    await hub.db.updateTable('merge_runs').set({ status: 'running', finished_at: null, heartbeat_at: sql`now()` } as never).where('id', '=', first.id).execute();
    await hub.db.updateTable('merge_run_items').set({ status: 'running', finished_at: null } as never).where('run_id', '=', first.id).execute();
    const blocked = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    expect(blocked).toMatchObject({ status: 409, body: { runningRunId: first.id } });

    const now = await databaseNow(hub.db);
    expect(await hub.runtime!.failInterruptedRuns(new Date(now + minutes(9)))).toEqual([]); // a live run may beat this seldom
    expect(await hub.runtime!.failInterruptedRuns(new Date(now + minutes(11)))).toEqual([first.id]);
    const dead = await waitForRun(hub.admin, first.id);
    expect(dead).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted/) });
    expect(item(dead, 'sections')).toMatchObject({ status: 'failed', error: dead.error });

    // A job handed the run late (a retry) takes nothing up: the run stays failed.
    await executeRun({ db: hub.db, connections: hub.runtime!.connections }, first.id);
    expect((await hub.admin.get(`/api/v1/admin/merges/${first.id}`)).body).toMatchObject({ status: 'failed', items: [{ status: 'failed' }] });

    const again = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(again, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ unchanged: inTerm }) });
  });

  it('is not taken for dead while it runs in this process, nor while it waits in the queue behind another', async () => {
    const { sis, hub, term, inTerm } = await readyForSections(cleanups);
    await sis.admin('PUT', '/faults', { latencyMs: 100 }); // slow enough to be seen running
    const running = await hub.admin.post('/api/v1/admin/merges', { types: ['sections'], terms: [term] });
    const waiting = await hub.admin.post('/api/v1/admin/merges', { types: ['departments'], terms: [] });
    for (let i = 0; i < 2000; i++) {
      if ((await hub.admin.get(`/api/v1/admin/merges/${running.body.id}`)).body.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // An hour on: both are old by any clock, yet this process is executing the one, and the
    // other's job waits for this process's worker.
    const inHour = new Date((await databaseNow(hub.db)) + minutes(60));
    expect(await hub.runtime!.failInterruptedRuns(inHour)).toEqual([]);
    expect((await hub.admin.get(`/api/v1/admin/merges/${running.body.id}`)).body.status).toBe('running');
    expect((await hub.admin.get(`/api/v1/admin/merges/${waiting.body.id}`)).body.status).toBe('queued');
    await sis.admin('DELETE', '/faults');
    expect(item(await waitForRun(hub.admin, running.body.id), 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: inTerm }) });
    expect(await waitForRun(hub.admin, waiting.body.id)).toMatchObject({ status: 'succeeded' });

    // A run left queued after its job ended without taking it up (the database failed at its claim).
    await hub.db.updateTable('merge_runs').set({ status: 'queued', finished_at: null } as never).where('id', '=', waiting.body.id).execute();
    await hub.db.updateTable('merge_run_items').set({ status: 'waiting', finished_at: null } as never).where('run_id', '=', waiting.body.id).execute();
    expect(await hub.runtime!.failInterruptedRuns(new Date((await databaseNow(hub.db)) + minutes(60)))).toEqual([waiting.body.id]);
  });
});
