// An Ethos SIS's own representation survives the hub: meeting times it stores in UTC are read on
// the institution's clock, and a post changes only what the hub changed. A hub and an Ethos
// simulator that sends event times as UTC instants, over real HTTP.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeTable } from '../../sis-sim/ethos-shapes.ts';
import type { SimAssignmentDetails, SimEventDetails, SimMeeting, SimRelationship, SimSection } from '../../sis-sim/state.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { ALL_TYPES, merge, type RunView } from './helpers.ts';
import { setSync, settled } from './push-helpers.ts';

const TERM = '2025-fa';
/** Fall 2025 in Chicago: daylight time until 2 November, standard time after. */
const DST_ENDS = '2025-11-02';

let sis: Pair;
let hub: Hub;
let imported: RunView;
/** SIS sections given known meetings before the import, by role in the tests. */
const picked: Record<'afternoon' | 'evening' | 'moved', SimSection> = {} as never;
let crosslist: SimRelationship;
/** A section in no relationship, for the hub to add to the crosslist. */
let unlinked: SimSection;
let variable: SimSection;
/** A section whose one meeting has days and a room but no times ('MTWRF', ARRANGED in Banner). */
let untimed: SimSection;
/** A section whose event and instructor assignments the SIS holds more of than the hub does. */
let detailed: SimSection;
/** That event's own fields: a scheduler's approvals, a workload, a title and a site beside the room. */
const EVENT_DETAILS: SimEventDetails = {
  title: 'Lecture',
  workLoad: 3,
  approvals: [
    { approvalType: 'roomAvailability', approvalEntity: 'user' },
    { approvalType: 'instructorCapacity', approvalEntity: 'system' },
  ],
  otherLocations: [{ location: { type: 'site', site: { id: codeTable('site', 'MAIN') } } }],
};
/** Its two instructors' shares, workload and dates, and the event each teaches. */
const ASSIGNMENTS: SimAssignmentDetails[] = [
  { responsibilityPercentage: 60, workLoad: 2.5, workStartOn: '2025-08-25', workEndOn: '2025-10-17' },
  { responsibilityPercentage: 40, workLoad: 1.5, workStartOn: '2025-10-20', workEndOn: '2025-12-12' },
];

/** A GET of the SIS's own representation, as any Ethos client would see it. */
async function ethos<T>(path: string): Promise<T> {
  const token = await (await fetch(`${sis.sim.url}/auth`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } })).text();
  const res = await fetch(`${sis.sim.url}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

interface WireEvent {
  id: string;
  recurrence?: { timePeriod: { startOn: string; endOn: string } };
}
const eventsOf = (sisKey: string) => ethos<WireEvent[]>(`instructional-events?criteria=${encodeURIComponent(JSON.stringify({ section: { id: sisKey } }))}`);

interface HubSection {
  id: string;
  version: number;
  capacity: number;
  sisKey: string;
  meetings: { days: string; startTime: string | null; endTime: string | null; startDate: string | null; endDate: string | null; roomId: string | null }[];
  instructors: { instructorId: string; role: 'primary' | 'secondary' }[];
}
const hubSection = async (sisKey: string): Promise<HubSection> => {
  const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow();
  return (await hub.admin.get(`/api/v1/sections/${id}`)).body;
};
const patch = async (sisKey: string, body: Record<string, unknown>) => {
  const current = await hubSection(sisKey);
  const res = await hub.admin.patch(`/api/v1/sections/${current.id}`, { version: current.version, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await settled(hub.admin, current.id)).status).toBe('synced');
};

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40', eventTimes: 'utc' });
  const store = sis.sim.store;
  const term = Object.values(store.state.terms).find((t) => t.code === TERM)!;
  // Active sections meeting across the change back to standard time, each given one meeting.
  const spanning = store
    .sectionsOfTerm(term.id)
    .filter((s) => s.status === 'active' && s.meetings.some((m) => m.startTime !== null && m.roomId !== null && m.startDate! < DST_ENDS && m.endDate! > DST_ENDS));
  const meet = (s: SimSection, days: string, startTime: string, endTime: string) => {
    const m = s.meetings.find((x) => x.startTime !== null && x.roomId !== null)!;
    const meeting: SimMeeting = { ...m, days, startTime, endTime };
    return store.patchSection(s.id, { meetings: [meeting] });
  };
  picked.afternoon = meet(spanning[0], 'MW', '14:00', '15:15');
  picked.evening = meet(spanning[1], 'TR', '19:30', '20:45');
  picked.moved = meet(spanning[2], 'MWF', '14:00', '14:50');
  // A crosslist the registrar numbered and gave one waitlist of at most 5, of sections in no other.
  const linked = new Set(Object.values(store.state.relationships).flatMap((r) => r.members.map((m) => m.sectionId)));
  const [a, b, c] = store.sectionsOfTerm(term.id).filter((s) => s.status === 'active' && !linked.has(s.id) && !Object.values(picked).includes(s));
  crosslist = store.createRelationship({
    termId: term.id,
    kind: 'crosslist',
    code: 'XL2025FA017',
    members: [
      { sectionId: a.id, primary: true },
      { sectionId: b.id, primary: false },
    ],
    sharedCapacity: 40,
    waitlist: 'combined',
    maxWaitlist: 5,
  });
  unlinked = c;
  // A variable-credit section: 1 to 4 credits in steps of 1 (our model holds its minimum).
  const ranged = store
    .sectionsOfTerm(term.id)
    .find((s) => s.status === 'active' && store.state.courses[s.courseId].creditsMax !== null && ![a, b, c, ...Object.values(picked)].includes(s))!;
  const course = store.state.courses[ranged.courseId];
  variable = store.patchSection(ranged.id, { credits: course.credits, creditsMax: course.creditsMax, creditsIncrement: 1 });
  const arranged = store
    .sectionsOfTerm(term.id)
    .find((s) => s.status === 'active' && s.meetings.some((m) => m.roomId !== null) && ![a, b, c, ranged, ...Object.values(picked)].includes(s))!;
  const withRoom = arranged.meetings.find((m) => m.roomId !== null)!;
  untimed = store.patchSection(arranged.id, { meetings: [{ ...withRoom, days: 'F', startTime: null, endTime: null }] });
  const rich = store
    .sectionsOfTerm(term.id)
    .find((s) => s.status === 'active' && s.meetings.some((m) => m.startTime !== null && m.roomId !== null) && ![a, b, c, ranged, arranged, ...Object.values(picked)].includes(s))!;
  const lecture = { ...rich.meetings.find((m) => m.startTime !== null && m.roomId !== null)!, event: EVENT_DETAILS };
  const [first, second] = Object.values(store.state.instructors);
  detailed = store.patchSection(rich.id, {
    meetings: [lecture],
    instructors: [
      { id: randomUUID(), instructorId: first.id, role: 'primary', meetingIds: [lecture.id], assignment: ASSIGNMENTS[0] },
      { id: randomUUID(), instructorId: second.id, role: 'secondary', meetingIds: [lecture.id], assignment: ASSIGNMENTS[1] },
    ],
  });
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 10_000, timeZone: 'America/Chicago' }, runtime: { pushSweepMs: 0 } });
  imported = await merge(hub.admin, { types: ALL_TYPES, terms: [TERM] });
  await setSync(hub.admin, TERM);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe('Ethos meeting times sent in UTC', () => {
  it('imports every section of the term: no meeting read as ending before it starts', () => {
    expect(imported.status, JSON.stringify(imported.items)).toBe('succeeded');
  });

  it('imports a 14:00 Chicago class the SIS sends as 19:00Z at 14:00, its end after the DST change at its standard-time end', async () => {
    const s = picked.afternoon;
    const m = s.meetings[0];
    // The SIS's own words: daylight time at the first meeting, standard time at the last.
    const [wire] = await eventsOf(s.id);
    expect(wire.recurrence!.timePeriod).toEqual({ startOn: `${m.startDate}T19:00:00Z`, endOn: `${m.endDate}T21:15:00Z` });
    const { meetings } = await hubSection(s.id);
    expect(meetings).toEqual([expect.objectContaining({ days: 'MW', startTime: '14:00', endTime: '15:15', startDate: m.startDate, endDate: m.endDate })]);
  });

  it('imports an evening class whose UTC instants fall on the next day on its own date', async () => {
    const s = picked.evening;
    const m = s.meetings[0];
    const [wire] = await eventsOf(s.id);
    expect(wire.recurrence!.timePeriod.startOn.slice(0, 10)).not.toBe(m.startDate);
    const { meetings } = await hubSection(s.id);
    expect(meetings).toEqual([expect.objectContaining({ days: 'TR', startTime: '19:30', endTime: '20:45', startDate: m.startDate, endDate: m.endDate })]);
  });

  it('round trip: a capacity edit posted from the hub leaves the SIS meeting instants as they were', async () => {
    const s = picked.afternoon;
    const before = await eventsOf(s.id);
    const { capacity } = await hubSection(s.id);
    await patch(s.id, { capacity: capacity + 4 });
    expect(sis.sim.store.section(s.id).capacity).toBe(capacity + 4);
    expect(await eventsOf(s.id)).toEqual(before);
  });

  it('round trip: a meeting edited in the hub is written at the instants the hub shows', async () => {
    const s = picked.moved;
    const before = await eventsOf(s.id);
    const { meetings } = await hubSection(s.id);
    await patch(s.id, { meetings: meetings.map((m) => ({ ...m, days: 'TR' })) });
    const after = await eventsOf(s.id);
    expect(after.map((e) => e.recurrence?.timePeriod)).toEqual(before.map((e) => e.recurrence?.timePeriod));
    expect(sis.sim.store.section(s.id).meetings).toEqual([expect.objectContaining({ days: 'TR', startTime: '14:00', endTime: '14:50' })]);
    expect((await hubSection(s.id)).meetings).toEqual([expect.objectContaining({ days: 'TR', startTime: '14:00', endTime: '14:50' })]);
  });
});

describe('Ethos meetings with days and no times', () => {
  const inSis = () => sis.sim.store.section(untimed.id).meetings;

  it('imports a meeting that has days but no times with its days', async () => {
    const [wire] = await eventsOf(untimed.id);
    expect(wire.recurrence).toEqual({ repeatRule: expect.objectContaining({ type: 'weekly', daysOfWeek: ['friday'] }) });
    const { meetings } = await hubSection(untimed.id);
    expect(meetings).toEqual([expect.objectContaining({ days: 'F', startTime: null, endTime: null })]);
  });

  it('round trip: a room edit posted from the hub leaves its days in the SIS', async () => {
    const { meetings } = await hubSection(untimed.id);
    const other = await hub.db.selectFrom('rooms').select(['id', 'sis_key']).where('id', '!=', meetings[0].roomId!).where('active', '=', true).executeTakeFirstOrThrow();
    await patch(untimed.id, { meetings: [{ ...meetings[0], roomId: other.id }] });
    expect(inSis()).toEqual([expect.objectContaining({ days: 'F', startTime: null, endTime: null, roomId: other.sis_key })]);
    expect((await hubSection(untimed.id)).meetings).toEqual([expect.objectContaining({ days: 'F', startTime: null, roomId: other.id })]);
  });

  it('round trip: days changed in the hub on a meeting without times reach the SIS', async () => {
    const { meetings } = await hubSection(untimed.id);
    await patch(untimed.id, { meetings: [{ ...meetings[0], days: 'TR' }] });
    expect(inSis()).toEqual([expect.objectContaining({ days: 'TR', startTime: null, endTime: null })]);
  });
});

describe('Ethos fields the hub does not own', () => {
  it("moves a meeting to another room and time and keeps the SIS event's workload, title, site and the approvals the move leaves standing", async () => {
    const { meetings } = await hubSection(detailed.id);
    const room = await hub.db.selectFrom('rooms').select(['id', 'sis_key']).where('id', '!=', meetings[0].roomId!).where('active', '=', true).executeTakeFirstOrThrow();
    await patch(detailed.id, { meetings: [{ ...meetings[0], roomId: room.id, startTime: '07:30', endTime: '08:20' }] });

    const [event] = await ethos<Record<string, unknown>[]>(`instructional-events?criteria=${encodeURIComponent(JSON.stringify({ section: { id: detailed.id } }))}`);
    // The room's availability was approved for the old room and time: the SIS checks the new ones.
    const standing = EVENT_DETAILS.approvals!.filter((a) => a.approvalType === 'instructorCapacity');
    expect(event).toMatchObject({ id: detailed.meetings[0].id, title: 'Lecture', workLoad: 3, approvals: standing });
    expect(event.locations).toEqual([{ location: { type: 'room', room: { id: room.sis_key } } }, ...EVENT_DETAILS.otherLocations!]);
    expect(sis.sim.store.section(detailed.id).meetings).toEqual([
      expect.objectContaining({ startTime: '07:30', endTime: '08:20', roomId: room.sis_key, event: { ...EVENT_DETAILS, approvals: standing } }),
    ]);
    expect((await hubSection(detailed.id)).meetings).toEqual([expect.objectContaining({ startTime: '07:30', endTime: '08:20', roomId: room.id })]);
  });

  it("swaps its instructors' roles and keeps each one's event, share, workload and dates in the SIS", async () => {
    const { instructors } = await hubSection(detailed.id);
    expect(instructors.map((i) => i.role)).toEqual(['primary', 'secondary']);
    await patch(detailed.id, { instructors: instructors.map((i) => ({ ...i, role: i.role === 'primary' ? 'secondary' : 'primary' })) });

    const links = await ethos<Record<string, unknown>[]>(`section-instructors?criteria=${encodeURIComponent(JSON.stringify({ section: { id: detailed.id } }))}`);
    const [first, second] = detailed.instructors;
    expect(links).toEqual([
      { id: first.id, instructor: { id: first.instructorId }, section: { id: detailed.id }, instructionalEvents: [{ id: detailed.meetings[0].id }], ...ASSIGNMENTS[0] },
      {
        id: second.id,
        instructor: { id: second.instructorId },
        section: { id: detailed.id },
        instructionalEvents: [{ id: detailed.meetings[0].id }],
        instructorRole: 'primary',
        ...ASSIGNMENTS[1],
      },
    ]);
  });
});

describe('Ethos crosslists', () => {
  it("keeps the SIS's code, waitlist and waitlist maximum when the hub adds a section and changes the shared capacity", async () => {
    const { id } = await hub.db.selectFrom('relationships').select('id').where('sis_key', '=', crosslist.id).executeTakeFirstOrThrow();
    const rel = (await hub.admin.get(`/api/v1/relationships/${id}`)).body;
    const added = await hubSection(unlinked.id);
    const res = await hub.admin.patch(`/api/v1/relationships/${id}`, {
      version: rel.version,
      sharedCapacity: 45,
      members: [...rel.members.map((m: { sectionId: string; primary: boolean }) => ({ sectionId: m.sectionId, primary: m.primary })), { sectionId: added.id, primary: false }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (let i = 0; (await hub.admin.get(`/api/v1/relationships/${id}`)).body.integrationStatus?.status === 'pending'; i++) {
      if (i > 400) throw new Error('the crosslist was never posted');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await hub.admin.get(`/api/v1/relationships/${id}`)).body.integrationStatus.status).toBe('synced');
    const inSis = await ethos<{ sections: { section: { id: string } }[] }>(`section-crosslists/${crosslist.id}`);
    const members = [...crosslist.members, { sectionId: unlinked.id, primary: false }];
    expect({ ...inSis, sections: inSis.sections.toSorted((x, y) => x.section.id.localeCompare(y.section.id)) }).toEqual({
      id: crosslist.id,
      code: 'XL2025FA017',
      sections: members
        .toSorted((x, y) => x.sectionId.localeCompare(y.sectionId))
        .map((m) => ({ section: { id: m.sectionId }, type: m.primary ? 'primary' : 'secondary' })),
      maxEnrollment: 45,
      waitlist: 'combined',
      maxWaitlist: 5,
    });
  });
});

describe('Ethos variable credits', () => {
  it("keeps the SIS's credit range on a capacity edit, and writes the hub's credits when the hub changes them", async () => {
    const section = () => ethos<{ credits: unknown[] }>(`sections/${variable.id}`);
    const range = { creditCategory: { creditType: 'institution' }, measure: 'credit', minimum: variable.credits, maximum: variable.creditsMax, increment: 1 };
    expect((await section()).credits).toEqual([range]);
    const hubView = await hubSection(variable.id);
    expect(hubView).toMatchObject({ credits: variable.credits });
    await patch(variable.id, { capacity: hubView.capacity + 2 });
    expect((await section()).credits).toEqual([range]);
    // A scheduler fixes the credits: the SIS gets exactly those.
    await patch(variable.id, { credits: variable.creditsMax });
    expect((await section()).credits).toEqual([{ creditCategory: { creditType: 'institution' }, measure: 'credit', minimum: variable.creditsMax }]);
  });
});
