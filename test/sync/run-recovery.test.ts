// A merge run always ends: one stopped by a fault that escapes the runner is marked failed, and
// its types × terms are free again for the next merge instead of answering 409 for good.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { startHub } from '../helpers/hub.ts';
import { API_KEY, startPair } from '../sis/harness.ts';
import { ALL_TYPES, item, merge, waitForRun } from './helpers.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SIS of 20 sections per term, and a hub with everything of its first term merged but sections and relationships. */
async function readyForSections() {
  const sis = await startPair('ethos', { seed: 'synthetic:20' });
  const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY } });
  cleanups.push(() => sis.sim.close(), () => hub.close());
  const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'sections' && t !== 'relationships'), terms: [term] });
  const inTerm = (await sis.admin<unknown[]>('GET', `/sections?term=${term}`)).length;
  return { sis, hub, term, inTerm };
}

const sectionCount = async (db: Awaited<ReturnType<typeof startHub>>['db']) =>
  (await db.selectFrom('sections').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;

describe('a merge run stopped by a fault', () => {
  it('ends failed with its items, leaves the previous state whole, and the same merge can start again', async () => {
    const { hub, term, inTerm } = await readyForSections();
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
