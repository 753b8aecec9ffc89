// A meeting deleted, reordered or added in the hub reaches an Ethos SIS without moving what the SIS
// keeps on each instructional event (a scheduler's approvals, its title and workload, the
// instructors teaching it) onto another meeting: each meeting is written over its own event. A hub
// and an Ethos simulator over real HTTP.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimEventDetails, SimMeeting, SimSection } from '../../sis-sim/state.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, requestShapes, startPair, type Pair } from '../sis/harness.ts';
import { sql } from 'kysely';
import { up as canonicalOrder } from '../../src/db/migrations/0015_meeting_order.ts';
import { expectQuietSectionsMerge, item, merge } from './helpers.ts';
import { importAndSync, settled } from './push-helpers.ts';

/** A scheduler's overrides of every conflict check the SIS makes of the lecture. */
const LECTURE_APPROVALS = [
  { approvalType: 'roomAvailability', approvalEntity: 'user' },
  { approvalType: 'roomCapacity', approvalEntity: 'user' },
  { approvalType: 'instructorAvailability', approvalEntity: 'user' },
  { approvalType: 'instructorCapacity', approvalEntity: 'system' },
];
const LECTURE: SimEventDetails = { title: 'Lecture', workLoad: 3, approvals: LECTURE_APPROVALS };
const LAB: SimEventDetails = { title: 'Lab', workLoad: 1.5, approvals: [{ approvalType: 'instructorCapacity', approvalEntity: 'system' }] };

let sis: Pair;
let hub: Hub;
let term: string;
/** Sections the SIS holds with a lecture and a lab, each its own event and its own instructor, one per test. */
const sections: SimSection[] = [];
/** An active room neither meeting is in. */
let spareRoom: string;

interface HubMeeting {
  days: string;
  startTime: string | null;
  endTime: string | null;
  roomId: string | null;
}
interface HubInstructor {
  instructorId: string;
  role: string;
}

/** A GET of the SIS's own representation, as any Ethos client would see it. */
async function ethos<T>(resource: string, sisKey: string): Promise<T> {
  const token = await (await fetch(`${sis.sim.url}/auth`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } })).text();
  const criteria = encodeURIComponent(JSON.stringify({ section: { id: sisKey } }));
  const res = await fetch(`${sis.sim.url}/api/${resource}?criteria=${criteria}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}
/** Which events each of the section's instructors teaches, in the SIS. */
const taught = async (s: SimSection) =>
  (await ethos<{ instructionalEvents?: { id: string }[] }[]>('section-instructors', s.id)).map((l) => l.instructionalEvents?.map((e) => e.id));

const hubSection = async (sisKey: string) => {
  const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow();
  return (await hub.admin.get(`/api/v1/sections/${id}`)).body as { id: string; version: number; capacity: number; meetings: HubMeeting[]; instructors: HubInstructor[] };
};
const hubRoom = async (sisKey: string) => (await hub.db.selectFrom('rooms').select('id').where('sis_key', '=', sisKey).executeTakeFirstOrThrow()).id;

/** A registrar's edit of the section in the hub, posted; what the SIS was sent besides reads. */
async function editSection(s: SimSection, edit: (current: Awaited<ReturnType<typeof hubSection>>) => Record<string, unknown>): Promise<string[]> {
  await sis.admin('DELETE', '/requests');
  const current = await hubSection(s.id);
  const res = await hub.admin.patch(`/api/v1/sections/${current.id}`, { version: current.version, ...edit(current) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await settled(hub.admin, current.id)).status).toBe('synced');
  return (await requestShapes(sis)).filter((r) => !r.startsWith('GET '));
}
const editMeetings = (s: SimSection, edit: (meetings: HubMeeting[]) => HubMeeting[]) => editSection(s, (current) => ({ meetings: edit(current.meetings) }));

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:40' });
  const store = sis.sim.store;
  term = (await sis.admin<{ terms: { code: string }[] }>('GET', '/stats')).terms[0].code;
  const termId = Object.values(store.state.terms).find((t) => t.code === term)!.id;
  const rooms = Object.values(store.state.rooms).filter((r) => r.active);
  const [teachesLecture, teachesLab] = Object.values(store.state.instructors);
  const timed = store.sectionsOfTerm(termId).filter((s) => s.status === 'active' && s.meetings.some((m) => m.startTime !== null && m.roomId !== null));
  for (const s of timed.slice(0, 12)) {
    const m = s.meetings.find((x) => x.startTime !== null && x.roomId !== null)!;
    const lecture: SimMeeting = { ...m, days: 'MWF', startTime: '09:00', endTime: '09:50', roomId: rooms[0].id, event: LECTURE };
    const lab: SimMeeting = { ...m, id: randomUUID(), days: 'R', startTime: '14:00', endTime: '15:50', roomId: rooms[1].id, event: LAB };
    sections.push(
      store.patchSection(s.id, {
        meetings: [lecture, lab],
        instructors: [
          { id: randomUUID(), instructorId: teachesLecture.id, role: 'primary', meetingIds: [lecture.id] },
          { id: randomUUID(), instructorId: teachesLab.id, role: 'secondary', meetingIds: [lab.id] },
        ],
      }),
    );
  }
  expect(sections).toHaveLength(12);
  spareRoom = rooms[2].id;
  hub = await startHub({ sis: { kind: 'ethos', baseUrl: sis.sim.url, apiKey: API_KEY, timeoutMs: 10_000 }, runtime: { pushSweepMs: 0 } });
  await importAndSync(hub.admin, [term]);
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

let section: SimSection;
let lecture: SimMeeting;
let lab: SimMeeting;
beforeEach(() => {
  section = sections.shift()!;
  [lecture, lab] = section.meetings;
});

describe("a post of a section's meetings to Ethos", () => {
  it("deletes the first meeting's event only: the second keeps its event, with its approvals, title, workload and instructor", async () => {
    const writes = await editMeetings(section, ([, second]) => [second]);

    expect(writes).toEqual(['DELETE /api/instructional-events/:id']);
    expect(sis.sim.store.section(section.id).meetings).toEqual([lab]);
    const [event] = await ethos<Record<string, unknown>[]>('instructional-events', section.id);
    expect(event).toMatchObject({ id: lab.id, title: 'Lab', workLoad: 1.5, approvals: LAB.approvals });
    expect(await taught(section)).toEqual([[], [lab.id]]);
    expect((await hubSection(section.id)).meetings).toEqual([expect.objectContaining({ days: 'R', startTime: '14:00', endTime: '15:50' })]);
    await expectQuietSectionsMerge(hub, term);
  });

  it('writes nothing to the events when the meetings are only reordered: each keeps its own', async () => {
    const writes = await editMeetings(section, ([first, second]) => [second, first]);

    expect(writes).toEqual([]);
    expect(sis.sim.store.section(section.id).meetings).toEqual([lecture, lab]);
    expect(await taught(section)).toEqual([[lecture.id], [lab.id]]);
    // The hub keeps the registrar's order; the SIS lists its events in its own.
    expect((await hubSection(section.id)).meetings.map((m) => m.days)).toEqual(['R', 'MWF']);
    await expectQuietSectionsMerge(hub, term);
  });

  it('creates one event for a meeting added at the front and leaves the others as they were', async () => {
    const room = await hubRoom(spareRoom);
    const writes = await editMeetings(section, (meetings) => [{ ...meetings[0], days: 'S', startTime: '10:00', endTime: '11:50', roomId: room }, ...meetings]);

    expect(writes).toEqual(['POST /api/instructional-events']);
    expect(sis.sim.store.section(section.id).meetings).toEqual([
      lecture,
      lab,
      { id: expect.any(String), days: 'S', startTime: '10:00', endTime: '11:50', startDate: lecture.startDate, endDate: lecture.endDate, roomId: spareRoom },
    ]);
    expect(await taught(section)).toEqual([[lecture.id], [lab.id]]);
    expect((await hubSection(section.id)).meetings.map((m) => m.days)).toEqual(['S', 'MWF', 'R']);
    await expectQuietSectionsMerge(hub, term);
  });

  it("moves the second meeting to another room as the first is deleted: the second's event is the one rewritten", async () => {
    const room = await hubRoom(spareRoom);
    const writes = await editMeetings(section, ([, second]) => [{ ...second, roomId: room }]);

    expect(writes).toEqual(['DELETE /api/instructional-events/:id', 'PUT /api/instructional-events/:id']);
    expect(sis.sim.store.section(section.id).meetings).toEqual([{ ...lab, roomId: spareRoom }]);
    expect(await taught(section)).toEqual([[], [lab.id]]);
    await expectQuietSectionsMerge(hub, term);
  });
});

describe('meetings and instructors only reordered in the hub, once posted to Ethos', () => {
  /** The registrar's reorder of the lecture and the lab (and of their instructors), posted. */
  async function reorder() {
    const current = await hubSection(section.id);
    const res = await hub.admin.patch(`/api/v1/sections/${current.id}`, {
      version: current.version,
      meetings: [...current.meetings].reverse(),
      instructors: [...current.instructors].reverse(),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await settled(hub.admin, current.id)).status).toBe('synced');
    return current.id;
  }

  it("lets a later edit of a meeting in the SIS come into the hub, and keeps the registrar's order until then", async () => {
    const id = await reorder();
    expect((await hubSection(section.id)).meetings.map((m) => m.days)).toEqual(['R', 'MWF']);
    sis.sim.store.patchSection(section.id, { meetings: [lecture, { ...lab, roomId: spareRoom }] });

    const run = await merge(hub.admin, { types: ['sections'], terms: [term] });
    expect(item(run, 'sections').counts).toMatchObject({ updated: 1, conflicts: 0 });
    const room = await hubRoom(spareRoom);
    expect((await hubSection(section.id)).meetings).toEqual(
      expect.arrayContaining([expect.objectContaining({ days: 'R', roomId: room }), expect.objectContaining({ days: 'MWF', roomId: await hubRoom(lecture.roomId!) })]),
    );
    // Not posted back over the SIS's edit.
    expect(sis.sim.store.section(section.id).meetings[1].roomId).toBe(spareRoom);
    expect((await hub.admin.get(`/api/v1/sections/${id}/integration-status`)).body.status).toBe('synced');
    await expectQuietSectionsMerge(hub, term);
  });

  it('gives Send Updates nothing to post', async () => {
    const id = await reorder();
    await sis.admin('DELETE', '/requests');

    const run = await merge(hub.admin, { types: ['sections'], terms: [term], sendUpdates: true });
    expect(item(run, 'sections').status).toBe('succeeded');
    expect((await requestShapes(sis)).filter((r) => !r.startsWith('GET '))).toEqual([]);
    const posted = (await hub.admin.get(`/api/v1/admin/merges/${run.id}/changes?kind=updated`)).body.items as { entityId: string }[];
    expect(posted.map((r) => r.entityId)).not.toContain(id);
  });

  it('re-merges with no writes and no audit entries where the stored SIS bases hold meetings and instructors in the SIS\'s order', async () => {
    await reorder();
    // Every base as the previous version stored it: meetings and instructors in the order the SIS
    // listed them, which is not the merge's (here, the reverse of it).
    const reversed = (path: string) => sql.raw(`(select coalesce(jsonb_agg(e order by n desc), '[]'::jsonb) from jsonb_array_elements(sis_base -> '${path}') with ordinality as x(e, n))`);
    await sql`update sections set sis_base = sis_base || jsonb_build_object('meetings', ${reversed('meetings')}, 'instructors', ${reversed('instructors')})
      where sis_base is not null and (jsonb_array_length(sis_base -> 'meetings') > 1 or jsonb_array_length(sis_base -> 'instructors') > 1)`.execute(hub.db);
    await canonicalOrder(hub.db);
    await expectQuietSectionsMerge(hub, term);
  });
});

describe("a scheduler's approvals on an Ethos event, once the hub posts a change", () => {
  /** The approval types each event holds in the SIS, lecture then lab. */
  const approvals = async () => {
    const events = await ethos<{ id: string; approvals?: { approvalType: string }[] }[]>('instructional-events', section.id);
    return [lecture, lab].map((m) => events.find((e) => e.id === m.id)?.approvals);
  };
  const only = (...types: string[]) => LECTURE_APPROVALS.filter((a) => types.includes(a.approvalType));
  const lectureOnly = (change: Partial<HubMeeting>) => (meetings: HubMeeting[]) => meetings.map((m) => (m.days === 'MWF' ? { ...m, ...change } : m));

  it("moves the lecture to another room: the SIS gets it without its room approvals, so it checks the new room; its instructor's stay", async () => {
    const writes = await editMeetings(section, lectureOnly({ roomId: await hubRoom(spareRoom) }));

    expect(writes).toEqual(['PUT /api/instructional-events/:id']);
    expect(await approvals()).toEqual([only('instructorAvailability', 'instructorCapacity'), LAB.approvals]);
    expect(sis.sim.store.section(section.id).meetings[0]).toMatchObject({ roomId: spareRoom, event: { title: 'Lecture', workLoad: 3 } });
    await expectQuietSectionsMerge(hub, term);
  });

  it("moves the lecture to another time: the room's and the instructor's availability approvals go, the capacity ones stay", async () => {
    const writes = await editMeetings(section, lectureOnly({ startTime: '10:00', endTime: '10:50' }));

    expect(writes).toEqual(['PUT /api/instructional-events/:id']);
    expect(await approvals()).toEqual([only('roomCapacity', 'instructorCapacity'), LAB.approvals]);
    expect(sis.sim.store.section(section.id).meetings[0]).toMatchObject({ startTime: '10:00', endTime: '10:50', roomId: lecture.roomId });
    await expectQuietSectionsMerge(hub, term);
  });

  it('keeps every approval when the title changes: the events are not written', async () => {
    const writes = await editSection(section, () => ({ title: 'Approvals Kept' }));

    expect(writes).toEqual(['PUT /api/sections/:id']);
    expect(await approvals()).toEqual([LECTURE_APPROVALS, LAB.approvals]);
  });

  it("drops the room capacity approval when the section's capacity changes, and keeps the availability approvals", async () => {
    const writes = await editSection(section, (current) => ({ capacity: current.capacity + 25 }));

    expect(writes).toEqual(['PUT /api/instructional-events/:id', 'PUT /api/sections/:id']);
    expect(await approvals()).toEqual([only('roomAvailability', 'instructorAvailability', 'instructorCapacity'), LAB.approvals]);
    expect(sis.sim.store.section(section.id).meetings).toEqual([{ ...lecture, event: { ...LECTURE, approvals: only('roomAvailability', 'instructorAvailability', 'instructorCapacity') } }, lab]);
    await expectQuietSectionsMerge(hub, term);
  });

  it("drops the instructors' approvals on its events when another instructor teaches the section, and keeps the room's", async () => {
    const other = Object.values(sis.sim.store.state.instructors)[2];
    const { id: otherId } = await hub.db.selectFrom('instructors').select('id').where('sis_key', '=', other.id).executeTakeFirstOrThrow();
    await editSection(section, (current) => ({ instructors: current.instructors.map((i) => (i.role === 'secondary' ? { ...i, instructorId: otherId } : i)) }));

    // Which event the new instructor teaches is the SIS's to link: every event of the section loses them.
    expect(await approvals()).toEqual([only('roomAvailability', 'roomCapacity'), []]);
    await expectQuietSectionsMerge(hub, term);
  });
});
