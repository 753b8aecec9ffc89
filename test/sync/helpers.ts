// Merges over HTTP against a real SIS simulator: start a run, follow it to the end.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { startHub, type Client, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair } from '../sis/harness.ts';

export interface RunView {
  id: string;
  status: string;
  error: string | null;
  items: { type: string; term: string | null; status: string; fetched: number; counts: Record<string, number>; error: string | null }[];
}

/** Starts a merge and waits for it to finish (bounded: it fails the test rather than hang). */
export async function merge(client: Client, body: Record<string, unknown>): Promise<RunView> {
  const started = await client.post('/api/v1/admin/merges', body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return waitForRun(client, started.body.id);
}

export async function waitForRun(client: Client, id: string): Promise<RunView> {
  for (let i = 0; i < 3000; i++) {
    const run = await client.get(`/api/v1/admin/merges/${id}`);
    if (run.body.finishedAt) return run.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`merge run ${id} did not finish`);
}

export const item = (run: RunView, type: string) => {
  const found = run.items.find((i) => i.type === type);
  if (!found) throw new Error(`no ${type} item in ${JSON.stringify(run.items)}`);
  return found;
};

/** A merge of a term's sections that finds nothing to take: not a section row written, not even its base, and no audit entry. */
export async function expectQuietSectionsMerge(hub: Hub, term: string) {
  const rowVersions = async () => (await sql<{ id: string; xmin: string }>`select id, xmin::text as xmin from sections order by id`.execute(hub.db)).rows;
  const recordEntries = async () =>
    (await hub.db.selectFrom('audit_log').select(sql<number>`count(*)::int`.as('n')).where('entity_type', '!=', 'merge_run').executeTakeFirstOrThrow()).n;
  const [before, auditBefore] = [await rowVersions(), await recordEntries()];
  const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
  expect(item(run, 'sections')).toMatchObject({ status: 'succeeded', counts: expect.objectContaining({ created: 0, updated: 0, deleted: 0, errors: 0 }) });
  expect(await rowVersions()).toEqual(before);
  expect(await recordEntries()).toBe(auditBefore);
}

export const ALL_TYPES = ['terms', 'departments', 'buildings', 'rooms', 'instructors', 'courses', 'sections', 'relationships'];

/**
 * A hub beside an Ethos simulator (synthetic:20) with everything of the first term imported but its
 * sections and relationships; `cleanups` closes both. `inTerm`: the SIS's sections of that term.
 */
export async function readyForSections(cleanups: (() => Promise<unknown>)[], settings: { pageSize?: number } = {}) {
  const sis = await startPair('ethos', { seed: 'synthetic:20' });
  const hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, ...settings } });
  cleanups.push(() => sis.sim.close(), () => hub.close());
  const term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  await merge(hub.admin, { types: ALL_TYPES.filter((t) => t !== 'sections' && t !== 'relationships'), terms: [term] });
  const inTerm = (await sis.admin<unknown[]>('GET', `/sections?term=${term}`)).length;
  return { sis, hub, term, inTerm };
}
