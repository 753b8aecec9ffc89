// Posting to the SIS over HTTP: enable real-time for a term, wait for the outbox to drain,
// compare hub and SIS record by record.
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../src/db/schema.ts';
import type { SisConnector } from '../../src/sis/contract.ts';
import { sectionFields } from '../../src/sync/fields.ts';
import { hubSections, sectionKeys } from '../../src/sync/hub-records.ts';
import type { Client } from '../helpers/hub.ts';
import { ALL_TYPES, merge } from './helpers.ts';

/** Imports everything of `terms` from the SIS, then turns posting on for the first (setSync's options). */
export async function importAndSync(client: Client, terms: string[], options: Parameters<typeof setSync>[2] = {}) {
  const run = await merge(client, { types: ALL_TYPES, terms });
  expect(run.status, JSON.stringify(run.items)).toBe('succeeded');
  await setSync(client, terms[0], options);
}

export async function setSync(
  client: Client,
  term: string,
  options: { realTime?: boolean; nightly?: boolean; terms?: string[]; relationships?: boolean } = {},
) {
  const current = (await client.get('/api/v1/admin/merge-settings')).body;
  const settings = structuredClone(current.settings);
  for (const type of ['courses', 'sections', 'relationships']) {
    settings.types[type].enabledTerms = options.terms ?? [term];
    settings.types[type].nightly = options.nightly ?? true;
    settings.types[type].realTime = type === 'courses' ? false : (options.realTime ?? true);
  }
  if (options.relationships === false) settings.types.relationships.enabled = false;
  const res = await client.put('/api/v1/admin/merge-settings', { version: current.version, settings, comment: null });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Polls until nothing is pending (bounded; fails the test instead of hanging). */
export async function drained(db: Kysely<DB>, options: { sweep?: () => Promise<unknown>; timeoutMs?: number } = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const pending = await db.selectFrom('integration_status').select(['entity_id', 'detail']).where('status', '=', 'pending').execute();
    if (!pending.length) return;
    await options.sweep?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = await db.selectFrom('integration_status').selectAll().where('status', '=', 'pending').execute();
  throw new Error(`outbox did not drain: ${JSON.stringify(left.slice(0, 5))}`);
}

/** Polls one section's integration status until it leaves `pending` (bounded). */
export async function settled(client: Client, id: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/v1/sections/${id}/integration-status`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status !== 'pending' || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const POSTED = ['sectionNumber', 'component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'meetings', 'instructors'];

/** Every listed hub section equals its SIS record in every posted field. */
export async function expectSisEqualsHub(db: Kysely<DB>, connector: SisConnector, ids: string[]) {
  const hub = await hubSections(db, { ids }, await sectionKeys(db));
  expect(hub.length).toBe(ids.length);
  for (const h of hub) {
    expect(h.sisKey, `${h.label} has no SIS key`).not.toBeNull();
    const sis = await connector.getSection(h.sisKey!);
    expect(sis, `${h.label} is not in the SIS`).not.toBeNull();
    const theirs = sectionFields(sis!);
    for (const f of POSTED) expect(theirs[f], `${h.label}.${f}`).toEqual(h.fields[f]);
  }
}

/** Crosslists `primary` with `other` through the API as a registrar does; the new relationship's id. */
export async function postCrosslist(client: Client, primary: { id: string; termId: string }, other: { id: string }): Promise<string> {
  const res = await client.post('/api/v1/relationships', {
    termId: primary.termId,
    kind: 'crosslist',
    sharedCapacity: null,
    members: [
      { sectionId: primary.id, primary: true },
      { sectionId: other.id, primary: false },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}
