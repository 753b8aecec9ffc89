// Posting to PeopleSoft: a created class has no CLASS_NBR until it is published (sisKeysArriveLater),
// and PeopleSoft refuses to cancel a class with enrollment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { drained, expectSisEqualsHub, importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;

beforeAll(async () => {
  sis = await startPair('peoplesoft', { seed: 'synthetic:30', crnDelayMs: 24 * 3600_000 });
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
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
});
