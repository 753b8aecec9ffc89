// Posting to PeopleSoft: a created class has no CLASS_NBR until it is published (sisKeysArriveLater),
// PeopleSoft refuses to cancel a class with enrollment, and a write keeps what the SIS holds
// beyond the hub's model (PeopleSoft replaces the whole class on every write).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import { DAY_FLAGS } from '../../src/sis/peoplesoft/mapping.ts';
import type { PsClass, PsCombined, PsCourse } from '../../src/sis/peoplesoft/wire.ts';
import { startHub, type Hub } from '../helpers/hub.ts';
import { API_KEY, startPair, type Pair } from '../sis/harness.ts';
import { drained, expectSisEqualsHub, importAndSync, settled } from './push-helpers.ts';

let sis: Pair;
let hub: Hub;
let term: string;
let strm: string;
/** What a registrar gave SIS-only values before the hub imported it: classes by CLASS_NBR, instructors by EMPLID, a combined section by id. */
const seeded = { stopped: 0, variableCredits: 0, lab: 0, ta: '', newcomer: '', combined: '', joiner: 0 };

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
  const { SCTN_CMBND } = await ps<{ SCTN_CMBND: PsCombined[] }>('GET', `/terms/${strm}/combined-sections`);
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
  // A lecture and a lab, each chosen by standard meeting pattern: the lecturer posts grades, a
  // TA teaches only the lab and only enters grades.
  seeded.lab = take((c) => c.CLASS_MTG_PAT.length === 2 && c.CLASS_MTG_PAT[0].CLASS_INSTR?.length === 1);
  const { INSTR_TBL } = await ps<{ INSTR_TBL: { EMPLID: string }[] }>('GET', '/instructors?PAGE_SIZE=500');
  const lecturer = (await classInSis(seeded.lab)).CLASS_MTG_PAT[0].CLASS_INSTR![0].EMPLID;
  [seeded.ta, seeded.newcomer] = INSTR_TBL.map((i) => i.EMPLID).filter((e) => e !== lecturer);
  await registrarEdits(seeded.lab, (c) => ({
    ...c,
    CLASS_MTG_PAT: c.CLASS_MTG_PAT.map((p, n) => ({
      ...p,
      STND_MTG_PAT: DAY_FLAGS.filter(([, flag]) => p[flag] === 'Y').map(([letter]) => letter).join(''),
      CLASS_INSTR: [
        { INSTR_ASSIGN_SEQ: 1, EMPLID: lecturer, INSTR_ROLE: 'PI', GRADE_RSTR_ACCESS: 'P' },
        ...(n === 1 ? [{ INSTR_ASSIGN_SEQ: 2, EMPLID: seeded.ta, INSTR_ROLE: 'TA', GRADE_RSTR_ACCESS: 'G' }] : []),
      ],
    })),
  }));
  // A combined section's own waitlist cap, and a class to join it later.
  seeded.combined = SCTN_CMBND[0].SCTN_COMBINED_ID;
  await ps('PUT', `/terms/${strm}/combined-sections/${seeded.combined}`, { ...SCTN_CMBND[0], WAIT_CAP: 25 });
  seeded.joiner = take(() => true);
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
    // What the SIS answered with: the class number registrars know it by, and nobody enrolled yet.
    expect(section).toMatchObject({ sisNumber: section.sisKey.split(':')[1], enrolled: 0 });
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
      .where('sections.sis_key', 'not in', [seeded.stopped, seeded.variableCredits, seeded.lab, seeded.joiner].map((nbr) => `${strm}:${nbr}`))
      .executeTakeFirstOrThrow();
    const res = await hub.admin.post(`/api/v1/sections/${enrolled.id}/cancel`, { version: enrolled.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const status = await settled(hub.admin, enrolled.id);
    expect(status.status).toBe('error');
    expect(status.messages[0]).toMatchObject({ field: 'status' });
    const health = await hub.admin.get('/api/v1/admin/integration-health');
    expect(health.body.items.find((i: { id: string }) => i.id === enrolled.id)).toMatchObject({ hint: { id: 'peoplesoft-cancel-with-enrollment' } });
  });

  it('refuses to post a meeting held every other week, naming the meeting\'s field, and leaves the class as it was', async () => {
    const section = await hub.db
      .selectFrom('sections')
      .innerJoin('terms', 'terms.id', 'sections.term_id')
      .select(['sections.id', 'sections.sis_key'])
      .where('terms.code', '=', term)
      .where('sections.status', '=', 'active')
      .where('sections.sis_key', 'not in', [seeded.stopped, seeded.variableCredits, seeded.lab, seeded.joiner].map((nbr) => `${strm}:${nbr}`))
      .where((eb) => eb.exists(eb.selectFrom('meetings').select('meetings.id').whereRef('meetings.section_id', '=', 'sections.id')))
      .orderBy('sections.sis_key')
      .executeTakeFirstOrThrow();
    const nbr = Number(section.sis_key!.split(':')[1]);
    const before = await classInSis(nbr);
    const view = (await hub.admin.get(`/api/v1/sections/${section.id}`)).body;
    const res = await hub.admin.patch(`/api/v1/sections/${section.id}`, {
      version: view.version,
      capacity: view.capacity + 1,
      // Its first meeting kept, and a second one held every other week (any class has a first: a
      // class with two is not always left by the tests before, which cancel one of theirs).
      meetings: [view.meetings[0], { ...view.meetings[0], weekInterval: 2 }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const status = await settled(hub.admin, section.id);
    expect(status).toMatchObject({ status: 'error', errorCode: 'validation' });
    expect(status.messages).toEqual([
      {
        field: 'meetings.1.weekInterval',
        code: 'validation',
        message: "Meeting 2 is held every 2 weeks, but PeopleSoft holds weekly meetings only: make it weekly, or keep this section's schedule in the SIS.",
      },
    ]);
    // Nothing went out: not the capacity either, and the meeting is not flattened to weekly.
    expect(await classInSis(nbr)).toEqual(before);
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

  it("keeps each instructor's meetings, role and grade roster access, and the standard meeting patterns, when the hub changes the capacity", async () => {
    const before = await classInSis(seeded.lab);
    await hubEdits(seeded.lab, { patch: { capacity: 46 } });
    const after = await classInSis(seeded.lab);
    expect(after.ENRL_CAP).toBe(46);
    expect(after.CLASS_MTG_PAT).toEqual(before.CLASS_MTG_PAT);
    expect(after.CLASS_MTG_PAT.map((p) => p.CLASS_INSTR!.map((i) => `${i.INSTR_ROLE}/${i.GRADE_RSTR_ACCESS}`))).toEqual([['PI/P'], ['PI/P', 'TA/G']]);
  });

  it('lays the hub\'s change of one meeting and of the instructors over what the SIS holds', async () => {
    const before = await classInSis(seeded.lab);
    const { id } = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', `${strm}:${seeded.lab}`).executeTakeFirstOrThrow();
    const view = (await hub.admin.get(`/api/v1/sections/${id}`)).body;
    const hubId = async (emplid: string) => (await hub.db.selectFrom('instructors').select('id').where('sis_key', '=', emplid).executeTakeFirstOrThrow()).id;
    const [lecturer, ta] = [await hubId(before.CLASS_MTG_PAT[0].CLASS_INSTR![0].EMPLID), await hubId(seeded.ta)];
    // The hub lists meetings in an order of its own: the lecture and the lab are found by content.
    const daysOf = (p: PsClass['CLASS_MTG_PAT'][number]) => DAY_FLAGS.filter(([, flag]) => p[flag] === 'Y').map(([letter]) => letter).join('');
    const [hubLecture, hubLab] = before.CLASS_MTG_PAT.map(
      (p) => (view.meetings as { days: string; startTime: string | null }[]).find((m) => m.days === daysOf(p) && m.startTime === p.MEETING_TIME_START?.slice(0, 5))!,
    );
    expect(hubLecture).not.toBe(hubLab);
    const labDays = hubLab.days === 'F' ? 'M' : 'F';
    await hubEdits(seeded.lab, {
      patch: {
        // The lab moves to another day, a Saturday meeting is added, the TA becomes a primary
        // instructor and a newcomer joins.
        meetings: [hubLecture, { ...hubLab, days: labDays }, { ...hubLecture, days: 'S', startTime: '08:00', endTime: '08:50', roomId: null }],
        instructors: [
          { instructorId: lecturer, role: 'primary' },
          { instructorId: ta, role: 'primary' },
          { instructorId: await hubId(seeded.newcomer), role: 'secondary' },
        ],
      },
    });
    const [lecture, lab, saturday] = (await classInSis(seeded.lab)).CLASS_MTG_PAT;
    const rows = (p: typeof lecture) => p.CLASS_INSTR!.map((i) => `${i.EMPLID} ${i.INSTR_ROLE}/${i.GRADE_RSTR_ACCESS}`);
    const lecturerRow = rows(before.CLASS_MTG_PAT[0])[0];
    // The lecture is as it was, with the newcomer, who may enter grades but not approve them.
    expect({ ...lecture, CLASS_INSTR: undefined }).toEqual({ ...before.CLASS_MTG_PAT[0], CLASS_INSTR: undefined });
    expect(rows(lecture)).toEqual([lecturerRow, `${seeded.newcomer} SI/G`]);
    // The lab's days changed, so its standard pattern no longer names them.
    expect(DAY_FLAGS.filter(([, flag]) => lab[flag] === 'Y').map(([letter]) => letter).join('')).toBe(labDays);
    expect(lab).toMatchObject({ STND_MTG_PAT: '', MEETING_TIME_START: before.CLASS_MTG_PAT[1].MEETING_TIME_START });
    expect(rows(lab)).toEqual([lecturerRow, `${seeded.ta} PI/A`, `${seeded.newcomer} SI/G`]);
    // The new meeting has those who teach every meeting, not the lab's TA.
    expect(saturday).toMatchObject({ SAT: 'Y', MEETING_TIME_START: '08:00', STND_MTG_PAT: '', FACILITY_ID: '' });
    expect(rows(saturday)).toEqual([lecturerRow, `${seeded.newcomer} SI/G`]);
    // And the hub reads the class back as it sent it.
    await expectSisEqualsHub(hub.db, sis.connector, [id]);
  });

  it("keeps a combined section's waitlist cap when the hub changes its shared capacity or its members", async () => {
    // Relationships were imported but not posted so far.
    const current = (await hub.admin.get('/api/v1/admin/merge-settings')).body;
    current.settings.types.relationships.enabled = true;
    const on = await hub.admin.put('/api/v1/admin/merge-settings', { version: current.version, settings: current.settings, comment: null });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const combinedInSis = async () => (await ps<{ SCTN_CMBND: PsCombined }>('GET', `/terms/${strm}/combined-sections/${seeded.combined}`)).SCTN_CMBND;
    const { id } = await hub.db.selectFrom('relationships').select('id').where('sis_key', '=', `${strm}:${seeded.combined}`).executeTakeFirstOrThrow();
    const hubEditsRelationship = async (patch: Record<string, unknown>) => {
      const { version } = (await hub.admin.get(`/api/v1/relationships/${id}`)).body;
      const res = await hub.admin.patch(`/api/v1/relationships/${id}`, { version, ...patch });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      for (let i = 0; i < 400; i++) {
        const view = (await hub.admin.get(`/api/v1/relationships/${id}`)).body;
        if (view.integrationStatus?.status !== 'pending' && view.integrationStatus?.status !== undefined) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await hub.admin.get(`/api/v1/relationships/${id}`)).body.integrationStatus).toMatchObject({ status: 'synced' });
      return res.body;
    };

    const edited = await hubEditsRelationship({ sharedCapacity: 90 });
    expect(await combinedInSis()).toMatchObject({ ENRL_CAP: 90, WAIT_CAP: 25 });

    const joiner = await hub.db.selectFrom('sections').select('id').where('sis_key', '=', `${strm}:${seeded.joiner}`).executeTakeFirstOrThrow();
    await hubEditsRelationship({ members: [...edited.members, { sectionId: joiner.id, primary: false }] });
    const after = await combinedInSis();
    expect(after).toMatchObject({ ENRL_CAP: 90, WAIT_CAP: 25 });
    expect(after.CLASSES.map((c) => c.CLASS_NBR)).toContain(seeded.joiner);
    expect(after.CLASSES).toHaveLength(3);
  });
});
