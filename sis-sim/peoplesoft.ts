// The PeopleSoft dialect: Integration Broker REST service operations speaking PS record and
// field names (sis-apis.md §3). Classes are keyed by STRM + CLASS_NBR, which the SIS assigns
// and shows only after crnDelayMs (its overnight assignment), on the simulator's clock.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SectionDraft, SimMeeting, SimSection, SimState, SimTerm } from './state.ts';
import type { SimStore } from './store.ts';
import { SimNotFoundError, SimValidationError } from './validation.ts';

export const PS_BASE = '/PSIGW/RESTListeningConnector/PSFT_CS';
const INSTITUTION = 'SIMU1';
const MODES: Record<string, string> = { in_person: 'P', online: 'OL', hybrid: 'HY' };
/** CLASS_STAT translate values: active, cancelled, stop further enrollment, tentative. */
const CLASS_STATS = new Set(['A', 'X', 'S', 'T']);
const DAY_FLAGS: [string, string][] = [
  ['M', 'MON'],
  ['T', 'TUES'],
  ['W', 'WED'],
  ['R', 'THURS'],
  ['F', 'FRI'],
  ['S', 'SAT'],
  ['U', 'SUN'],
];

export interface PsMessage {
  MSGSET: number;
  MSGNBR: number;
  SEVERITY: 'E' | 'W';
  MESSAGE_TEXT: string;
  FIELDNAME?: string;
}

export function psErrors(reply: FastifyReply, status: number, messages: PsMessage[]): FastifyReply {
  return reply.code(status).type('application/json').send({ MSGS: messages });
}

const psMessage = (text: string, fieldName?: string): PsMessage => {
  const nbr = /\((\d+),(\d+)\)\s*$/.exec(text);
  return {
    MSGSET: nbr ? Number(nbr[1]) : 14640,
    MSGNBR: nbr ? Number(nbr[2]) : 0,
    SEVERITY: 'E',
    MESSAGE_TEXT: text,
    ...(fieldName ? { FIELDNAME: fieldName } : {}),
  };
};

class PsShapeError extends Error {
  readonly fieldName: string | undefined;
  constructor(message: string, fieldName?: string) {
    super(message);
    this.fieldName = fieldName;
  }
}

export function registerPeopleSoft(app: FastifyInstance, options: { apiKey: string; store: SimStore; maxPageSize: number }): void {
  const { store } = options;
  const visible = (s: SimSection) => s.crnVisibleAt <= store.now();
  const termOf = (strm: string): SimTerm => {
    const term = Object.values(store.state.terms).find((t) => t.strm === strm);
    if (!term) throw new SimNotFoundError(`Term ${strm} does not exist. (14640,1)`);
    return term;
  };
  const classOf = (term: SimTerm, classNbr: string): SimSection => {
    const s = store.sectionByCrn(term.id, classNbr);
    if (!s || !visible(s)) throw new SimNotFoundError(`Class ${classNbr} does not exist in term ${term.strm}. (14640,2)`);
    return s;
  };

  app.register(
    async (ps) => {
      ps.addHook('onRequest', async (request, reply) => {
        const auth = request.headers.authorization ?? '';
        const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : '';
        if (decoded.slice(decoded.indexOf(':') + 1) !== options.apiKey || !decoded.includes(':')) {
          return psErrors(reply, 401, [psMessage('Invalid user ID or password for Integration Gateway. (158,5)')]);
        }
      });
      ps.setErrorHandler((error, _request, reply) => {
        if (error instanceof SimValidationError) {
          return psErrors(reply, 400, error.violations.map((v) => psMessage(v.message, v.sisField)));
        }
        if (error instanceof PsShapeError) return psErrors(reply, 400, [psMessage(error.message, error.fieldName)]);
        if (error instanceof SimNotFoundError) return psErrors(reply, 404, [psMessage(error.message)]);
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        return psErrors(reply, status, [psMessage(`Integration Broker error: ${(error as Error).message} (158,10)`)]);
      });

      const paged = <T>(request: FastifyRequest, items: T[]) => {
        const q = request.query as { PAGE?: string; PAGE_SIZE?: string };
        const size = Math.min(options.maxPageSize, Math.max(1, Number(q.PAGE_SIZE ?? options.maxPageSize) || options.maxPageSize));
        const pageNo = Math.max(1, Number(q.PAGE ?? 1) || 1);
        return { rows: items.slice((pageNo - 1) * size, pageNo * size), PAGE: pageNo, PAGE_SIZE: size, TOTAL_ROWS: items.length };
      };

      ps.get('/terms', async () => ({
        TERMS: Object.values(store.state.terms)
          .sort((a, b) => a.startsOn.localeCompare(b.startsOn))
          .map((t) => ({
            INSTITUTION,
            STRM: t.strm,
            DESCR: t.name,
            DESCRSHORT: t.code,
            TERM_BEGIN_DT: t.startsOn,
            TERM_END_DT: t.endsOn,
            SESSIONS: t.parts.map((p) => ({ SESSION_CODE: p.code, DESCR: p.name, SESS_BEGIN_DT: p.startsOn, SESS_END_DT: p.endsOn })),
          })),
      }));

      ps.get('/terms/:strm/classes', async (request) => {
        const term = termOf((request.params as { strm: string }).strm);
        const q = request.query as Record<string, string | undefined>;
        let classes = store.sectionsOfTerm(term.id);
        if (q.CRSE_ID) classes = classes.filter((s) => store.state.courses[s.courseId].crseId === q.CRSE_ID);
        if (q.CLASS_SECTION !== undefined) classes = classes.filter((s) => s.number === q.CLASS_SECTION);
        if (q.SESSION_CODE) classes = classes.filter((s) => (s.partOfTerm ?? '1') === q.SESSION_CODE);
        const { rows, ...paging } = paged(request, classes);
        return { CLASSES: rows.map((s) => renderClass(store.state, s, term, visible(s))), ...paging };
      });
      ps.get('/terms/:strm/classes/:classNbr', async (request) => {
        const { strm, classNbr } = request.params as { strm: string; classNbr: string };
        const term = termOf(strm);
        return { CLASS: renderClass(store.state, classOf(term, classNbr), term, true) };
      });
      ps.post('/terms/:strm/classes', async (request, reply) => {
        const term = termOf((request.params as { strm: string }).strm);
        const section = store.createSection(readClass(store.state, request.body as PsClass, term), 'peoplesoft');
        return reply.code(201).send({ CLASS: renderClass(store.state, section, term, visible(section)) });
      });
      ps.put('/terms/:strm/classes/:classNbr', async (request) => {
        const { strm, classNbr } = request.params as { strm: string; classNbr: string };
        const term = termOf(strm);
        const existing = classOf(term, classNbr);
        const updated = store.updateSection(existing.id, readClass(store.state, request.body as PsClass, term), 'peoplesoft');
        return { CLASS: renderClass(store.state, updated, term, true) };
      });
      ps.delete('/terms/:strm/classes/:classNbr', async (_request, reply) =>
        psErrors(reply, 405, [psMessage('Classes cannot be deleted. Set CLASS_STAT to X to cancel the class. (14640,180)', 'CLASS_STAT')]),
      );

      ps.get('/courses', async (request) => {
        const q = request.query as { CRSE_ID?: string; EFFDT_AS_OF?: string };
        const wanted = new Set((q.CRSE_ID ?? '').split(',').filter(Boolean));
        const courses = Object.values(store.state.courses).filter((c) => wanted.size === 0 || wanted.has(c.crseId));
        const acadOrg = (id: string | null) => (id ? (store.state.departments[id]?.code ?? null) : null);
        return {
          COURSES: courses.map((c) => ({
            CRSE_ID: c.crseId,
            EFFDT: '1901-01-01',
            EFF_STATUS: 'A',
            DESCR: c.title,
            DESCRLONG: c.description ?? '',
            UNITS_MINIMUM: c.credits,
            UNITS_MAXIMUM: c.creditsMax ?? c.credits,
            ACAD_ORG: acadOrg(c.departmentId),
            CRSE_OFFER: [{ CRSE_OFFER_NBR: 1, INSTITUTION, SUBJECT: c.subject, CATALOG_NBR: c.number, ACAD_ORG: acadOrg(c.departmentId) }],
          })),
        };
      });

      const renderCombined = (term: SimTerm, r: SimState['relationships'][string]) => ({
        INSTITUTION,
        STRM: term.strm,
        SCTN_COMBINED_ID: r.code,
        DESCR: r.code,
        ENRL_CAP: r.sharedCapacity ?? 0,
        WAIT_CAP: r.maxWaitlist ?? 0,
        CLASSES: [...r.members].sort((a, b) => Number(b.primary) - Number(a.primary)).map((m) => ({ CLASS_NBR: Number(store.section(m.sectionId).crn) })),
      });
      // A PUT replaces the whole combination: a WAIT_CAP left out is 0 (no waitlist).
      const readCombined = (term: SimTerm, body: { ENRL_CAP?: number; WAIT_CAP?: unknown; CLASSES?: { CLASS_NBR?: number }[] }) => {
        const waitCap = body.WAIT_CAP ?? 0;
        if (!(typeof waitCap === 'number' && Number.isInteger(waitCap) && waitCap >= 0)) {
          throw new PsShapeError('Wait List Capacity must be a whole number, 0 or more. (14640,70)', 'WAIT_CAP');
        }
        return {
          termId: term.id,
          kind: 'combined' as const,
          members: (body.CLASSES ?? []).map((c, i) => ({ sectionId: classOf(term, String(c.CLASS_NBR)).id, primary: i === 0 })),
          sharedCapacity: body.ENRL_CAP && body.ENRL_CAP > 0 ? body.ENRL_CAP : null,
          maxWaitlist: waitCap,
        };
      };
      const combinedOf = (term: SimTerm, id: string) => {
        const r = store.relationshipsOfTerm(term.id).find((x) => x.kind === 'combined' && x.code === id);
        if (!r) throw new SimNotFoundError(`Combined section ${id} does not exist in term ${term.strm}. (14640,3)`);
        return r;
      };
      ps.get('/terms/:strm/combined-sections', async (request) => {
        const term = termOf((request.params as { strm: string }).strm);
        const { rows, ...paging } = paged(request, store.relationshipsOfTerm(term.id).filter((r) => r.kind === 'combined'));
        return { SCTN_CMBND: rows.map((r) => renderCombined(term, r)), ...paging };
      });
      ps.get('/terms/:strm/combined-sections/:id', async (request) => {
        const { strm, id } = request.params as { strm: string; id: string };
        const term = termOf(strm);
        return { SCTN_CMBND: renderCombined(term, combinedOf(term, id)) };
      });
      ps.post('/terms/:strm/combined-sections', async (request, reply) => {
        const term = termOf((request.params as { strm: string }).strm);
        const created = store.createRelationship(readCombined(term, request.body as never));
        return reply.code(201).send({ SCTN_CMBND: renderCombined(term, created) });
      });
      ps.put('/terms/:strm/combined-sections/:id', async (request) => {
        const { strm, id } = request.params as { strm: string; id: string };
        const term = termOf(strm);
        const updated = store.updateRelationship(combinedOf(term, id).id, readCombined(term, request.body as never));
        return { SCTN_CMBND: renderCombined(term, updated) };
      });
      ps.delete('/terms/:strm/combined-sections/:id', async (request, reply) => {
        const { strm, id } = request.params as { strm: string; id: string };
        store.deleteRelationship(combinedOf(termOf(strm), id).id);
        return reply.code(204).send();
      });

      ps.get('/buildings', async (request) => {
        const { rows, ...paging } = paged(request, Object.values(store.state.buildings));
        return { BLDG_TBL: rows.map((b) => ({ BLDG_CD: b.code, DESCR: b.name, CAMPUS: b.campus ?? '' })), ...paging };
      });
      ps.get('/facilities', async (request) => {
        const { rows, ...paging } = paged(request, Object.values(store.state.rooms));
        return {
          FACILITY_TBL: rows.map((r) => ({
            FACILITY_ID: r.facilityId,
            BLDG_CD: store.state.buildings[r.buildingId]?.code ?? '',
            ROOM: r.number,
            ROOM_CAPACITY: r.capacity,
            EFF_STATUS: r.active ? 'A' : 'I',
          })),
          ...paging,
        };
      });
      ps.get('/instructors', async (request) => {
        const { rows, ...paging } = paged(request, Object.values(store.state.instructors));
        return {
          INSTR_TBL: rows.map((i) => ({
            EMPLID: i.emplid,
            NAME_DISPLAY: i.name,
            EMAIL_ADDR: i.email ?? '',
            ACAD_ORG: i.departmentId ? (store.state.departments[i.departmentId]?.code ?? '') : '',
          })),
          ...paging,
        };
      });
      ps.get('/acad-orgs', async (request) => {
        const { rows, ...paging } = paged(request, Object.values(store.state.departments));
        return { ACAD_ORG_TBL: rows.map((d) => ({ ACAD_ORG: d.code, DESCR: d.name })), ...paging };
      });
    },
    { prefix: PS_BASE },
  );
}

interface PsInstr {
  INSTR_ASSIGN_SEQ?: number;
  EMPLID?: string;
  INSTR_ROLE?: string;
  GRADE_RSTR_ACCESS?: string;
}
interface PsMtg {
  CLASS_MTG_NBR?: unknown;
  STND_MTG_PAT?: string;
  FACILITY_ID?: string;
  MEETING_TIME_START?: string | null;
  MEETING_TIME_END?: string | null;
  START_DT?: string | null;
  END_DT?: string | null;
  CLASS_INSTR?: PsInstr[];
  [flag: string]: unknown;
}
export interface PsClass {
  CRSE_ID?: string;
  CRSE_OFFER_NBR?: number;
  SESSION_CODE?: string;
  CLASS_SECTION?: string;
  SSR_COMPONENT?: string;
  CLASS_STAT?: string;
  ENRL_CAP?: number;
  CAMPUS?: string;
  INSTRUCTION_MODE?: string;
  DESCR?: string;
  UNITS_MINIMUM?: number | null;
  UNITS_MAXIMUM?: number | null;
  CLASS_MTG_PAT?: PsMtg[];
  CLASS_INSTR?: PsInstr[];
}

function renderClass(state: SimState, s: SimSection, term: SimTerm, crnVisible: boolean): Record<string, unknown> {
  const course = state.courses[s.courseId];
  const part = term.parts.find((p) => p.code === s.partOfTerm);
  // Assignment numbers follow the section's order of instructors, the same on every meeting.
  const instr = (links: SimSection['instructors']) =>
    links.map((l) => ({
      INSTR_ASSIGN_SEQ: s.instructors.indexOf(l) + 1,
      EMPLID: state.instructors[l.instructorId]?.emplid ?? '',
      INSTR_ROLE: l.roleCode ?? (l.role === 'primary' ? 'PI' : 'SI'),
      GRADE_RSTR_ACCESS: l.gradeAccess ?? 'A',
    }));
  const numbers = patternNumbers(s.meetings.map((m) => m.patternNbr));
  return {
    INSTITUTION,
    STRM: term.strm,
    SESSION_CODE: s.partOfTerm ?? '1',
    CRSE_ID: course.crseId,
    CRSE_OFFER_NBR: 1,
    CLASS_SECTION: s.number,
    CLASS_NBR: crnVisible ? Number(s.crn) : null,
    SUBJECT: course.subject,
    CATALOG_NBR: course.number,
    DESCR: s.title ?? '',
    SSR_COMPONENT: s.component,
    ASSOCIATED_CLASS: 1,
    CLASS_STAT: s.status === 'cancelled' ? 'X' : (s.statusCode ?? 'A'),
    ENRL_CAP: s.capacity,
    ENRL_TOT: s.enrolled,
    CAMPUS: s.campus ?? '',
    INSTRUCTION_MODE: MODES[s.instructionMode] ?? s.instructionMode,
    START_DT: part?.startsOn ?? term.startsOn,
    END_DT: part?.endsOn ?? term.endsOn,
    UNITS_MINIMUM: s.credits,
    UNITS_MAXIMUM: s.creditsMax ?? s.credits,
    CLASS_MTG_PAT: s.meetings.map((m, i) => ({
      CLASS_MTG_NBR: numbers[i],
      STND_MTG_PAT: m.standardPattern ?? '',
      FACILITY_ID: m.roomId ? (state.rooms[m.roomId]?.facilityId ?? '') : '',
      MEETING_TIME_START: m.startTime,
      MEETING_TIME_END: m.endTime,
      ...Object.fromEntries(DAY_FLAGS.map(([letter, flag]) => [flag, m.days.includes(letter) ? 'Y' : 'N'])),
      START_DT: m.startDate,
      END_DT: m.endDate,
      // A section has a CLASS_INSTR row per meeting pattern (SMU data dictionary, sis-apis §3.1).
      CLASS_INSTR: instr(s.instructors.filter((l) => !l.meetingIds || l.meetingIds.includes(m.id))),
    })),
    ...(s.meetings.length === 0 ? { CLASS_INSTR: instr(s.instructors) } : {}),
  };
}

function readClass(state: SimState, body: PsClass, term: SimTerm): SectionDraft {
  const course = Object.values(state.courses).find((c) => c.crseId === body.CRSE_ID);
  if (!course) throw new PsShapeError(`Course ID ${body.CRSE_ID ?? ''} does not exist. (14640,10)`, 'CRSE_ID');
  if (body.CRSE_OFFER_NBR !== undefined && body.CRSE_OFFER_NBR !== 1) {
    throw new PsShapeError(`Course offering ${body.CRSE_OFFER_NBR} does not exist for course ${course.crseId}. (14640,11)`, 'CRSE_OFFER_NBR');
  }
  if (!body.SSR_COMPONENT) throw new PsShapeError('Component is required. (14640,12)', 'SSR_COMPONENT');
  const classStat = body.CLASS_STAT ?? 'A';
  if (!CLASS_STATS.has(classStat)) throw new PsShapeError(`Class Status ${classStat} is not a valid value. (14640,13)`, 'CLASS_STAT');
  const byFacility = new Map(Object.values(state.rooms).map((r) => [r.facilityId, r]));
  const facility = (id: string): string => {
    const room = byFacility.get(id);
    if (!room) throw new PsShapeError(`Facility ID ${id} is not valid or is inactive. (14640,30)`, 'FACILITY_ID');
    return room.id;
  };
  const patterns = body.CLASS_MTG_PAT ?? [];
  const given = patterns.map((p) => {
    const nbr = p.CLASS_MTG_NBR;
    if (nbr === undefined || nbr === null) return undefined;
    if (!Number.isInteger(nbr) || (nbr as number) < 1 || (nbr as number) > 999) {
      throw new PsShapeError(`Meeting Pattern Number ${String(nbr)} must be a whole number from 1 to 999. (14640,31)`, 'CLASS_MTG_NBR');
    }
    return nbr as number;
  });
  const twice = given.find((n, i) => n !== undefined && given.indexOf(n) !== i);
  if (twice !== undefined) throw new PsShapeError(`Meeting Pattern Number ${twice} is used by more than one meeting pattern. (14640,32)`, 'CLASS_MTG_NBR');
  const numbers = patternNumbers(given);
  const meetings = patterns.map((p, n): SimMeeting => ({
    id: randomUUID(),
    patternNbr: numbers[n],
    days: DAY_FLAGS.filter(([, flag]) => p[flag] === 'Y').map(([letter]) => letter).join(''),
    startTime: p.MEETING_TIME_START || null,
    endTime: p.MEETING_TIME_END || null,
    startDate: p.START_DT || null,
    endDate: p.END_DT || null,
    roomId: p.FACILITY_ID ? facility(p.FACILITY_ID) : null,
    standardPattern: p.STND_MTG_PAT || null,
  }));
  const mode = Object.entries(MODES).find(([, code]) => code === body.INSTRUCTION_MODE)?.[0] ?? body.INSTRUCTION_MODE ?? 'in_person';
  return {
    termId: term.id,
    courseId: course.id,
    number: body.CLASS_SECTION ?? '',
    component: body.SSR_COMPONENT,
    status: classStat === 'X' ? 'cancelled' : 'active',
    // PeopleSoft replaces the whole class: a write without S or T clears them.
    statusCode: classStat === 'S' || classStat === 'T' ? classStat : null,
    capacity: body.ENRL_CAP ?? 0,
    instructionMode: mode,
    campus: body.CAMPUS || null,
    partOfTerm: body.SESSION_CODE ?? '1',
    title: body.DESCR || null,
    credits: body.UNITS_MINIMUM ?? null,
    creditsMax: body.UNITS_MAXIMUM != null && body.UNITS_MAXIMUM !== body.UNITS_MINIMUM ? body.UNITS_MAXIMUM : null,
    meetings,
    instructors: readInstructors(state, body, meetings),
  };
}

/** Each meeting pattern's CLASS_MTG_NBR: its own, else the lowest number no other pattern of the class has. */
function patternNumbers(given: (number | undefined)[]): number[] {
  const used = new Set(given);
  let next = 0;
  return given.map((n) => {
    if (n !== undefined) return n;
    while (used.has(++next));
    return next;
  });
}

/**
 * Each instructor of a class once, in the order of their lowest assignment number, with the role
 * and access of their first row and the meetings whose rows name them (a class-level row: every
 * meeting). `meetings`: the class's meetings as read, in the order of its patterns.
 */
function readInstructors(state: SimState, body: PsClass, meetings: SimMeeting[]): SectionDraft['instructors'] {
  const byEmplid = new Map(Object.values(state.instructors).map((i) => [i.emplid, i]));
  const seqOf = (row: PsInstr, i: number) => row.INSTR_ASSIGN_SEQ ?? i + 1;
  const instrRows = [
    ...(body.CLASS_INSTR ?? []).map((row, i) => ({ row, seq: seqOf(row, i), meeting: null })),
    ...(body.CLASS_MTG_PAT ?? []).flatMap((p, n) => (p.CLASS_INSTR ?? []).map((row, i) => ({ row, seq: seqOf(row, i), meeting: meetings[n].id }))),
  ];
  const lowestSeq = new Map<string | undefined, number>();
  for (const { row, seq } of instrRows) lowestSeq.set(row.EMPLID, Math.min(seq, lowestSeq.get(row.EMPLID) ?? Infinity));
  instrRows.sort((a, b) => lowestSeq.get(a.row.EMPLID)! - lowestSeq.get(b.row.EMPLID)!);
  const instructors: SectionDraft['instructors'] = [];
  const taught = new Map<string, Set<string | null>>();
  for (const { row, meeting } of instrRows) {
    const person = byEmplid.get(row.EMPLID ?? '');
    if (!person) throw new PsShapeError(`EMPLID ${row.EMPLID ?? ''} is not a valid instructor. (14640,50)`, 'EMPLID');
    if (!taught.has(person.id)) {
      taught.set(person.id, new Set());
      instructors.push({
        id: randomUUID(),
        instructorId: person.id,
        role: row.INSTR_ROLE === 'PI' ? 'primary' : 'secondary',
        roleCode: row.INSTR_ROLE || null,
        gradeAccess: row.GRADE_RSTR_ACCESS || null,
      });
    }
    taught.get(person.id)!.add(meeting);
  }
  for (const link of instructors) {
    const on = taught.get(link.instructorId)!;
    link.meetingIds = on.has(null) || meetings.every((m) => on.has(m.id)) ? null : meetings.filter((m) => on.has(m.id)).map((m) => m.id);
  }
  return instructors;
}
