// The integration console: merge settings (versioned, with history), Execute Merge, merge history
// with per-object reports, CSV export and a live progress stream. The SIS connection: sis-connection.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { csvDocument } from '../../domain/csv.ts';
import { MERGE_TYPES, mergeSettings } from '../../domain/merge-settings.ts';
import { instantToLocal } from '../../domain/zoned-time.ts';
import type { Runtime } from '../../runtime.ts';
import { describeOverrides } from '../../domain/phases.ts';
import { institutionTimeZone, overridingPhasesAt } from '../../store/phases.ts';
import { getRun, listRuns, runChanges, startRun } from '../../sync/runs.ts';
import { endedEnabledTerms, getMergeSettings, saveMergeSettings, settingsHistory } from '../../sync/settings-store.ts';
import { requireAdmin } from '../auth.ts';
import { sendProblem } from '../problem.ts';
import { SECURITY_HEADERS } from '../security-headers.ts';
import { idParams, pageLimit, problems, queryWholeNumber } from '../schemas.ts';

const settingsView = z.object({ version: z.int(), settings: mergeSettings, warnings: z.array(z.string()) });

const runItem = z.object({
  type: z.enum(MERGE_TYPES),
  term: z.string().nullable(),
  status: z.enum(['waiting', 'running', 'succeeded', 'partial', 'failed', 'refused']),
  fetched: z.int(),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const mergeRequest = z
  .strictObject({
    types: z.array(z.enum(MERGE_TYPES)).min(1).max(MERGE_TYPES.length),
    terms: z
      .array(z.string().min(1).max(20))
      .max(50)
      .default([])
      .describe('Term codes: courses, sections and relationships merge for each of them, and need at least one'),
    sendUpdates: z.boolean().default(false).describe('After pulling, also push the hub\'s pending changes'),
    dryRun: z.boolean().default(false).describe('Compute and report the diff, write nothing'),
    allowEmpty: z.boolean().default(false).describe('Accept an empty SIS dataset for a term that has data'),
    force: z.boolean().default(false).describe('Apply even when deletions exceed the threshold'),
  })
  .meta({ id: 'MergeRequest' });
const run = z
  .object({
    id: z.string(),
    trigger: z.enum(['manual', 'nightly', 'real_time']),
    actor: z.string(),
    options: z.object({
      types: z.array(z.enum(MERGE_TYPES)),
      terms: z.array(z.string()),
      sendUpdates: z.boolean(),
      dryRun: z.boolean(),
      allowEmpty: z.boolean(),
      force: z.boolean(),
    }),
    status: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed']),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    error: z.string().nullable(),
    items: z.array(runItem),
  })
  .meta({ id: 'MergeRun' });
const change = z
  .object({
    id: z.int(),
    type: z.string(),
    term: z.string().nullable(),
    kind: z.enum(['created', 'updated', 'deleted', 'conflict', 'error']),
    entityId: z.string().nullable(),
    sisKey: z.string().nullable(),
    label: z.string(),
    fields: z.array(z.unknown()),
    message: z.string().nullable(),
    raw: z.unknown(),
  })
  .meta({ id: 'MergeChange' });

export const mergeRoutes = (runtime: Runtime): FastifyPluginAsyncZod => async (app) => {
  const db = runtime.database.db;
  const tags = ['admin: integration'];
  // Closing the app ends the progress streams (an EventSource then reconnects, to whichever hub
  // serves by then): one left open would hold close() until its run finished.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  async function view() {
    const [current, timeZone] = await Promise.all([getMergeSettings(db), institutionTimeZone(db)]);
    // Ended by the institution's calendar: the day a term ends is over at its midnight, not UTC's.
    const today = instantToLocal(runtime.clock(), timeZone).slice(0, 10);
    const [ended, overriding] = await Promise.all([endedEnabledTerms(db, current.settings, today), overridingPhasesAt(db, runtime.clock())]);
    return {
      ...current,
      warnings: [
        ...ended.map((code) => `Term ${code} has ended but is still enabled for merges.`),
        ...overriding.map(
          (p) => `Term ${p.termCode} is in phase ${p.name} until ${p.endsAt.replace('T', ' ')}, which overrides these settings for it: ${describeOverrides(p.mergeSettings)}.`,
        ),
      ],
    };
  }

  app.get(
    '/api/v1/admin/merge-settings',
    { schema: { tags, summary: 'Merge settings, with warnings about ended terms still enabled and phases in force that override them', response: { 200: settingsView, ...problems } } },
    async (request) => {
      requireAdmin(request, 'mergeSettings.edit');
      return view();
    },
  );

  app.put(
    '/api/v1/admin/merge-settings',
    {
      schema: {
        tags,
        summary: 'Replace the merge settings (send the version you read); a term the SIS does not know cannot be enabled',
        description:
          "The nightly time is read in the institution's time zone, which `PUT /api/v1/admin/institution` sets; a `settings.timeZone` is refused with a 400 saying so.",
        body: z.strictObject({ version: z.int().min(0), settings: mergeSettings, comment: z.string().max(1000).nullable().default(null) }),
        response: { 200: settingsView, ...problems },
      },
      preValidation: refuseMovedTimeZone,
    },
    async (request) => {
      const actor = requireAdmin(request, 'mergeSettings.edit');
      const sisTermCodes = await knownTermCodes(runtime);
      await saveMergeSettings(db, actor, request.body.settings, { version: request.body.version, comment: request.body.comment, sisTermCodes });
      await runtime.settingsChanged();
      return view();
    },
  );

  app.post(
    '/api/v1/admin/maintenance',
    {
      schema: {
        tags,
        summary: 'Pause (or resume) real-time and nightly sync, with a comment kept in the history',
        body: z.strictObject({ on: z.boolean(), comment: z.string().min(1).max(1000) }),
        response: { 200: settingsView, ...problems },
      },
    },
    async (request) => {
      const actor = requireAdmin(request, 'mergeSettings.edit');
      const current = await getMergeSettings(db);
      await saveMergeSettings(
        db,
        actor,
        { ...current.settings, maintenance: { on: request.body.on, comment: request.body.comment } },
        { version: current.version, comment: request.body.comment },
      );
      await runtime.settingsChanged();
      return view();
    },
  );

  app.get(
    '/api/v1/admin/merge-settings/history',
    {
      schema: {
        tags,
        summary: 'Every saved version of the merge settings, newest first',
        response: {
          200: z.object({
            items: z.array(z.object({ version: z.int(), settings: z.unknown(), actor: z.string(), comment: z.string().nullable(), at: z.string() })),
          }),
          ...problems,
        },
      },
    },
    async (request) => {
      requireAdmin(request, 'mergeSettings.edit');
      return { items: await settingsHistory(db) };
    },
  );

  app.post(
    '/api/v1/admin/merges',
    {
      schema: {
        tags,
        summary: 'Execute Merge: start a durable run for merge types × terms; 409 names a run already merging one of them',
        body: mergeRequest,
        response: { 202: z.object({ id: z.string() }), ...problems },
      },
    },
    async (request, reply) => {
      const actor = requireAdmin(request, 'merges.execute');
      const id = await startRun(db, runtime.queue, actor, 'manual', request.body);
      return reply.code(202).header('location', `/api/v1/admin/merges/${id}`).send({ id });
    },
  );

  app.get(
    '/api/v1/admin/merges',
    {
      schema: {
        tags,
        summary: 'Merge history, newest first',
        querystring: z.strictObject({
          status: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed']).optional(),
          trigger: z.enum(['manual', 'nightly', 'real_time']).optional(),
          before: z.iso.datetime({ offset: true }).optional(),
          limit: pageLimit(200, 50),
        }),
        response: { 200: z.object({ items: z.array(run) }), ...problems },
      },
    },
    async (request) => {
      requireAdmin(request, 'merges.execute');
      return { items: await listRuns(db, request.query) };
    },
  );

  app.get(
    '/api/v1/admin/merges/:id',
    { schema: { tags, summary: 'One run: status, per type × term progress and counts', params: idParams, response: { 200: run, ...problems } } },
    async (request) => {
      requireAdmin(request, 'merges.execute');
      return getRun(db, request.params.id);
    },
  );

  app.get(
    '/api/v1/admin/merges/:id/changes',
    {
      schema: {
        tags,
        summary: 'The run\'s report: per-object changes (field, before, after, source), conflicts and errors with the SIS\'s raw message',
        params: idParams,
        querystring: z.strictObject({
          kind: z.enum(['created', 'updated', 'deleted', 'conflict', 'error']).optional(),
          type: z.enum(MERGE_TYPES).optional(),
          after: queryWholeNumber('after').optional(),
          limit: pageLimit(5000, 500),
        }),
        response: { 200: z.object({ items: z.array(change) }), ...problems },
      },
    },
    async (request) => {
      requireAdmin(request, 'merges.execute');
      await getRun(db, request.params.id);
      const q = request.query;
      return { items: await runChanges(db, request.params.id, { kind: q.kind, type: q.type, afterId: q.after, limit: q.limit }) };
    },
  );

  app.get(
    '/api/v1/admin/merges/:id/report.csv',
    { schema: { tags, summary: 'The run\'s report as CSV', params: idParams } },
    async (request, reply) => {
      requireAdmin(request, 'merges.execute');
      await getRun(db, request.params.id);
      const rows: unknown[][] = [['type', 'term', 'kind', 'label', 'sis_key', 'entity_id', 'fields', 'message']];
      let after = 0;
      for (;;) {
        const page = await runChanges(db, request.params.id, { afterId: after, limit: 5000 });
        for (const c of page) rows.push([c.type, c.term, c.kind, c.label, c.sisKey, c.entityId, c.fields, c.message]);
        if (page.length < 5000) break;
        after = page[page.length - 1].id;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="merge-${request.params.id}.csv"`)
        .send(csvDocument(rows));
    },
  );

  app.get(
    '/api/v1/admin/merges/:id/events',
    { schema: { tags, summary: 'Progress as server-sent events (`progress` on every change, then `done`)', params: idParams } },
    async (request, reply) => {
      requireAdmin(request, 'merges.execute');
      await getRun(db, request.params.id);
      reply.hijack();
      const res = reply.raw;
      // The connection ends with the stream: kept alive, it would hold a closing server for the keep-alive timeout.
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      let last = '';
      // Progress lives in the database, so any process's run can be followed from any process.
      while (!closed && !closing.signal.aborted) {
        const current = await getRun(db, request.params.id);
        const json = JSON.stringify(current);
        if (json !== last) res.write(`event: progress\ndata: ${json}\n\n`);
        last = json;
        if (current.finishedAt) {
          res.write(`event: done\ndata: ${json}\n\n`);
          break;
        }
        await delay(250, undefined, { signal: closing.signal }).catch(() => undefined);
      }
      res.end();
    },
  );
};

/**
 * The merge settings carried a time zone of their own until the institution's became the only one
 * (migration 0010): a client still sending it learns where it went, not only that it is unknown.
 */
async function refuseMovedTimeZone(request: FastifyRequest, reply: FastifyReply) {
  const settings = (request.body as { settings?: unknown } | null | undefined)?.settings;
  if (settings && typeof settings === 'object' && 'timeZone' in settings) {
    const message = "The time zone is the institution's: set it with PUT /api/v1/admin/institution";
    return sendProblem(reply, 400, 'Invalid request', 'Check settings.timeZone.', { errors: [{ field: 'settings.timeZone', message }] });
  }
}

/** Term codes the SIS knows, to refuse enabling others; the hub's imported terms when the SIS is unreachable. */
async function knownTermCodes(runtime: Runtime): Promise<string[]> {
  try {
    const connector = await runtime.connections.connector();
    return (await connector.listTerms()).map((t) => t.code);
  } catch {
    const imported = await runtime.database.db.selectFrom('terms').select('code').where('sis_key', 'is not', null).execute();
    return imported.map((t) => t.code);
  }
}
