// The Ethos Integration dialect: POST /auth for a short-lived token, then /api/<resource> with
// vendor media types, offset/limit paging and errors v2 (sis-apis.md §1).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  codeTable,
  type EventTimes,
  type LinkBody,
  readEvent,
  readLink,
  readSection,
  renderCrosslist,
  renderEvent,
  renderLink,
  renderSection,
  SECTION_TITLE_TYPE,
  ShapeError,
  termOfPeriod,
} from './ethos-shapes.ts';
import { NIL_GUID } from './ids.ts';
import type { SimSection } from './state.ts';
import { relationshipCode, type RelationshipDraft, type SimStore } from './store.ts';
import { SimNotFoundError, SimValidationError } from './validation.ts';

export interface EthosOptions {
  apiKey: string;
  store: SimStore;
  maxPageSize: number;
  timeZone: string;
  eventTimes: EventTimes;
}

const VERSIONS: Record<string, string> = {
  'academic-periods': '16.1.0',
  courses: '16.1.0',
  sections: '16.1.0',
  'instructional-events': '11.0.0',
  'section-instructors': '10.0.0',
  'section-crosslists': '6.0.0',
  rooms: '10.0.0',
  buildings: '11.0.0',
  instructors: '9.0.0',
  persons: '12.0.0',
  subjects: '6.0.0',
  'instructional-methods': '6.0.0',
  'instructional-delivery-methods': '11.0.0',
  sites: '6.0.0',
  'section-title-types': '6.0.0',
  'educational-institution-units': '12.0.0',
};

const ERRORS_V2 = 'application/vnd.hedtech.integration.errors.v2+json';
const BASE_METHODS = ['LEC', 'LAB', 'DIS', 'SEM', 'IND', 'ONL', 'STU', 'CLN', 'INT', 'REC'];
const BASE_DELIVERY = ['in_person', 'online', 'hybrid'];

export interface EthosErrorEntry {
  code: string;
  description: string;
  message: string;
  id?: string;
  sourceId?: string;
}

export function ethosErrors(reply: FastifyReply, status: number, errors: EthosErrorEntry[]): FastifyReply {
  return reply.code(status).type(ERRORS_V2).send({ errors });
}

export function registerEthos(app: FastifyInstance, options: EthosOptions): void {
  const { store } = options;
  const tokens = new Map<string, number>();

  app.addContentTypeParser(/^application\/vnd\.hedtech\.integration\..*\+json/, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      (error as { statusCode?: number }).statusCode = 400;
      done(error as Error, undefined);
    }
  });

  app.post('/auth', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return reply.code(401).type('application/json').send({ message: 'Invalid API key.' });
    }
    const minutes = Number((request.query as { expirationMinutes?: string }).expirationMinutes ?? 5);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) {
      return reply.code(400).type('application/json').send({ message: 'expirationMinutes must be 1 to 120.' });
    }
    const token = `sim.${Buffer.from(randomUUID()).toString('base64url')}`;
    tokens.set(token, store.now() + minutes * 60_000);
    return reply.type('text/plain').send(token);
  });

  /** Lets tests and demos expire every token without waiting for the clock. */
  app.post('/__admin/tokens/expire', async () => {
    tokens.clear();
    return { expired: true };
  });

  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      const expires = tokens.get(token);
      if (expires === undefined || expires <= store.now()) {
        tokens.delete(token);
        return ethosErrors(reply, 401, [
          { code: 'Authentication.Unauthorized', description: 'Unauthorized.', message: 'The access token is missing, invalid or expired.' },
        ]);
      }
      const resource = (request.url.split('?')[0].split('/')[2] ?? '').toLowerCase();
      const version = VERSIONS[resource];
      if (!version) return ethosErrors(reply, 404, [{ code: 'Global.Resource.NotFound', description: 'Not found.', message: `Resource ${resource} is not served.` }]);
      const accept = request.headers.accept ?? 'application/json';
      const asked = /application\/vnd\.hedtech\.integration\.v(\d+)(?:\.\d+\.\d+)?\+json/.exec(accept);
      if (asked && asked[1] !== version.split('.')[0]) {
        return ethosErrors(reply, 406, [
          { code: 'Global.UnsupportedMediaType', description: 'Not acceptable.', message: `${resource} is served in version ${version} only.` },
        ]);
      }
      reply.header('x-media-type', `application/vnd.hedtech.integration.v${version}+json`);
      reply.type(`application/vnd.hedtech.integration.v${version}+json`);
    });

    api.setErrorHandler((error, _request, reply) => {
      if (error instanceof SimValidationError) {
        return ethosErrors(
          reply,
          400,
          error.violations.map((v) => ({ code: 'Validation.Exception', description: 'An error occurred attempting to validate data.', message: v.message })),
        );
      }
      if (error instanceof ShapeError) {
        return ethosErrors(reply, 400, [{ code: 'Validation.Exception', description: 'The request body is not valid.', message: error.message }]);
      }
      if (error instanceof SimNotFoundError) {
        return ethosErrors(reply, 404, [{ code: 'GUID.Not.Found', description: 'GUID not found.', message: error.message }]);
      }
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      return ethosErrors(reply, status, [{ code: status >= 500 ? 'Global.Internal.Error' : 'Global.Request.Invalid', description: 'Request failed.', message: (error as Error).message }]);
    });

    const page = <T>(request: FastifyRequest, reply: FastifyReply, items: T[], render: (item: T) => unknown) => {
      const q = request.query as { offset?: string; limit?: string };
      const offset = Math.max(0, Number(q.offset ?? 0) || 0);
      const limit = Math.min(options.maxPageSize, Math.max(1, Number(q.limit ?? options.maxPageSize) || options.maxPageSize));
      reply.header('x-total-count', String(items.length));
      reply.header('x-max-page-size', String(options.maxPageSize));
      return items.slice(offset, offset + limit).map(render);
    };
    const criteria = (request: FastifyRequest): Record<string, unknown> => {
      const raw = (request.query as { criteria?: string }).criteria;
      if (!raw) return {};
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new ShapeError('criteria is not valid JSON.');
      }
    };
    const refId = (value: unknown): string | undefined => (value as { id?: string } | undefined)?.id;
    const required = (value: string | undefined, field: string): string => {
      if (value === undefined) throw new ShapeError(`${field} is required.`);
      return value;
    };
    const notSupported = (reply: FastifyReply, what: string) =>
      ethosErrors(reply, 405, [{ code: 'Global.Method.NotSupported', description: 'Not supported.', message: `${what} is not supported.` }]);
    const noNilGuid = (id: string | undefined) => {
      if (id !== NIL_GUID) throw new ShapeError('Nil GUID must be used in POST operation.');
    };
    const samePutId = (bodyId: string | undefined, urlId: string) => {
      if (urlId === NIL_GUID) throw new ShapeError('Nil GUID cannot be used in PUT operation.');
      if (bodyId !== undefined && bodyId !== urlId) throw new ShapeError('GUID in the body does not match the GUID in the URL.');
    };
    // The code tables only grow, so their size says whether the sorted lists are still current.
    let codeLists: { size: number; lists: { methods: string[]; deliveryMethods: string[]; sites: string[] } } | null = null;
    const codes = () => {
      const used = store.codesInUse();
      const size = used.methods.size + used.deliveryMethods.size + used.sites.size;
      if (codeLists?.size !== size)
        codeLists = {
          size,
          lists: {
            methods: [...new Set([...BASE_METHODS, ...used.methods])].sort(),
            deliveryMethods: [...new Set([...BASE_DELIVERY, ...used.deliveryMethods])].sort(),
            sites: [...new Set(['MAIN', ...used.sites])].sort(),
          },
        };
      return codeLists.lists;
    };
    const crosslisted = () => new Set(Object.values(store.state.relationships).flatMap((r) => r.members.map((m) => m.sectionId)));
    const sectionView = (id: string) => renderSection(store.state, store.section(id), crosslisted().has(id));

    api.get('/api/academic-periods', async (request, reply) => {
      const periods = Object.values(store.state.terms)
        .sort((a, b) => a.startsOn.localeCompare(b.startsOn))
        .flatMap((t) => [
          { id: t.id, code: t.code, title: t.name, startOn: t.startsOn, endOn: t.endsOn, category: { type: 'term' }, registration: 'open' },
          ...t.parts.map((p) => ({
            id: p.id,
            code: p.code,
            title: p.name,
            startOn: p.startsOn,
            endOn: p.endsOn,
            category: { type: 'subterm', parent: { id: t.id } },
          })),
        ]);
      return page(request, reply, periods, (p) => p);
    });

    api.get('/api/courses', async (request, reply) =>
      page(request, reply, Object.values(store.state.courses).sort((a, b) => a.id.localeCompare(b.id)), (c) => ({
        id: c.id,
        titles: [{ type: { id: SECTION_TITLE_TYPE }, value: c.title }],
        ...(c.description ? { description: c.description } : {}),
        subject: { id: codeTable('subject', c.subject) },
        number: c.number,
        credits: [
          {
            creditCategory: { creditType: 'institution' },
            measure: 'credit',
            minimum: c.credits,
            ...(c.creditsMax === null ? {} : { maximum: c.creditsMax }),
          },
        ],
        owningInstitutionUnits: c.departmentId ? [{ institutionUnit: { id: c.departmentId }, ownershipPercentage: 100 }] : [],
        status: { id: codeTable('course-status', 'active') },
      })),
    );

    const codeList = (table: string, list: string[]) => list.map((code) => ({ id: codeTable(table, code), code, title: code }));
    api.get('/api/subjects', async (request, reply) =>
      page(request, reply, codeList('subject', [...new Set(Object.values(store.state.courses).map((c) => c.subject))].sort()), (x) => x),
    );
    api.get('/api/instructional-methods', async (request, reply) => page(request, reply, codeList('instructional-method', codes().methods), (x) => x));
    api.get('/api/instructional-delivery-methods', async (request, reply) =>
      page(request, reply, codeList('instructional-delivery-method', codes().deliveryMethods), (x) => x),
    );
    api.get('/api/section-title-types', async (request, reply) =>
      page(request, reply, [{ id: SECTION_TITLE_TYPE, code: 'short', title: 'Short title' }], (x) => x),
    );
    api.get('/api/sites', async (request, reply) => page(request, reply, codeList('site', codes().sites), (x) => x));
    api.get('/api/educational-institution-units', async (request, reply) =>
      page(request, reply, Object.values(store.state.departments), (d) => ({ id: d.id, code: d.code, title: d.name, type: 'department' })),
    );

    api.get('/api/sections', async (request, reply) => {
      const c = criteria(request);
      const periodId = refId(c.academicPeriod);
      let sections: SimSection[];
      if (periodId) {
        const period = termOfPeriod(store.state, periodId);
        if (!period) return page(request, reply, [], (x) => x);
        // A term's filter includes its subterms' sections, as Banner's parts of term belong to it.
        sections = store.sectionsOfTerm(period.term.id);
        if (period.part !== null) sections = sections.filter((s) => s.partOfTerm === period.part);
      } else sections = Object.values(store.state.sections);
      const courseId = refId(c.course);
      if (courseId) sections = sections.filter((s) => s.courseId === courseId);
      if (typeof c.number === 'string') sections = sections.filter((s) => s.number === c.number);
      const xl = crosslisted();
      return page(request, reply, sections, (s) => renderSection(store.state, s, xl.has(s.id)));
    });
    api.get('/api/sections/:id', async (request) => sectionView((request.params as { id: string }).id));
    api.post('/api/sections', async (request, reply) => {
      const body = request.body as Parameters<typeof readSection>[0] & { id?: string };
      noNilGuid(body.id);
      const section = store.createSection(readSection(body, store.state, codes(), null), 'ethos');
      return reply.code(201).send(sectionView(section.id));
    });
    api.put('/api/sections/:id', async (request) => {
      const id = (request.params as { id: string }).id;
      const body = request.body as Parameters<typeof readSection>[0] & { id?: string };
      samePutId(body.id, id);
      const existing = store.section(id);
      store.updateSection(id, readSection(body, store.state, codes(), existing), 'ethos');
      return sectionView(id);
    });
    api.delete('/api/sections/:id', async (_request, reply) => notSupported(reply, 'Delete of sections (cancel through status)'));

    /** v11 filters events by section or by academic period (InstructionalEventFilter3). */
    const eventsOf = (c: Record<string, unknown>) => {
      const sectionId = refId(c.section);
      const periodId = refId(c.academicPeriod);
      let sections: SimSection[];
      if (sectionId) sections = [store.section(sectionId)];
      else if (periodId) {
        const period = termOfPeriod(store.state, periodId);
        sections = period ? store.sectionsOfTerm(period.term.id).filter((s) => period.part === null || s.partOfTerm === period.part) : [];
      } else sections = Object.values(store.state.sections);
      return sections.flatMap((s) => s.meetings.map((m) => ({ s, m })));
    };
    api.get('/api/instructional-events', async (request, reply) =>
      page(request, reply, eventsOf(criteria(request)), ({ s, m }) => renderEvent(s, m, options.timeZone, options.eventTimes)),
    );
    api.get('/api/instructional-events/:id', async (request) => {
      const { section, meeting } = store.meeting((request.params as { id: string }).id);
      return renderEvent(section, meeting, options.timeZone, options.eventTimes);
    });
    api.post('/api/instructional-events', async (request, reply) => {
      const body = request.body as Parameters<typeof readEvent>[0] & { id?: string };
      noNilGuid(body.id);
      const section = store.section(required(body.section?.id, 'section.id'));
      const meeting = store.putMeeting(section.id, readEvent(body, section, store.state, options.timeZone), null, 'ethos');
      return reply.code(201).send(renderEvent(store.section(section.id), meeting, options.timeZone, options.eventTimes));
    });
    api.put('/api/instructional-events/:id', async (request) => {
      const id = (request.params as { id: string }).id;
      const body = request.body as Parameters<typeof readEvent>[0] & { id?: string };
      samePutId(body.id, id);
      const { section } = store.meeting(id);
      const meeting = store.putMeeting(section.id, readEvent(body, section, store.state, options.timeZone), id, 'ethos');
      return renderEvent(store.section(section.id), meeting, options.timeZone, options.eventTimes);
    });
    api.delete('/api/instructional-events/:id', async (request, reply) => {
      store.deleteMeeting((request.params as { id: string }).id);
      return reply.code(204).send();
    });

    api.get('/api/section-instructors', async (request, reply) => {
      const sectionId = refId(criteria(request).section);
      const sections = sectionId ? [store.section(sectionId)] : Object.values(store.state.sections);
      return page(request, reply, sections.flatMap((s) => s.instructors.map((l) => ({ s, l }))), ({ s, l }) => renderLink(s, l));
    });
    api.get('/api/section-instructors/:id', async (request) => {
      const { section, link } = store.sectionInstructor((request.params as { id: string }).id);
      return renderLink(section, link);
    });
    api.post('/api/section-instructors', async (request, reply) => {
      const body = request.body as LinkBody;
      noNilGuid(body.id);
      const section = store.section(required(body.section?.id, 'section.id'));
      const link = store.putSectionInstructor(section.id, readLink(body, section), null);
      return reply.code(201).send(renderLink(store.section(section.id), link));
    });
    api.put('/api/section-instructors/:id', async (request) => {
      const id = (request.params as { id: string }).id;
      const body = request.body as LinkBody;
      samePutId(body.id, id);
      const { section } = store.sectionInstructor(id);
      const link = store.putSectionInstructor(section.id, readLink(body, section), id);
      return renderLink(store.section(section.id), link);
    });
    api.delete('/api/section-instructors/:id', async (request, reply) => {
      store.deleteSectionInstructor((request.params as { id: string }).id);
      return reply.code(204).send();
    });

    type CrosslistBody = {
      id?: string;
      code?: unknown;
      sections?: { section?: { id?: string }; type?: string }[];
      maxEnrollment?: number;
      waitlist?: unknown;
      maxWaitlist?: unknown;
    };
    /** `id`: the crosslist a PUT replaces. What the body leaves out is not kept; a code left out is the SIS's own numbering. */
    const readCrosslist = (body: CrosslistBody, id: string | null): RelationshipDraft => {
      const members = (body.sections ?? []).map((m) => ({ sectionId: required(m.section?.id, 'sections.section.id'), primary: m.type === 'primary' }));
      const first = members[0] ? store.section(members[0].sectionId) : null;
      if (!first) throw new ShapeError('sections is required.');
      if (body.code !== undefined && (typeof body.code !== 'string' || body.code === '')) throw new ShapeError('code must be a non-empty string.');
      if (body.waitlist !== undefined && body.waitlist !== 'separate' && body.waitlist !== 'combined') throw new ShapeError('waitlist must be "separate" or "combined".');
      const maxWaitlist = body.maxWaitlist;
      if (maxWaitlist !== undefined && !(typeof maxWaitlist === 'number' && Number.isInteger(maxWaitlist) && maxWaitlist >= 0)) {
        throw new ShapeError('maxWaitlist must be a whole number, 0 or more.');
      }
      const code = body.code ?? (id === null ? undefined : relationshipCode('crosslist', id));
      return {
        termId: first.termId,
        kind: 'crosslist',
        members,
        sharedCapacity: body.maxEnrollment ?? null,
        waitlist: body.waitlist ?? 'separate',
        maxWaitlist: maxWaitlist ?? null,
        ...(code === undefined ? {} : { code }),
      };
    };
    api.get('/api/section-crosslists', async (request, reply) => {
      const sectionId = refId((criteria(request).sections as { section?: unknown }[] | undefined)?.[0]?.section);
      const all = Object.values(store.state.relationships).sort((a, b) => a.code.localeCompare(b.code));
      return page(request, reply, sectionId ? all.filter((r) => r.members.some((m) => m.sectionId === sectionId)) : all, renderCrosslist);
    });
    api.get('/api/section-crosslists/:id', async (request) => renderCrosslist(store.relationship((request.params as { id: string }).id)));
    api.post('/api/section-crosslists', async (request, reply) => {
      const body = request.body as CrosslistBody;
      noNilGuid(body.id);
      return reply.code(201).send(renderCrosslist(store.createRelationship(readCrosslist(body, null))));
    });
    api.put('/api/section-crosslists/:id', async (request) => {
      const id = (request.params as { id: string }).id;
      const body = request.body as CrosslistBody;
      samePutId(body.id, id);
      return renderCrosslist(store.updateRelationship(id, readCrosslist(body, id)));
    });
    api.delete('/api/section-crosslists/:id', async (request, reply) => {
      store.deleteRelationship((request.params as { id: string }).id);
      return reply.code(204).send();
    });

    api.get('/api/buildings', async (request, reply) =>
      page(request, reply, Object.values(store.state.buildings), (b) => ({
        id: b.id,
        code: b.code,
        title: b.name,
        ...(b.campus ? { site: { id: codeTable('site', b.campus) } } : {}),
      })),
    );
    api.get('/api/rooms', async (request, reply) =>
      page(request, reply, Object.values(store.state.rooms), (r) => ({
        id: r.id,
        number: r.number,
        building: { id: r.buildingId },
        roomTypes: [{ type: 'classroom' }],
        occupancies: [{ type: 'classroom', maxOccupancy: r.capacity }],
        // Not an EEDM field: Banner hides inactive rooms; the sim shows them, flagged, so
        // validation of inactive rooms can be exercised.
        status: r.active ? 'active' : 'inactive',
      })),
    );
    api.get('/api/instructors', async (request, reply) =>
      page(request, reply, Object.values(store.state.instructors), (i) => ({
        id: i.id,
        instructor: { id: i.id },
        institutionalUnits: i.departmentId ? [{ institutionalUnit: { id: i.departmentId } }] : [],
      })),
    );
    api.get('/api/persons', async (request, reply) => {
      const roles = criteria(request).roles as { role?: string }[] | undefined;
      const people = roles?.some((r) => r.role !== 'instructor') ? [] : Object.values(store.state.instructors);
      return page(request, reply, people, (p) => ({
        id: p.id,
        names: [{ type: { category: 'personal' }, preference: 'preferred', fullName: p.name }],
        emails: p.email ? [{ type: { emailType: 'school' }, preference: 'primary', address: p.email }] : [],
        roles: [{ role: 'instructor' }],
        credentials: [{ type: 'bannerId', value: p.emplid }],
      }));
    });
  });
}
