// Posting to PeopleSoft: a created class has no CLASS_NBR until it is published (sisKeysArriveLater),
// PeopleSoft refuses to cancel a class with enrollment, and a write keeps what the SIS holds
// beyond the hub's model (PeopleSoft replaces the whole class on every write).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import type { PsClass, PsCourse } from '../../src/sis/peoplesoft/wire.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { drained, expectSisEqualsHub, importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let strm: string;
/** Classes a registrar gave SIS-only values before the hub imported them, by CLASS_NBR. */
const seeded = { stopped: 0, variableCredits: 0 };

/** PeopleSoft's own REST service, as the registrar's tools (or a test) use it. */
async function ps<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sis.sim.url}${PS_BASE}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`REGISTRAR:${API_KEY}`).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const classInSis = async (nbr: number) => (await ps<{ CLASS: PsClass }>('GET', `/terms/${strm}/classes/${nbr}`)).CLASS;
/** A registrar's edit in PeopleSoft: the class read, changed and put back whole. */
const registrarEdits = async (nbr: number, edit: (c: PsClass) => PsClass) => ps('PUT', `/terms/${strm}/classes/${nbr}`, edit(await classInSis(nbr)));

/** Gives classes of the term the SIS-only values the tests below expect the hub's writes to keep. */
async function seedSisOnlyValues() {
  const { CLASSES } = await ps<{ CLASSES: PsClass[] }>('GET', `/terms/${strm}/classes?PAGE_SIZE=500`);
  const { SCTN_CMBND } = await ps<{ SCTN_CMBND: { CLASSES: { CLASS_NBR: number }[] }[] }>('GET', `/terms/${strm}/combined-sections`);
  const taken = new Set(SCTN_CMBND.flatMap((x) => x.CLASSES.map((c) => c.CLASS_NBR)));
  const take = (where: (c: PsClass) => boolean) => {
    const found = CLASSES.find((c) => !taken.has(c.CLASS_NBR!) && c.CLASS_STAT === 'A' && where(c));
    if (!found) throw new Error('no such class in the seed');
    taken.add(found.CLASS_NBR!);
    return found.CLASS_NBR!;
  };
  // Stop further enrollment, on a class nobody is enrolled in (so the hub may cancel it).
  seeded.stopped = take(() => true);
  await sis.admin('PATCH', `/sections/${term}/${seeded.stopped}`, { enrolled: 0 });
  await registrarEdits(seeded.stopped, (c) => ({ ...c, CLASS_STAT: 'S' }));
  // Variable credits: the whole range of a variable-credit course.
  const { COURSES } = await ps<{ COURSES: PsCourse[] }>('GET', `/courses?CRSE_ID=${[...new Set(CLASSES.map((c) => c.CRSE_ID))].join(',')}`);
  const variable = COURSES.find((c) => c.UNITS_MAXIMUM > c.UNITS_MINIMUM)!;
  seeded.variableCredits = take((c) => c.CRSE_ID === variable.CRSE_ID);
  await registrarEdits(seeded.variableCredits, (c) => ({ ...c, UNITS_MINIMUM: variable.UNITS_MINIMUM, UNITS_MAXIMUM: variable.UNITS_MAXIMUM }));
}

/** Edits a seeded class in the hub and waits until the edit is posted. */
async function hubEdits(nbr: number, action: { patch: Record<string, unknown> } | { post: 'cancel' | 'reinstate' }) {
  const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', `${strm}:${nbr}`).executeTakeFirstOrThrow();
  const { version } = (await hub.admin.get(`/api/v1/sections/${id}`)).body;
  const res =
    'patch' in action
      ? await hub.admin.patch(`/api/v1/sections/${id}`, { version, ...action.patch })
      : await hub.admin.post(`/api/v1/sections/${id}/${action.post}`, { version });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const status = await settled(hub.admin, id);
  expect(status.status, JSON.stringify(status)).toBe('synced');
  return res.body;
}

beforeAll(async () => {
  sis = await startPair('peoplesoft', { seed: 'synthetic:30', crnDelayMs: 24 * 3600_000 });
  ({ code: term, strm } = (await sis.admin<{ terms: { code: string; strm: string }[] }>('GET', '/stats')).terms[0]);
  await seedSisOnlyValues();
  hub = await startHub({
    sis: { kind: 'peoplesoft', baseUrl: `${sis.sim.url}${PS_BASE}`, username: 'COURSEBRIDGE', password: API_KEY, timeoutMs: 5_000 },
    runtime: { pushRetry: { baseMs: 20, maxMs: 100, maxAttempts: 1000 }, pushSweepMs: 0 },
  });
  await importAndSync(hub.admin, [term], { relationships: false });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('posting to PeopleSoft', () => {
  it('waits for the CLASS_NBR of a created class, then links it, without creating it twice', async () => {
    const t = await hub.db.selectFrom('terms').select('id').where('code', '=', term).executeTakeFirstOrThrow();
    const [like] = (await hub.admin.get(`/api/v1/sections?termId=${t.id}&limit=1`)).body.items;
    const created = await hub.admin.post('/api/v1/sections', {
      termId: t.id,
      courseId: like.courseId,
      sectionNumber: 'P7',
      component: like.component,
      capacity: 12,
      instructionMode: like.instructionMode,
      credits: like.credits,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    let status;
    for (let i = 0; i < 200; i++) {
      status = (await hub.admin.get(`/api/v1/sections/${created.body.id}/integration-status`)).body;
      if (status.detail === 'awaiting_sis_key') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toMatchObject({ status: 'pending', detail: 'awaiting_sis_key' });
    // Looking again (several times) finds the class, never posts a second one.
    await new Promise((r) => setTimeout(r, 300));
    expect(await sis.admin<unknown[]>('GET', `/sections?term=${term}&section=P7`)).toHaveLength(1);

    await sis.admin('POST', '/class-numbers/publish');
    await drained(hub.db, { sweep: () => hub.runtime!.push.sweep() });
    const section = (await hub.admin.get(`/api/v1/sections/${created.body.id}`)).body;
    expect(section.sisKey).toMatch(/^\d+:\d+$/);
    expect(section.integrationStatus.status).toBe('synced');
    expect(await sis.admin<unknown[]>('GET', `/sections?term=${term}&section=P7`)).toHaveLength(1);
    await expectSisEqualsHub(hub.db, sis.connector, [created.body.id]);
  });

  it('keeps PeopleSoft\'s refusal to cancel a class with enrollment, with its hint', async () => {
    const enrolled = await hub.db
      .selectFrom('sections')
      .innerJoin('terms', 'terms.id', 'sections.term_id')
      .select(['sections.id', 'sections.version'])
      .where('terms.code', '=', term)
      .where('sections.enrolled', '>', 0)
      .where('sections.status', '=', 'active')
      .where('sections.sis_key', 'is not', null)
      .executeTakeFirstOrThrow();
    const res = await hub.admin.post(`/api/v1/sections/${enrolled.id}/cancel`, { version: enrolled.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const status = await settled(hub.admin, enrolled.id);
    expect(status.status).toBe('error');
    expect(status.messages[0]).toMatchObject({ field: 'status' });
    const health = await hub.admin.get('/api/v1/admin/integration-health');
    expect(health.body.items.find((i: { id: string }) => i.id === enrolled.id)).toMatchObject({ hint: { id: 'peoplesoft-cancel-with-enrollment' } });
  });

  it('keeps a class whose enrollment is stopped stopped when the hub changes its capacity; a cancel and a reinstate go out', async () => {
    const edited = await hubEdits(seeded.stopped, { patch: { capacity: 44 } });
    expect(await classInSis(seeded.stopped)).toMatchObject({ ENRL_CAP: 44, CLASS_STAT: 'S' });
    expect(edited.status).toBe('active');

    await hubEdits(seeded.stopped, { post: 'cancel' });
    expect((await classInSis(seeded.stopped)).CLASS_STAT).toBe('X');
    await hubEdits(seeded.stopped, { post: 'reinstate' });
    expect((await classInSis(seeded.stopped)).CLASS_STAT).toBe('A');
  });

  it("keeps a class's variable credits when the hub changes its capacity; a change of credits goes out", async () => {
    const { UNITS_MINIMUM: min, UNITS_MAXIMUM: max } = await classInSis(seeded.variableCredits);
    expect(max).toBeGreaterThan(min!);
    await hubEdits(seeded.variableCredits, { patch: { capacity: 45 } });
    expect(await classInSis(seeded.variableCredits)).toMatchObject({ ENRL_CAP: 45, UNITS_MINIMUM: min, UNITS_MAXIMUM: max });

    await hubEdits(seeded.variableCredits, { patch: { credits: max } });
    expect(await classInSis(seeded.variableCredits)).toMatchObject({ UNITS_MINIMUM: max, UNITS_MAXIMUM: max });
  });
});
