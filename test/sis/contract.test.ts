// The connector contract, run over real HTTP against the simulator in each dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PS_BASE } from '../../sis-sim/peoplesoft.ts';
import { SisError } from '../../src/sis/errors.ts';
import type { SisCourse, SisInstructor, SisRelationshipInput, SisRoom, SisSectionInput, SisTerm } from '../../src/sis/model.ts';
import { collect, startPair, type Dialect, type Pair } from './harness.ts';

async function expectSisError(promise: Promise<unknown>, code: SisError['code']): Promise<SisError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SisError);
  expect((error as SisError).code).toBe(code);
  return error as SisError;
}

describe.each<Dialect>(['ethos', 'peoplesoft'])('%s connector against the simulator', (dialect) => {
  let pair: Pair;
  let term: SisTerm;
  let course: SisCourse;
  let rooms: SisRoom[];
  let instructors: SisInstructor[];
  const sectionsPath = dialect === 'ethos' ? '/api/sections' : `${PS_BASE}/terms`;
  const writer = () => pair.connector.writer!;

  const input = (sectionNumber: string, overrides: Partial<SisSectionInput> = {}): SisSectionInput => {
    const part = term.parts.find((p) => p.code === '1')!;
    return {
      termKey: term.key,
      courseKey: course.key,
      sectionNumber,
      component: 'LEC',
      status: 'active',
      capacity: 40,
      instructionMode: 'in_person',
      campus: 'MAIN',
      partOfTerm: '1',
      title: 'Contract Test',
      credits: null,
      meetings: [
        { days: 'MWF', startTime: '09:00', endTime: '09:50', startDate: part.startsOn, endDate: part.endsOn, roomKey: rooms[0].key, weekInterval: 1 },
        { days: 'R', startTime: '14:00', endTime: '15:50', startDate: part.startsOn, endDate: part.endsOn, roomKey: rooms[1].key, weekInterval: 1 },
      ],
      instructors: [
        { instructorKey: instructors[0].key, role: 'primary' },
        { instructorKey: instructors[1].key, role: 'secondary' },
      ],
      ...overrides,
    };
  };
  /** What the SIS holds after a write of `i`: its enrollment, and the number it gave the section (CRN, CLASS_NBR). */
  const stored = (i: SisSectionInput) => ({ ...i, enrolled: dialect === 'ethos' ? null : 0, sisNumber: expect.stringMatching(/^\d+$/) });
  /** The number the simulator gave the section of a key, as registrars see it. */
  const crnOf = (sisKey: string) => (dialect === 'ethos' ? pair.sim.store.state.sections[sisKey].crn : sisKey.split(':')[1]);
  const sameNaturalKey = (sectionNumber: string) =>
    pair.admin<unknown[]>('GET', `/sections?term=${term.code}&subject=${course.subject}&number=${course.number}&section=${sectionNumber}`);
  const fault = (rule: Record<string, unknown>) => pair.admin('PUT', '/faults', { seed: 7, rules: [rule] });

  beforeAll(async () => {
    pair = await startPair(dialect);
    const c = pair.connector;
    await c.testConnection();
    term = (await c.listTerms()).find((t) => t.code === '2025-fa')!;
    course = (await collect(c.courses(term.key))).items.find((x) => x.creditsMax === null)!;
    rooms = (await collect(c.rooms())).items.filter((r) => r.active);
    instructors = (await collect(c.instructors())).items;
  });
  afterAll(async () => {
    await pair.sim.close();
  });

  it('reads terms, parts of term and reference data', async () => {
    expect(term).toMatchObject({ name: 'Fall 2025', startsOn: '2025-08-25', endsOn: '2025-12-12' });
    expect(term.parts.map((p) => p.code).sort()).toEqual(['1', 'A', 'B']);
    expect(rooms.length).toBeGreaterThan(10);
    expect((await collect(pair.connector.buildings())).items.length).toBe(20);
    expect((await collect(pair.connector.departments())).items.length).toBe(40);
    expect(instructors.length).toBe(50);
    expect(pair.connector.capabilities.mergeOrder[0]).toBe(dialect === 'ethos' ? 'courses' : 'sections');
    expect(pair.connector.capabilities.sisKeysArriveLater).toBe(dialect === 'peoplesoft');
  });

  it('reads every section of a term with its meetings and instructors', async () => {
    const { items } = await collect(pair.connector.sections(term.key));
    expect(items).toHaveLength(200);
    const simTerm = Object.values(pair.sim.store.state.terms).find((t) => t.code === '2025-fa')!;
    const simSections = pair.sim.store.sectionsOfTerm(simTerm.id);
    expect(items.reduce((n, s) => n + s.meetings.length, 0)).toBe(simSections.reduce((n, s) => n + s.meetings.length, 0));
    expect(items.reduce((n, s) => n + s.instructors.length, 0)).toBe(simSections.reduce((n, s) => n + s.instructors.length, 0));
    // Each with the number registrars know it by: Banner's CRN (an Ethos alternate id), PeopleSoft's CLASS_NBR.
    expect(items.map((s) => s.sisNumber).sort()).toEqual(simSections.map((s) => s.crn).sort());
    for (const s of items.slice(0, 5)) expect(s.sisNumber).toBe(crnOf(s.key));
    const one = await pair.connector.getSection(items[3].key);
    expect(one).toEqual(items[3]);
  });

  it('creates, updates and cancels a section; delete is refused by the SIS', async () => {
    const created = await writer().createSection(input('Z01'));
    expect(created.sisKey).toBeTruthy();
    expect(created.record).toEqual(stored(input('Z01')));
    expect(created.record.sisNumber).toBe(crnOf(created.sisKey!));
    expect(await pair.connector.getSection(created.sisKey!)).toEqual({ key: created.sisKey, ...stored(input('Z01')) });

    const changed = input('Z01', {
      capacity: 55,
      title: 'Renamed',
      meetings: [{ ...input('Z01').meetings[0], days: 'TR', startTime: '10:00', endTime: '11:15' }],
      instructors: [{ instructorKey: instructors[2].key, role: 'primary' }],
    });
    const updated = await writer().updateSection(created.sisKey!, changed);
    expect(updated).toEqual({ sisKey: created.sisKey, record: stored(changed) });
    expect(await pair.connector.getSection(created.sisKey!)).toEqual({ key: created.sisKey, ...stored(changed) });

    const cancelled = await writer().cancelSection(created.sisKey!);
    expect(cancelled.record.status).toBe('cancelled');
    expect(cancelled.record.capacity).toBe(55);

    const refused = await expectSisError(writer().deleteSection(created.sisKey!), 'not_supported');
    expect(refused.retryable).toBe(false);
    expect((await pair.connector.getSection(created.sisKey!))?.status).toBe('cancelled');
  });

  it('holds a meeting every other week where the SIS can (Ethos repeat rules); PeopleSoft says it cannot', async () => {
    expect(pair.connector.capabilities.meetingWeekIntervals).toBe(dialect === 'ethos');
    if (dialect !== 'ethos') return;
    const biweekly = input('Z03', { meetings: [input('Z03').meetings[0], { ...input('Z03').meetings[1], weekInterval: 2 }] });
    const created = await writer().createSection(biweekly);
    expect(created.record.meetings.map((m) => m.weekInterval)).toEqual([1, 2]);
    expect((await pair.connector.getSection(created.sisKey!))?.meetings.map((m) => m.weekInterval)).toEqual([1, 2]);
  });

  it('finds a section by its natural key', async () => {
    const created = await writer().createSection(input('Z02'));
    const found = await pair.connector.findSection(term.key, course.key, 'Z02');
    expect(found?.sisKey).toBe(created.sisKey);
    expect(await pair.connector.findSection(term.key, course.key, 'NOPE')).toBeNull();
  });

  it('reports the SIS validation rules as permanent errors with its messages', async () => {
    const credits = await expectSisError(writer().createSection(input('V01', { credits: course.credits + 1 })), 'validation');
    expect(credits.retryable).toBe(false);
    expect(credits.message).toMatch(dialect === 'ethos' ? /ORA-20100/ : /Units .* outside/);
    expect(credits.raw).toBeTruthy();
    if (dialect === 'peoplesoft') expect(credits.field).toBe('credits');

    const title = await expectSisError(writer().createSection(input('V02', { title: 'A title much longer than thirty characters' })), 'validation');
    expect(title.message).toMatch(dialect === 'ethos' ? /SSBSECT_CRSE_TITLE.*maximum: 30/ : /longer than 30/);

    const backwards = input('V03');
    backwards.meetings[0] = { ...backwards.meetings[0], startTime: '10:00', endTime: '09:00' };
    const times = await expectSisError(writer().createSection(backwards), 'validation');
    expect(times.message).toMatch(/end time/i);

    const roomId = dialect === 'ethos' ? rooms[5].key : Object.values(pair.sim.store.state.rooms).find((r) => r.facilityId === rooms[5].key)!.id;
    await pair.admin('PATCH', `/rooms/${roomId}`, { active: false });
    const inactive = input('V04');
    inactive.meetings[0] = { ...inactive.meetings[0], roomKey: rooms[5].key };
    const room = await expectSisError(writer().createSection(inactive), 'validation');
    expect(room.message).toMatch(dialect === 'ethos' ? /inactive/ : /not valid or is inactive/);
    await pair.admin('PATCH', `/rooms/${roomId}`, { active: true });

    const a = await writer().createSection(input('V05'));
    await writer().createSection(input('V06'));
    const duplicate = await expectSisError(writer().updateSection(a.sisKey!, input('V06')), 'validation');
    expect(duplicate.message).toMatch(/already exists/);
  });

  it('refuses to cancel a section with enrollments where the SIS does (PeopleSoft)', async () => {
    const created = await writer().createSection(input('E01'));
    const simTerm = Object.values(pair.sim.store.state.terms).find((t) => t.code === term.code)!;
    const crn = Object.values(pair.sim.store.state.sections).find((s) => s.termId === simTerm.id && s.number === 'E01')!.crn;
    await pair.admin('PATCH', `/sections/${term.code}/${crn}`, { enrolled: 12 });
    if (dialect === 'peoplesoft') {
      const error = await expectSisError(writer().cancelSection(created.sisKey!), 'validation');
      expect(error.message).toMatch(/12 students are enrolled/);
      expect(error.field).toBe('status');
    } else {
      expect((await writer().cancelSection(created.sisKey!)).record.status).toBe('cancelled');
    }
  });

  it('creates, updates, reads and deletes a relationship', async () => {
    const kind = dialect === 'ethos' ? 'crosslist' : 'combined';
    const other = dialect === 'ethos' ? 'combined' : 'crosslist';
    const a = await writer().createSection(input('R01'));
    const b = await writer().createSection(input('R02'));
    const rel: SisRelationshipInput = {
      termKey: term.key,
      kind,
      members: [
        { sectionKey: a.sisKey!, primary: true },
        { sectionKey: b.sisKey!, primary: false },
      ],
      sharedCapacity: 60,
    };
    const created = await writer().createRelationship(rel);
    expect(created.record).toEqual({ key: created.sisKey, ...rel });
    const again = await writer().createRelationship(rel);
    expect(again.sisKey).toBe(created.sisKey);

    const updated = await writer().updateRelationship(created.sisKey!, { ...rel, sharedCapacity: 80 });
    expect(updated.record.sharedCapacity).toBe(80);
    const { items } = await collect(pair.connector.relationships(term.key));
    expect(items.find((r) => r.key === created.sisKey)).toEqual({ key: created.sisKey, ...rel, sharedCapacity: 80 });
    expect(await pair.connector.getRelationship(created.sisKey!, term.key)).toEqual({ key: created.sisKey, ...rel, sharedCapacity: 80 });

    await writer().deleteRelationship(created.sisKey!);
    expect((await collect(pair.connector.relationships(term.key))).items.some((r) => r.key === created.sisKey)).toBe(false);
    expect(await pair.connector.getRelationship(created.sisKey!, term.key)).toBeNull();

    await expectSisError(writer().createRelationship({ ...rel, kind: other }), 'not_supported');
  });

  it('finds a create whose response was lost instead of creating it twice', async () => {
    await fault({ kind: 'lost_response', methods: ['POST'], pathPrefix: sectionsPath, remaining: 1 });
    const lost = await expectSisError(writer().createSection(input('X01')), 'network');
    expect(lost.retryable).toBe(true);
    expect(await sameNaturalKey('X01')).toHaveLength(1);

    const retried = await writer().createSection(input('X01'));
    expect(retried.sisKey).toBeTruthy();
    expect(retried.record).toEqual(stored(input('X01')));
    expect(await sameNaturalKey('X01')).toHaveLength(1);
  });

  it('tells a missing section apart from an error', async () => {
    const missing = dialect === 'ethos' ? '33333333-3333-4333-8333-333333333333' : `${term.key}:99999`;
    expect(await pair.connector.getSection(missing)).toBeNull();
    const error = await expectSisError(writer().updateSection(missing, input('M01')), 'not_found');
    expect(error.retryable).toBe(false);
  });

  it('never takes over a different section that has the same number', async () => {
    const seeded = (await collect(pair.connector.sections(term.key))).items.find((s) => s.sectionNumber !== '')!;
    const { key: _key, enrolled: _enrolled, sisNumber: _sisNumber, ...theirs } = seeded;
    const error = await expectSisError(writer().createSection({ ...theirs, capacity: theirs.capacity + 1 }), 'conflict');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/already exists in the SIS .* with different capacity/);
    expect((await pair.connector.getSection(seeded.key))?.capacity).toBe(seeded.capacity);
  });

  it('finds a relationship whose create response was lost', async () => {
    const kind = dialect === 'ethos' ? 'crosslist' : 'combined';
    const a = await writer().createSection(input('X02'));
    const b = await writer().createSection(input('X03'));
    const rel: SisRelationshipInput = {
      termKey: term.key,
      kind,
      members: [
        { sectionKey: a.sisKey!, primary: true },
        { sectionKey: b.sisKey!, primary: false },
      ],
      sharedCapacity: null,
    };
    await fault({ kind: 'lost_response', methods: ['POST'], pathPrefix: dialect === 'ethos' ? '/api/section-crosslists' : PS_BASE, remaining: 1 });
    await expectSisError(writer().createRelationship(rel), 'network');
    const retried = await writer().createRelationship(rel);
    const { items } = await collect(pair.connector.relationships(term.key));
    expect(items.filter((r) => r.members.some((m) => m.sectionKey === a.sisKey))).toEqual([retried.record]);
  });

  describe('transient failures', () => {
    let key: string;
    beforeAll(async () => {
      key = (await collect(pair.connector.sections(term.key))).items[0].key;
    });

    it('429 with Retry-After: retryable, delay exposed', async () => {
      await fault({ kind: 'rate_limit', retryAfterSeconds: 7, remaining: 1 });
      const error = await expectSisError(pair.connector.getSection(key), 'rate_limited');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(7000);
      expect(error.status).toBe(429);
      expect(await pair.connector.getSection(key)).not.toBeNull();
    });

    it('5xx, maintenance 503, connection reset and timeout are retryable', async () => {
      await fault({ kind: 'server_error', remaining: 1 });
      expect((await expectSisError(pair.connector.getSection(key), 'server_error')).retryable).toBe(true);
      await fault({ kind: 'maintenance', retryAfterSeconds: 120, remaining: 1 });
      const maintenance = await expectSisError(pair.connector.getSection(key), 'unavailable');
      expect(maintenance).toMatchObject({ retryable: true, retryAfterMs: 120_000, status: 503 });
      await fault({ kind: 'reset', remaining: 1 });
      expect((await expectSisError(pair.connector.getSection(key), 'network')).retryable).toBe(true);
      await fault({ kind: 'timeout', remaining: 1 });
      const impatient = pair.connect({ timeoutMs: 300 });
      expect((await expectSisError(impatient.getSection(key), 'timeout')).retryable).toBe(true);
      await pair.admin('DELETE', '/faults');
    });

    it('refuses bad credentials permanently', async () => {
      const wrong = pair.connect(dialect === 'ethos' ? { apiKey: 'wrong' } : { password: 'wrong' });
      const error = await expectSisError(wrong.testConnection(), 'unauthorized');
      expect(error.retryable).toBe(false);
    });
  });
});

describe('Ethos token refresh', () => {
  it('re-authenticates once when the token has expired', async () => {
    const pair = await startPair('ethos');
    try {
      await pair.connector.testConnection();
      pair.advance(6 * 60_000);
      await pair.connector.testConnection();
      await pair.admin('POST', '/tokens/expire');
      expect((await pair.connector.listTerms()).length).toBe(3);
    } finally {
      await pair.sim.close();
    }
  });
});

describe('PeopleSoft CLASS_NBR assigned later', () => {
  it('returns no SIS key until the SIS publishes the class number', async () => {
    const pair = await startPair('peoplesoft', { crnDelayMs: 8 * 3_600_000 });
    try {
      const c = pair.connector;
      const term = (await c.listTerms())[0];
      const sample = (await collect(c.sections(term.key))).items[0];
      const { key: _key, enrolled: _enrolled, sisNumber: _sisNumber, ...base } = sample;
      const input = { ...base, sectionNumber: 'N01', title: null, credits: null };
      const created = await c.writer!.createSection(input);
      expect(created.sisKey).toBeNull();
      expect((await c.findSection(term.key, input.courseKey, 'N01'))?.sisKey).toBeNull();
      expect((await collect(c.sections(term.key))).items).toHaveLength(200);
      // A retried create finds the pending class instead of adding a second one.
      expect((await c.writer!.createSection(input)).sisKey).toBeNull();

      pair.advance(8 * 3_600_000);
      const found = await c.findSection(term.key, input.courseKey, 'N01');
      expect(found?.sisKey).toMatch(new RegExp(`^${term.key}:\\d+$`));
      expect((await collect(c.sections(term.key))).items).toHaveLength(201);
      expect((await c.getSection(found!.sisKey!))?.sectionNumber).toBe('N01');
    } finally {
      await pair.sim.close();
    }
  });
});
