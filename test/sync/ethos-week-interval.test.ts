// Meetings held every n weeks through Ethos: a lab every other week comes into the hub as such and
// goes back to the SIS as such, and a repeat rule the hub cannot hold (monthly, daily) is reported
// for its section, never read, or written back, as weekly. A hub and an Ethos simulator over HTTP.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimMeeting, SimSection } from '../../sis-sim/state.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES, expectQuietSectionsMerge, item, merge } from './helpers.ts';
import { setSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
/** A section whose last meeting (a lab) the SIS holds every other week. */
let lab: SimSection;
/** Weekly at import; the SIS's registrar then makes its meeting monthly, or daily. */
let monthly: SimSection;
let daily: SimSection;
/** A section the SIS changes in an ordinary way meanwhile. */
let other: SimSection;

interface WireEvent {
  id: string;
  recurrence?: { repeatRule: { type: string; interval?: number; daysOfWeek?: string[] } };
  locations?: { location: { room?: { id: string } } }[];
}

/** The SIS's own instructional events of a section, as any Ethos client reads them. */
async function eventsOf(sisKey: string): Promise<WireEvent[]> {
  const token = await (await fetch(`${sis.sim.url}/auth`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } })).text();
  const criteria = encodeURIComponent(JSON.stringify({ section: { id: sisKey } }));
  const res = await fetch(`${sis.sim.url}/api/instructional-events?criteria=${criteria}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as WireEvent[];
}

interface HubMeeting {
  days: string;
  roomId: string | null;
  weekInterval: number;
}
const hubSection = async (sisKey: string) => {
  const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow();
  return (await hub.admin.get(`/api/v1/sections/${id}`)).body as { id: string; version: number; capacity: number; meetings: HubMeeting[] };
};
/** A registrar's edit of the section's meetings in the hub, and what became of its post. */
async function editMeetings(sisKey: string, edit: (meetings: HubMeeting[]) => HubMeeting[]) {
  const current = await hubSection(sisKey);
  const res = await hub.admin.patch(`/api/v1/sections/${current.id}`, { version: current.version, meetings: edit(current.meetings) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return settled(hub.admin, current.id);
}
/** Another room the hub knows from the SIS. */
async function otherRoom(than: string | null): Promise<{ id: string; sisKey: string }> {
  const room = await hub.db.selectFrom('rooms').select(['id', 'sis_key']).where('sis_key', 'is not', null).where('id', '!=', than ?? '').executeTakeFirstOrThrow();
  return { id: room.id, sisKey: room.sis_key! };
}

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40' });
  const store = sis.sim.store;
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  const termId = Object.values(store.state.terms).find((t) => t.code === term)!.id;
  const timed = store
    .sectionsOfTerm(termId)
    .filter((s) => s.status === 'active' && s.meetings.length > 0 && s.meetings.every((m) => m.startTime !== null && m.roomId !== null));
  const every = (s: SimSection, repeat: SimMeeting['repeat']) => s.meetings.map((m, i) => (i === s.meetings.length - 1 ? { ...m, repeat } : m));
  lab = store.patchSection(timed[0].id, { meetings: every(timed[0], { type: 'weekly', interval: 2 }) });
  [monthly, daily, other] = timed.slice(1, 4);
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 10_000 }, runtime: { pushSweepMs: 0 } });
  const imported = await merge(hub.admin, { types: ALL_TYPES, terms: [term] });
  expect(imported.status, JSON.stringify(imported.items)).toBe('succeeded');
  await setSync(hub.admin, term);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('meetings held every n weeks, through Ethos', () => {
  it('imports a lab the SIS holds every other week as weekInterval 2, and weekly meetings as 1', async () => {
    const section = await hubSection(lab.id);
    expect(section.meetings.map((m) => m.weekInterval)).toEqual(lab.meetings.map((_, i) => (i === lab.meetings.length - 1 ? 2 : 1)));
    expect((await hubSection(other.id)).meetings.every((m) => m.weekInterval === 1)).toBe(true);
  });

  it('re-merges with no writes and no audit entries where the stored SIS bases predate meeting intervals', async () => {
    // Every base but the lab's as the previous version stored it: each meeting with exactly the six
    // fields it knew (the lab's base would say weekly, and the merge would rightly bring its 2).
    await sql`
      update sections set sis_base = jsonb_set(sis_base, '{meetings}', (
        select coalesce(jsonb_agg(jsonb_build_object('days', m -> 'days', 'startTime', m -> 'startTime', 'endTime', m -> 'endTime',
          'startDate', m -> 'startDate', 'endDate', m -> 'endDate', 'roomKey', m -> 'roomKey') order by n), '[]'::jsonb)
        from jsonb_array_elements(sis_base -> 'meetings') with ordinality as e(m, n)))
      where sis_base is not null and sis_key <> ${lab.id}`.execute(hub.db);
    await expectQuietSectionsMerge(hub, term);
  });

  it("posts a room change of the lab with its every-other-week kept, and a change of the interval as the SIS's repeat interval", async () => {
    const last = lab.meetings.length - 1;
    const room = await otherRoom((await hubSection(lab.id)).meetings[last].roomId);
    const moved = await editMeetings(lab.id, (meetings) => meetings.map((m, i) => (i === last ? { ...m, roomId: room.id } : m)));
    expect(moved.status, JSON.stringify(moved)).toBe('synced');
    const events = await eventsOf(lab.id);
    expect(events[last].locations?.[0].location.room?.id).toBe(room.sisKey);
    expect(events.map((e) => e.recurrence?.repeatRule.interval)).toEqual(lab.meetings.map((_, i) => (i === last ? 2 : 1)));
    expect(events[last].recurrence?.repeatRule).toMatchObject({ type: 'weekly', daysOfWeek: expect.any(Array) });

    const everyThird = await editMeetings(lab.id, (meetings) => meetings.map((m, i) => (i === last ? { ...m, weekInterval: 3 } : m)));
    expect(everyThird.status).toBe('synced');
    expect((await eventsOf(lab.id))[last].recurrence?.repeatRule).toMatchObject({ type: 'weekly', interval: 3 });
    expect((await hubSection(lab.id)).meetings[last].weekInterval).toBe(3);
  });

  it('reports a section whose SIS meeting turned monthly (or daily) as an error for that section only, and keeps the hub\'s copy', async () => {
    const store = sis.sim.store;
    store.patchSection(monthly.id, { meetings: monthly.meetings.map((m) => ({ ...m, repeat: { type: 'monthly', interval: 1, repeatBy: { dayOfMonth: 15 } } })) });
    store.patchSection(daily.id, { meetings: daily.meetings.map((m, i) => (i === 0 ? { ...m, repeat: { type: 'daily', interval: 1 } } : m)) });
    store.patchSection(other.id, { capacity: other.capacity + 3 });
    const [monthlyBefore, dailyBefore] = [await hubSection(monthly.id), await hubSection(daily.id)];

    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections')).toMatchObject({ status: 'partial', counts: expect.objectContaining({ updated: 1, deleted: 0, errors: 2 }) });
    const errors = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=error`)).body.items as { sisKey: string; message: string }[];
    expect(errors.map((e) => e.sisKey).sort()).toEqual([monthly.id, daily.id].sort());
    const [monthlyEvent] = await eventsOf(monthly.id);
    expect(errors.find((e) => e.sisKey === monthly.id)!.message).toBe(
      `The SIS sent a record the hub cannot read: meeting 1 (instructional event ${monthlyEvent.id}) repeats every month ` +
        `(the SIS's repeatRule: ${JSON.stringify(monthlyEvent.recurrence!.repeatRule)}); ` +
        'the hub holds meetings on set days every 1 to 52 weeks only, so this section is not merged and the hub keeps it as it was',
    );
    expect(errors.find((e) => e.sisKey === daily.id)!.message).toMatch(/meeting 1 \(instructional event [0-9a-f-]+\) repeats every day \(the SIS's repeatRule: \{"type":"daily","interval":1/);
    // Neither read as weekly: both as the hub had them, the SIS's other change taken.
    expect(await hubSection(monthly.id)).toEqual(monthlyBefore);
    expect(await hubSection(daily.id)).toEqual(dailyBefore);
    expect((await hubSection(other.id)).capacity).toBe(other.capacity + 3);
  });

  it('refuses to post an edit of that section rather than write its monthly meeting back as weekly', async () => {
    const room = await otherRoom((await hubSection(monthly.id)).meetings[0].roomId);
    const refused = await editMeetings(monthly.id, (meetings) => meetings.map((m, i) => (i === 0 ? { ...m, roomId: room.id } : m)));
    expect(refused).toMatchObject({ status: 'error', errorCode: 'validation' });
    expect(refused.messages[0].message).toContain('repeats every month');
    expect(sis.sim.store.state.sections[monthly.id].meetings[0]).toMatchObject({ roomId: monthly.meetings[0].roomId, repeat: { type: 'monthly', interval: 1 } });
  });
});
