// Wire-level behaviour of the Ethos dialect that connectors rely on (sis-apis.md §1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSisSim, type SisSim } from '../../sis-sim/server.ts';

describe('Ethos dialect', () => {
  let sim: SisSim;
  let token: string;
  const get = (path: string, accept = 'application/vnd.hedtech.integration.v16+json') =>
    fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.hedtech.integration.v16+json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sim = await startSisSim({ dialect: 'ethos', port: 0, apiKey: 'secret', seed: 'synthetic:120' });
    const auth = await fetch(`${sim.url}/auth`, { method: 'POST', headers: { authorization: 'Bearer secret' } });
    expect(auth.status).toBe(200);
    token = await auth.text();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('refuses a wrong API key and a missing token', async () => {
    expect((await fetch(`${sim.url}/auth`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const r = await fetch(`${sim.url}/api/sections`);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/errors\.v2\+json/);
  });

  it('pages with offset/limit and reports x-total-count, x-max-page-size and x-media-type', async () => {
    const r = await get('/api/sections?offset=350&limit=20');
    expect(r.headers.get('x-total-count')).toBe('360');
    expect(r.headers.get('x-max-page-size')).toBe('500');
    expect(r.headers.get('x-media-type')).toBe('application/vnd.hedtech.integration.v16.1.0+json');
    expect(await r.json()).toHaveLength(10);
  });

  it('filters sections by academic period through criteria', async () => {
    const periods = (await (await get('/api/academic-periods')).json()) as { id: string; category: { type: string } }[];
    const term = periods.find((p) => p.category.type === 'term')!;
    const r = await get(`/api/sections?criteria=${encodeURIComponent(JSON.stringify({ academicPeriod: { id: term.id } }))}`);
    expect(r.headers.get('x-total-count')).toBe('120');
  });

  it('answers 406 for a version it does not serve', async () => {
    const r = await get('/api/sections', 'application/vnd.hedtech.integration.v11+json');
    expect(r.status).toBe(406);
    expect((await r.json()).errors[0].code).toBe('Global.UnsupportedMediaType');
  });

  it('requires the nil GUID on POST and a matching GUID on PUT; refuses DELETE of sections', async () => {
    const [section] = (await (await get('/api/sections?limit=1')).json()) as { id: string }[];
    const post = await send('POST', '/api/sections', { ...section });
    expect(post.status).toBe(400);
    expect((await post.json()).errors[0].message).toBe('Nil GUID must be used in POST operation.');
    const put = await send('PUT', `/api/sections/${section.id}`, { ...section, id: '11111111-1111-1111-1111-111111111111' });
    expect(put.status).toBe(400);
    const del = await fetch(`${sim.url}/api/sections/${section.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(del.status).toBe(405);
    expect((await del.json()).errors[0].message).toMatch(/not supported/);
  });

  it('answers 404 with GUID.Not.Found for an unknown GUID', async () => {
    const r = await get('/api/sections/22222222-2222-2222-2222-222222222222');
    expect(r.status).toBe(404);
    expect((await r.json()).errors[0].code).toBe('GUID.Not.Found');
  });

  it('writes weekly recurrences with the zone offset of each date', async () => {
    const [event] = (await (await get('/api/instructional-events?limit=500', 'application/json')).json()).filter(
      (e: { recurrence?: unknown }) => e.recurrence,
    ) as { recurrence: { timePeriod: { startOn: string; endOn: string }; repeatRule: { type: string } } }[];
    expect(event.recurrence.repeatRule.type).toBe('weekly');
    // Fall 2025 starts in CDT (-05:00) and ends in CST (-06:00).
    expect(event.recurrence.timePeriod.startOn).toMatch(/^2025-0[89]-\d\dT\d\d:\d\d:00-05:00$/);
    expect(event.recurrence.timePeriod.endOn).toMatch(/^2025-1[012]-\d\dT\d\d:\d\d:00-06:00$/);
  });

  it("keeps a written repeat rule's kind and interval, and refuses a kind EEDM does not have", async () => {
    const [event] = (await (await get('/api/instructional-events?limit=500', 'application/json')).json()).filter(
      (e: { recurrence?: { timePeriod?: unknown } }) => e.recurrence?.timePeriod,
    ) as { id: string; recurrence: { repeatRule: Record<string, unknown> } }[];
    const put = (repeatRule: Record<string, unknown>) =>
      send('PUT', `/api/instructional-events/${event.id}`, { ...event, recurrence: { ...event.recurrence, repeatRule: { ...event.recurrence.repeatRule, ...repeatRule } } });
    const rule = async () => ((await (await get(`/api/instructional-events/${event.id}`, 'application/json')).json()) as typeof event).recurrence.repeatRule;

    expect((await put({ interval: 2 })).status).toBe(200);
    expect(await rule()).toMatchObject({ type: 'weekly', interval: 2, daysOfWeek: event.recurrence.repeatRule.daysOfWeek });
    const monthly = { type: 'monthly', interval: 1, repeatBy: { dayOfWeek: { day: 'monday', occurrence: 1 } } };
    expect((await put(monthly)).status).toBe(200);
    expect(await rule()).toEqual({ ...monthly, ends: event.recurrence.repeatRule.ends });
    expect((await put({ type: 'hourly', interval: 1 })).status).toBe(400);
    expect((await put({ type: 'weekly', interval: 0 })).status).toBe(400);
    expect((await put({ type: 'weekly', interval: 1 })).status).toBe(200);
    expect(await rule()).toEqual(event.recurrence.repeatRule);
  });

  it("keeps an event's title, description, workLoad, approvals and other locations as written; a PUT that leaves them out removes them", async () => {
    const [event] = (await (await get('/api/instructional-events?limit=500', 'application/json')).json()).filter(
      (e: { locations: unknown[] }) => e.locations.length === 1,
    ) as { id: string; locations: unknown[] }[];
    const own = {
      title: 'Lecture',
      description: 'Held in the lecture hall',
      workLoad: 3,
      approvals: [{ approvalType: 'roomAvailability', approvalEntity: 'user' }],
    };
    const site = { location: { type: 'site', site: { id: '5b6c0000-0000-4000-8000-000000000001' } } };
    const read = async () => (await (await get(`/api/instructional-events/${event.id}`, 'application/json')).json()) as Record<string, unknown>;

    expect((await send('PUT', `/api/instructional-events/${event.id}`, { ...event, ...own, locations: [...event.locations, site] })).status).toBe(200);
    expect(await read()).toEqual({ ...event, ...own, locations: [...event.locations, site] });
    const refused = await send('PUT', `/api/instructional-events/${event.id}`, { ...event, approvals: [{ approvalType: 'anything', approvalEntity: 'user' }] });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].message).toMatch(/^approvals must each have an approvalType/);
    expect((await send('PUT', `/api/instructional-events/${event.id}`, event)).status).toBe(200);
    expect(await read()).toEqual(event);
  });

  it("keeps a section instructor's events, share, workload and dates as written; refuses an event of another section", async () => {
    const links = (await (await get('/api/section-instructors?limit=500', 'application/json')).json()) as { id: string; section: { id: string } }[];
    const events = (await (await get('/api/instructional-events?limit=500', 'application/json')).json()) as { id: string; section: { id: string } }[];
    const link = links.find((l) => events.some((e) => e.section.id === l.section.id))!;
    const taught = events.find((e) => e.section.id === link.section.id)!;
    const elsewhere = events.find((e) => e.section.id !== link.section.id)!;
    const own = { instructionalEvents: [{ id: taught.id }], responsibilityPercentage: 60, workLoad: 2.5, workStartOn: '2025-08-25', workEndOn: '2025-10-17' };
    const read = async () => (await (await get(`/api/section-instructors/${link.id}`, 'application/json')).json()) as Record<string, unknown>;

    expect((await send('PUT', `/api/section-instructors/${link.id}`, { ...link, ...own })).status).toBe(200);
    expect(await read()).toEqual({ ...link, ...own });
    const refused = await send('PUT', `/api/section-instructors/${link.id}`, { ...link, instructionalEvents: [{ id: elsewhere.id }] });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].message).toBe(`instructionalEvents must be events of section ${link.section.id}.`);
    expect((await send('PUT', `/api/section-instructors/${link.id}`, { ...link, responsibilityPercentage: 140 })).status).toBe(400);
    expect((await send('PUT', `/api/section-instructors/${link.id}`, link)).status).toBe(200);
    expect(await read()).toEqual(link);
  });
});
