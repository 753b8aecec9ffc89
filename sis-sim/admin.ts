// /__admin: what a registrar editing the SIS directly, or a test, does behind the API's back.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { faultConfig, type Faults } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { datasetFromSeed } from './seed.ts';
import type { SimSection } from './state.ts';
import type { SimStore } from './store.ts';
import { SimNotFoundError } from './validation.ts';

const sectionPatch = z
  .object({
    number: z.string(),
    component: z.string(),
    status: z.enum(['active', 'cancelled']),
    capacity: z.number().int().nonnegative(),
    enrolled: z.number().int().nonnegative(),
    instructionMode: z.string(),
    campus: z.string().nullable(),
    title: z.string().nullable(),
    credits: z.number().nullable(),
  })
  .partial()
  .strict();

export function registerAdmin(app: FastifyInstance, store: SimStore, faults: Faults, requests: RequestLog): void {
  app.register(
    async (admin) => {
      admin.setErrorHandler((error, _request, reply) => {
        if (error instanceof SimNotFoundError) return reply.code(404).send({ error: error.message });
        if (error instanceof z.ZodError) return reply.code(400).send({ error: 'invalid body', issues: error.issues });
        return reply.code((error as { statusCode?: number }).statusCode ?? 500).send({ error: (error as Error).message });
      });

      const termByCode = (code: string) => {
        const term = Object.values(store.state.terms).find((t) => t.code === code);
        if (!term) throw new SimNotFoundError(`term ${code} not found`);
        return term;
      };
      const byCrn = (termCode: string, crn: string): SimSection => {
        const s = store.sectionByCrn(termByCode(termCode).id, crn);
        if (!s) throw new SimNotFoundError(`section ${termCode}/${crn} not found`);
        return s;
      };

      admin.get('/faults', async () => faults.current());
      admin.put('/faults', async (request) => {
        faults.configure(faultConfig.parse(request.body ?? {}));
        return faults.current();
      });
      admin.delete('/faults', async () => {
        faults.configure(faultConfig.parse({}));
        return faults.current();
      });

      admin.get('/requests', async () => requests.list());
      admin.delete('/requests', async (_request, reply) => {
        requests.clear();
        return reply.code(204).send();
      });

      admin.get('/stats', async () => ({
        terms: Object.values(store.state.terms).map((t) => ({
          code: t.code,
          id: t.id,
          strm: t.strm,
          sections: store.sectionsOfTerm(t.id).length,
          relationships: store.relationshipsOfTerm(t.id).length,
        })),
        courses: Object.keys(store.state.courses).length,
        rooms: Object.keys(store.state.rooms).length,
        buildings: Object.keys(store.state.buildings).length,
        instructors: Object.keys(store.state.instructors).length,
        departments: Object.keys(store.state.departments).length,
      }));

      /** Natural-key lookup: term code + subject + course number (+ section number). */
      admin.get('/sections', async (request) => {
        const q = z
          .object({ term: z.string(), subject: z.string().optional(), number: z.string().optional(), section: z.string().optional() })
          .parse(request.query);
        return store.sectionsOfTerm(termByCode(q.term).id).filter((s) => {
          const c = store.state.courses[s.courseId];
          return (!q.subject || c.subject === q.subject) && (!q.number || c.number === q.number) && (q.section === undefined || s.number === q.section);
        });
      });
      admin.get('/sections/:term/:crn', async (request) => {
        const { term, crn } = request.params as { term: string; crn: string };
        return byCrn(term, crn);
      });
      admin.patch('/sections/:term/:crn', async (request) => {
        const { term, crn } = request.params as { term: string; crn: string };
        return store.patchSection(byCrn(term, crn).id, sectionPatch.parse(request.body));
      });
      admin.delete('/sections/:term/:crn', async (request, reply) => {
        const { term, crn } = request.params as { term: string; crn: string };
        store.deleteSection(byCrn(term, crn).id);
        return reply.code(204).send();
      });
      admin.patch('/rooms/:id', async (request) => {
        const patch = z.object({ active: z.boolean(), capacity: z.number().int().nonnegative() }).partial().strict().parse(request.body);
        return store.patchRoom((request.params as { id: string }).id, patch);
      });
      /** The overnight job that makes every pending PeopleSoft CLASS_NBR visible. */
      admin.post('/class-numbers/publish', async () => {
        let published = 0;
        for (const s of Object.values(store.state.sections)) {
          if (s.crnVisibleAt > store.now()) {
            store.patchSection(s.id, { crnVisibleAt: 0 });
            published++;
          }
        }
        return { published };
      });
      admin.post('/seed', async (request) => {
        const { seed } = z.object({ seed: z.string() }).parse(request.body);
        const dataset = datasetFromSeed(seed);
        store.loadDataset(dataset);
        return { terms: dataset.terms.map((t) => t.code), sections: dataset.sections.length };
      });
    },
    { prefix: '/__admin' },
  );
}
