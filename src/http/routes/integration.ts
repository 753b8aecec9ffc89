// Integration health (every object now in error, with the SIS's raw message and a hint; retry
// one, retry all, dismiss — audited) and notification subscriptions. A role limited to departments
// sees, retries and dismisses only the records of its departments, as it reads them elsewhere: a
// section of theirs, a relationship including one.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { hintFor } from '../../domain/sis-error-hints.ts';
import { postedLabels } from '../../sync/posted-labels.ts';
import { integrationStatusView } from '../../domain/schedule.ts';
import type { Actor } from '../../domain/permissions.ts';
import type { Runtime } from '../../runtime.ts';
import { departmentsOf, reaches, recordReached } from '../../store/record-departments.ts';
import { recordOf, viewOf, type PostedType } from '../../sync/integration-store.ts';
import { readSubscription, removeSubscription, saveSubscription } from '../../sync/notification-subscriptions.ts';
import { actorOf, requireAdmin, requirePermission } from '../auth.ts';
import { problems } from '../schemas.ts';
import { DomainError, NotFoundError } from '../../domain/errors.ts';

const POSTED_TYPES = ['section', 'relationship'] as const;
const entityType = z.enum(POSTED_TYPES);
const healthItem = z
  .object({
    type: entityType,
    id: z.string(),
    termId: z.string().nullable(),
    label: z.string(),
    status: integrationStatusView,
    rawMessage: z.string().describe("The SIS's message, as it said it"),
    hint: z.object({ id: z.string(), title: z.string(), hint: z.string() }).nullable(),
    dismissed: z.boolean(),
  })
  .meta({ id: 'IntegrationHealthItem' });
const subscription = z
  .strictObject({
    mode: z
      .enum(['errors', 'every_run'])
      .describe('errors: nightly runs that met errors, and a digest of new posting errors; every_run: every nightly run, and the same digest'),
    email: z.email().nullable().default(null).describe('Defaults to the account email'),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null)
      .describe('https:// to a public address (checked again at each POST); http:// and loopback only where COURSEBRIDGE_WEBHOOK_ALLOW_LOOPBACK allows them, for development'),
    webhookSecret: z
      .string()
      .min(16)
      .max(200)
      .nullable()
      .optional()
      .describe('HMAC-SHA256 key for x-coursebridge-signature; left out, the saved key stays (reads show it masked); null signs nothing'),
  })
  .meta({ id: 'NotificationSubscription' });
const subscriptionView = subscription
  .extend({ webhookSecret: z.string().nullable().describe('"********" when a key is saved (never shown again), else null') })
  .meta({ id: 'NotificationSubscriptionView' });

export const integrationRoutes = (runtime: Runtime): FastifyPluginAsyncZod => async (app) => {
  const db = runtime.database.db;
  const tags = ['admin: integration'];
  /** The status rows of the records in error that the actor reaches (src/store/record-departments.ts). */
  const inErrorOf = (actor: Actor) => {
    const query = db.selectFrom('integration_status').where('status', '=', 'error');
    const { departmentIds } = actor;
    return departmentIds ? query.where((eb) => recordReached(db, departmentIds, POSTED_TYPES, { type: eb.ref('entity_type'), id: eb.ref('entity_id'), ids: 'uuid' })) : query;
  };
  /** Whether the actor reaches this record: another department's is not found, as it is to read. */
  const reached = async ({ departmentIds }: Actor, type: PostedType, id: string) =>
    departmentIds === null || reaches(departmentIds, (await db.selectNoFrom(departmentsOf(db, type, sql.val(id)).as('departments')).executeTakeFirstOrThrow()).departments);

  app.get(
    '/api/v1/admin/integration-health',
    {
      schema: {
        tags,
        summary: 'Every section and relationship now in error, with the SIS message and a hint',
        querystring: z.strictObject({ includeDismissed: z.stringbool().default(false), type: entityType.optional() }),
        response: { 200: z.object({ items: z.array(healthItem), total: z.int() }), ...problems },
      },
    },
    async (request) => {
      const actor = requireAdmin(request, 'integrationStatus.view');
      let query = inErrorOf(actor).selectAll().orderBy('last_attempt_at', 'desc').limit(5000);
      if (!request.query.includeDismissed) query = query.where('dismissed_at', 'is', null);
      if (request.query.type) query = query.where('entity_type', '=', request.query.type);
      const rows = await query.execute();
      const labels = await postedLabels(db, rows.map((r) => ({ type: r.entity_type, id: r.entity_id })));
      const items = rows.map((r) => {
        const record = recordOf(r);
        const rawMessage = record.messages.map((m) => m.message).join('; ');
        const hint = hintFor(rawMessage);
        return {
          type: r.entity_type,
          id: r.entity_id,
          termId: r.term_id,
          label: labels.get(r.entity_id) ?? `${r.entity_type} ${r.entity_id}`,
          status: viewOf(record),
          rawMessage,
          hint: hint && { id: hint.id, title: hint.title, hint: hint.hint },
          dismissed: record.dismissedAt !== null,
        };
      });
      return { items, total: items.length };
    },
  );

  const target = z.strictObject({ type: entityType, id: z.uuid() });

  app.post(
    '/api/v1/admin/integration-health/retry',
    {
      schema: {
        tags,
        summary: 'Post one record again now; answers its status after the attempt, or 409 while sync is off for its term',
        body: target,
        response: { 200: integrationStatusView, ...problems },
      },
    },
    async (request) => {
      const actor = requireAdmin(request, 'merges.execute');
      const { type, id } = request.body;
      if (!(await reached(actor, type, id))) throw new NotFoundError(type, id);
      const outcome = await runtime.push.retryNow(type, id, { actor, action: 'integration_retry' });
      if (outcome === 'gone') throw new NotFoundError(type, id);
      const row = await db.selectFrom('integration_status').selectAll().where('entity_type', '=', type).where('entity_id', '=', id).executeTakeFirstOrThrow();
      return viewOf(recordOf(row));
    },
  );

  app.post(
    '/api/v1/admin/integration-health/retry-all',
    {
      schema: {
        tags,
        summary: 'Queue every record in error (not dismissed) for posting again, in terms where real-time posting is on; answers how many were queued',
        response: { 202: z.object({ queued: z.int() }), ...problems },
      },
    },
    async (request, reply) => {
      const actor = requireAdmin(request, 'merges.execute');
      const rows = await inErrorOf(actor).select(['entity_type', 'entity_id']).where('dismissed_at', 'is', null).execute();
      let queued = 0;
      // Each record queued is audited on its own, with its status before and after.
      for (const r of rows) if (await runtime.push.enqueue(r.entity_type, r.entity_id, { actor, action: 'integration_retry_all' })) queued++;
      return reply.code(202).send({ queued });
    },
  );

  app.post(
    '/api/v1/admin/integration-health/dismiss',
    {
      schema: {
        tags,
        summary: 'Hide an error from Integration health (it stays on the record until a sync succeeds)',
        body: target.extend({ comment: z.string().max(1000).nullable().default(null) }),
        response: { 204: z.null(), ...problems },
      },
    },
    async (request, reply) => {
      const actor = requireAdmin(request, 'merges.execute');
      const { type, id, comment } = request.body;
      const row = await inErrorOf(actor).select('entity_id').where('entity_type', '=', type).where('entity_id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`${type} in error`, id);
      await runtime.push.dismiss(type, id, { actor, action: 'integration_dismiss', context: { comment } });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/me/integration-notifications',
    { schema: { tags, summary: 'My subscription to integration run notifications', response: { 200: subscriptionView.nullable(), ...problems } } },
    async (request) => {
      const actor = requirePermission(request, 'integrationStatus.view');
      return actor.type === 'user' ? readSubscription(db, actor.id!) : null;
    },
  );

  app.put(
    '/api/v1/me/integration-notifications',
    {
      schema: {
        tags,
        summary: 'Subscribe to nightly run notifications: errors only, or every run; by email and optionally a signed webhook',
        body: subscription,
        response: { 204: z.null(), ...problems },
      },
    },
    async (request, reply) => {
      const actor = requirePermission(request, 'integrationStatus.view');
      if (actor.type !== 'user') throw new NotFoundError('user', String(actor.id));
      const refused = request.body.webhookUrl && (await runtime.notifier.webhookUrlProblem(request.body.webhookUrl));
      if (refused) throw new DomainError(400, 'Invalid request', 'Check webhookUrl.', { errors: [{ field: 'webhookUrl', message: refused }] });
      await saveSubscription(db, runtime.secrets, actor, request.body);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/me/integration-notifications',
    { schema: { tags, summary: 'Unsubscribe', response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      const actor = actorOf(request);
      if (actor.type === 'user') await removeSubscription(db, actor);
      return reply.code(204).send(null);
    },
  );
};
