// What an Ethos section write sends, read from the simulator's request log over real HTTP: the
// three resources are read together, only what differs from that read is written, and nothing a
// write answered is read again.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SisSection, SisSectionInput } from '../../src/sis/model.ts';
import { readable, requestShapes, startPair, type Pair } from './harness.ts';

let sis: Pair;
let sections: SisSection[];
let next = 0;

beforeAll(async () => {
  sis = await startPair('ethos', { seed: 'synthetic:60' });
  const term = (await sis.connector.listTerms())[0];
  sections = [];
  for await (const page of sis.connector.sections(term.key)) sections.push(...readable(page));
});

afterAll(async () => {
  await sis?.sim.close();
});

beforeEach(async () => {
  // Code tables and the token are read once per connector; read them before the log is cleared.
  await sis.connector.getSection(sections[0].key);
  await sis.admin('DELETE', '/requests');
});

/** A section of the given shape not used by an earlier test. */
function take(where: (s: SisSection) => boolean): SisSection {
  const found = sections.slice(next).find(where);
  if (!found) throw new Error('no such section in the seed');
  next = sections.indexOf(found) + 1;
  return found;
}

/** A section of the seed given two meetings in the SIS, a lecture and a lab, each its own event: their event ids. */
function withTwoMeetings(): { key: string; events: string[] } {
  const s = take((x) => x.meetings.length > 0 && x.meetings[0].startTime !== null);
  const [lecture] = sis.sim.store.section(s.key).meetings;
  const lab = { ...lecture, id: randomUUID(), days: 'R', startTime: '14:00', endTime: '15:50' };
  sis.sim.store.patchSection(s.key, { meetings: [lecture, lab] });
  return { key: s.key, events: [lecture.id, lab.id] };
}

const input = (s: SisSection, changes: Partial<SisSectionInput>): SisSectionInput => {
  const { key: _key, enrolled: _enrolled, ...rest } = s;
  return { ...rest, ...changes };
};

describe('Ethos section writes', () => {
  it('reads a section, its events and its instructors at once', async () => {
    const s = take(() => true);
    await sis.connector.getSection(s.key);
    expect(await requestShapes(sis)).toEqual(['GET /api/instructional-events', 'GET /api/section-instructors', 'GET /api/sections/:id']);
  });

  it('changes the capacity with one PUT of the section: no event or instructor writes, nothing read again', async () => {
    const s = take((x) => x.meetings.length > 0 && x.instructors.length > 0);
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { capacity: seen.capacity + 5 }), seen);
    expect(await requestShapes(sis)).toEqual(['PUT /api/sections/:id']);
    const now = await sis.connector.getSection(s.key);
    expect(now!.capacity).toBe(seen.capacity + 5);
    expect({ key: s.key, ...result.record }).toEqual(now);
  });

  it('moves one meeting with one PUT of its event: the section and the other events are not written', async () => {
    const s = take((x) => x.meetings.length > 1 && x.meetings[0].startTime !== null);
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const meetings = seen.meetings.map((m, i) => (i === 0 ? { ...m, startTime: '07:05', endTime: '07:55' } : m));
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { meetings }), seen);
    expect(await requestShapes(sis)).toEqual(['PUT /api/instructional-events/:id']);
    const now = await sis.connector.getSection(s.key);
    expect(now!.meetings).toEqual(meetings);
    expect({ key: s.key, ...result.record }).toEqual(now);
  });

  it('adds a meeting and an instructor in order, and reads only those collections again', async () => {
    const s = take((x) => x.meetings.length > 0 && x.instructors.length > 0);
    const other = sections.flatMap((x) => x.instructors).find((i) => !s.instructors.some((j) => j.instructorKey === i.instructorKey))!;
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const meetings = [...seen.meetings, { ...seen.meetings[0], days: 'S', startTime: '08:00', endTime: '08:50' }];
    const instructors = [...seen.instructors, { instructorKey: other.instructorKey, role: 'secondary' as const }];
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { meetings, instructors }), seen);
    expect(await requestShapes(sis)).toEqual([
      'GET /api/instructional-events',
      'GET /api/section-instructors',
      'POST /api/instructional-events',
      'POST /api/section-instructors',
    ]);
    const now = await sis.connector.getSection(s.key);
    expect(now!.meetings).toEqual(meetings);
    expect(now!.instructors).toEqual(instructors);
    expect({ key: s.key, ...result.record }).toEqual(now);
  });

  it('deletes the first of two meetings with one DELETE of its event: the second meeting keeps its own event', async () => {
    const s = withTwoMeetings();
    const second = s.events[1];
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { meetings: [seen.meetings[1]] }), seen);
    expect(await requestShapes(sis)).toEqual(['DELETE /api/instructional-events/:id', 'GET /api/instructional-events']);
    expect(sis.sim.store.section(s.key).meetings.map((m) => m.id)).toEqual([second]);
    const now = await sis.connector.getSection(s.key);
    expect(now!.meetings).toEqual([seen.meetings[1]]);
    expect({ key: s.key, ...result.record }).toEqual(now);
  });

  it("writes nothing when the meetings are only reordered, and answers them in the SIS's order", async () => {
    const s = withTwoMeetings();
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { meetings: seen.meetings.toReversed() }), seen);
    expect(await requestShapes(sis)).toEqual([]);
    expect({ key: s.key, ...result.record }).toEqual(await sis.connector.getSection(s.key));
    expect(result.record.meetings).toEqual(seen.meetings);
  });

  it('adds a meeting at the front with one POST: the meetings there keep their events, unwritten', async () => {
    const s = withTwoMeetings();
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const added = { ...seen.meetings[0], days: 'S', startTime: '08:00', endTime: '08:50' };
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, { meetings: [added, ...seen.meetings] }), seen);
    expect(await requestShapes(sis)).toEqual(['GET /api/instructional-events', 'POST /api/instructional-events']);
    expect(sis.sim.store.section(s.key).meetings.map((m) => m.id).slice(0, 2)).toEqual(s.events);
    const now = await sis.connector.getSection(s.key);
    expect(now!.meetings).toEqual([...seen.meetings, added]);
    expect({ key: s.key, ...result.record }).toEqual(now);
  });

  it('reads the section first when the caller has no state of it from this connector', async () => {
    const s = take(() => true);
    const result = await sis.connector.writer!.updateSection(s.key, input(s, { capacity: s.capacity + 1 }));
    expect(await requestShapes(sis)).toEqual(['GET /api/instructional-events', 'GET /api/section-instructors', 'GET /api/sections/:id', 'PUT /api/sections/:id']);
    expect(result.record.capacity).toBe(s.capacity + 1);
  });

  it('writes nothing when the input equals what was read', async () => {
    const s = take(() => true);
    const seen = (await sis.connector.getSection(s.key))!;
    await sis.admin('DELETE', '/requests');
    const result = await sis.connector.writer!.updateSection(s.key, input(seen, {}), seen);
    expect(await requestShapes(sis)).toEqual([]);
    expect({ key: s.key, ...result.record }).toEqual(seen);
  });
});
