// The sync dashboard's numbers as JSON: jobs waiting per job queue, and sections per integration
// status in the terms where sync is on — what GET /metrics publishes for Prometheus, for the web
// app and scripts. A role limited to departments is given the counts of its departments' sections
// only, and no queue (src/store/record-departments.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INTEGRATION_STATES } from '../../domain/integration-status.ts';
import type { Runtime } from '../../runtime.ts';
import { shownSectionCounts } from '../../sync/integration-view.ts';
import { requireAdmin } from '../auth.ts';
import { problems } from '../schemas.ts';

/** pg-boss's own queues (its scheduler's, say) are not Coursebridge's work: left out. */
const PGBOSS_INTERNAL = '__pgboss__';
const count = z.int().min(0);
export const integrationSummary = z
  .object({
    queues: z
      .array(z.object({ name: z.string(), depth: count.describe('Jobs waiting (created or retry)') }))
      .describe(
        "Every Coursebridge job queue (pg-boss's internal ones left out), by name. Depths are pg-boss's queue statistics, which it refreshes about once a minute. None for a role limited to departments: the queues hold every department's jobs.",
      ),
    sectionsByStatus: z
      .object(Object.fromEntries(INTEGRATION_STATES.map((s) => [s, count])) as Record<(typeof INTEGRATION_STATES)[number], typeof count>)
      .describe(
        'Sections (not deleted) per integration status, in terms where real-time or nightly sync is on for sections (elsewhere a section has no status); for a role limited to departments, the sections of its departments. A section never posted or edited counts as synced when the SIS knows it, else not_synced; one edited while its term\'s sync was off is not_synced',
      ),
    sectionsTotal: count.describe('Sections (not deleted) in terms where sync is on for sections (of its departments, for a role limited to them)'),
  })
  .meta({ id: 'IntegrationSummary' });

export const integrationSummaryRoutes = (runtime: Runtime): FastifyPluginAsyncZod => async (app) => {
  const db = runtime.database.db;
  app.get(
    '/api/v1/admin/integration-summary',
    {
      schema: {
        tags: ['admin: integration'],
        summary: 'Queue depth per job queue and sections per integration status (the sync dashboard)',
        response: { 200: integrationSummary, ...problems },
      },
    },
    async (request) => {
      const { departmentIds } = requireAdmin(request, 'integrationStatus.view');
      const noQueues: Record<string, number> = {};
      const [depth, sectionsByStatus] = await Promise.all([departmentIds ? noQueues : runtime.queue.depth(), shownSectionCounts(db, departmentIds)]);
      return {
        queues: Object.entries(depth)
          .filter(([name]) => !name.startsWith(PGBOSS_INTERNAL))
          .map(([name, n]) => ({ name, depth: n }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        sectionsByStatus,
        sectionsTotal: Object.values(sectionsByStatus).reduce((a, b) => a + b, 0),
      };
    },
  );
};
