// A meeting deleted in the hub reaches PeopleSoft without moving what the SIS keeps on each
// meeting pattern row (its CLASS_MTG_NBR, its standard meeting pattern, the instructors assigned
// to it) onto another meeting: each meeting is written over its own row. A hub and a PeopleSoft
// simulator over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import type { PsClass, PsMeetingPattern } from '../../src/sis/peoplesoft/wire.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { expectQuietSectionsMerge } from './helpers.ts';
import { importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let strm: string;
/** Classes the SIS holds with a lecture (row 1, the lecturer's) and a lab (row 2, the TA's), one per test of the hub's posts. */
const classes: number[] = [];
let lecturer: string;
let ta: string;
/** Active facilities: the lecture's, the lab's, and one neither is in. */
let facilities: string[];

interface HubMeeting {
  days: string;
  startTime: string | null;
  endTime: string | null;
  roomId: string | null;
}

/** PeopleSoft's own REST service, as the registrar's tools (or a test) use it. */
const psCall = (method: string, path: string, body?: unknown) =>
  fetch(`${sis.sim.url}${PS_BASE}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`REGISTRAR:${API_KEY}`).toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
async function ps<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await psCall(method, path, body);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
const classInSis = async (nbr: number) => (await ps<{ CLASS: PsClass }>('GET', `/terms/${strm}/classes/${nbr}`)).CLASS;

/** A meeting pattern row as a registrar enters it: days by standard pattern, one instructor. */
function pattern(nbr: number, days: string, start: string, end: string, facility: string, emplid: string, role: string, access: string, base: PsMeetingPattern) {
  const flags = { M: 'MON', T: 'TUES', W: 'WED', R: 'THURS', F: 'FRI', S: 'SAT', U: 'SUN' } as const;
  return {
    ...base,
    CLASS_MTG_NBR: nbr,
    STND_MTG_PAT: days,
    FACILITY_ID: facility,
    MEETING_TIME_START: start,
    MEETING_TIME_END: end,
    ...Object.fromEntries(Object.entries(flags).map(([letter, flag]) => [flag, days.includes(letter) ? 'Y' : 'N'])),
    CLASS_INSTR: [{ INSTR_ASSIGN_SEQ: 1, EMPLID: emplid, INSTR_ROLE: role, GRADE_RSTR_ACCESS: access }],
  };
}

/** A registrar's edit of the class's meetings in the hub, posted. */
async function hubEditsMeetings(nbr: number, edit: (meetings: HubMeeting[]) => HubMeeting[]) {
  const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', `${strm}:${nbr}`).executeTakeFirstOrThrow();
  const current = (await hub.admin.get(`/api/v1/sections/${id}`)).body;
  const res = await hub.admin.patch(`/api/v1/sections/${id}`, { version: current.version, meetings: edit(current.meetings) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await settled(hub.admin, id)).status).toBe('synced');
}
const hubRoom = async (facility: string) => (await hub.db.selectFrom('rooms').select('id').where('sis_key', '=', facility).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  sis = await startPair('peoplesoft', { seed: 'synthetic:30' });
  ({ code: term, strm } = (await sis.admin<{ terms: { code: string; strm: string }[] }>('GET', '/stats')).terms[0]);
  facilities = Object.values(sis.sim.store.state.rooms)
    .filter((r) => r.active)
    .slice(0, 3)
    .map((r) => r.facilityId);
  [lecturer, ta] = Object.values(sis.sim.store.state.instructors).map((i) => i.emplid);
  const { CLASSES } = await ps<{ CLASSES: PsClass[] }>('GET', `/terms/${strm}/classes?PAGE_SIZE=500`);
  for (const c of CLASSES.filter((x) => x.CLASS_STAT === 'A' && x.CLASS_MTG_PAT.length > 0).slice(0, 3)) {
    const [base] = c.CLASS_MTG_PAT;
    await ps('PUT', `/terms/${strm}/classes/${c.CLASS_NBR}`, {
      ...c,
      CLASS_INSTR: undefined,
      CLASS_MTG_PAT: [
        pattern(1, 'MWF', '09:00', '09:50', facilities[0], lecturer, 'PI', 'A', base),
        pattern(2, 'R', '14:00', '15:50', facilities[1], ta, 'TA', 'G', base),
      ],
    });
    classes.push(c.CLASS_NBR!);
  }
  hub = await startHub({
    sis: { kind: 'peoplesoft', baseUrl: `${sis.sim.url}${PS_BASE}`, username: 'COURSEBRIDGE', password: API_KEY, timeoutMs: 5_000 },
    runtime: { pushSweepMs: 0 },
  });
  await importAndSync(hub.admin, [term], { relationships: false });
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await sis?.sim.close();
});

describe("a post of a class's meetings to PeopleSoft", () => {
  let nbr: number;
  let lab: PsMeetingPattern;
  beforeEach(async () => {
    nbr = classes.shift()!;
    lab = (await classInSis(nbr)).CLASS_MTG_PAT[1];
  });

  it("deletes the first meeting's row only: the second keeps its row, with its number, standard pattern and TA", async () => {
    await hubEditsMeetings(nbr, ([, second]) => [second]);

    const [row, ...more] = (await classInSis(nbr)).CLASS_MTG_PAT;
    expect(more).toEqual([]);
    expect(row).toMatchObject({ CLASS_MTG_NBR: 2, STND_MTG_PAT: 'R', THURS: 'Y', FACILITY_ID: facilities[1] });
    // The lecturer, now on no meeting, joins the lab as the SIS had them: the hub did not remove them.
    expect(row.CLASS_INSTR!.map((i) => `${i.EMPLID} ${i.INSTR_ROLE}/${i.GRADE_RSTR_ACCESS}`)).toEqual([`${lecturer} PI/A`, `${ta} TA/G`]);
    await expectQuietSectionsMerge(hub, term);
  });

  it("moves the second meeting to another room as the first is deleted: the second's row is the one rewritten", async () => {
    const room = await hubRoom(facilities[2]);
    await hubEditsMeetings(nbr, ([, second]) => [{ ...second, roomId: room }]);

    const [row, ...more] = (await classInSis(nbr)).CLASS_MTG_PAT;
    expect(more).toEqual([]);
    expect(row).toEqual({ ...lab, FACILITY_ID: facilities[2], CLASS_INSTR: expect.any(Array) });
    expect(row.CLASS_INSTR!.map((i) => `${i.EMPLID} ${i.INSTR_ROLE}/${i.GRADE_RSTR_ACCESS}`)).toEqual([`${lecturer} PI/A`, `${ta} TA/G`]);
    await expectQuietSectionsMerge(hub, term);
  });
});

// Last: a registrar's edit here is a change the merges above would take.
describe('PeopleSoft (simulator) meeting pattern numbers', () => {
  it('keeps each row\'s CLASS_MTG_NBR, numbers a row sent without one with the lowest free number, and refuses one number twice', async () => {
    const nbr = classes.pop()!;
    const c = await classInSis(nbr);
    const [lecture, lab] = c.CLASS_MTG_PAT;
    const unnumbered = { ...lab, CLASS_MTG_NBR: undefined };
    await ps('PUT', `/terms/${strm}/classes/${nbr}`, { ...c, CLASS_MTG_PAT: [{ ...lab, CLASS_MTG_NBR: 7 }, unnumbered, lecture] });
    expect((await classInSis(nbr)).CLASS_MTG_PAT.map((p) => p.CLASS_MTG_NBR)).toEqual([7, 2, 1]);

    const twice = await psCall('PUT', `/terms/${strm}/classes/${nbr}`, { ...c, CLASS_MTG_PAT: [lecture, { ...lab, CLASS_MTG_NBR: 1 }] });
    expect(twice.status).toBe(400);
    expect((await twice.json()).MSGS).toEqual([expect.objectContaining({ FIELDNAME: 'CLASS_MTG_NBR' })]);
  });
});
