import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { INTEGRATION_STATES, type StatusRecord } from '../../domain/integration-status.ts';
import { can, type Actor } from '../../domain/permissions.ts';
import { ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import { integrationStatusView, section, sectionCreate, sectionPatch, versionOnly, type Section } from '../../domain/schedule.ts';
import type { SaveHooks } from '../../store/save-hooks.ts';
import { viewOf } from '../../sync/integration-store.ts';
import { sectionsWithStatus, settingsAtVersion, visibleStatusTerms } from '../../sync/integration-view.ts';
import {
  bulkEditSections,
  cancelSection,
  createSection,
  deleteSection,
  listSections,
  MAX_BULK_EDITS,
  readSection,
  readSections,
  reinstateSection,
  SECTION_SORTS,
  updateSection,
  type SectionRead,
} from '../../store/sections.ts';
import { requirePermission } from '../auth.ts';
import { idParams, limit, pageOf, problems, versionQuery } from '../schemas.ts';

const tags = ['sections'];

const bulkEdit = z
  .strictObject({
    edits: z
      .array(sectionPatch.extend({ id: z.uuid() }))
      .min(1)
      .max(MAX_BULK_EDITS),
  })
  .meta({ id: 'SectionBulkEdit' });

export const sectionRoutes = (
  db: Kysely<DB>,
  clock: () => Date = () => new Date(),
  hooks?: SaveHooks & { committed?(): void },
): FastifyPluginAsyncZod => async (app) => {
  /** Runs a save with the outbox hooks, then wakes the push workers once it committed. */
  const saved = async <T>(save: Promise<T>): Promise<T> => {
    const result = await save;
    hooks?.committed?.();
    return result;
  };
  // Every answer takes a section and what its integration status is made of from one statement
  // (store/sections.ts `SectionRead`); the settings only when they changed since this app last read them.
  const settingsAt = settingsAtVersion(db);
  const shown = (actor: Actor, reads: SectionRead[]) => sectionsWithStatus(settingsAt, actor, reads);
  /**
   * Saved sections as the answer shows them: for an actor who sees statuses, read again with their
   * status in one statement (one deleted meanwhile, as saved). The section as the save returned it
   * and a status read after the commit could disagree: a post may commit in between. Still one
   * statement, as reading the status alone was.
   */
  const answer = async (actor: Actor, sections: Section[]) => {
    if (!can(actor, 'integrationStatus.view')) return sections;
    const again = new Map((await shown(actor, await readSections(db, null, sections.map((s) => s.id)))).map((s) => [s.id, s]));
    return sections.map((s) => again.get(s.id) ?? s);
  };
  /**
   * One section's save, answered with the section and its integration status. A save that queued
   * the section's post (its term posts in real time, so the status shows) answers with the status
   * that save left, instead of reading it again after the commit.
   */
  const savedOne = async (actor: Actor, save: (hooks?: SaveHooks) => Promise<Section>) => {
    let queued: StatusRecord | undefined;
    const watching: SaveHooks | undefined = hooks && {
      relationshipSaved: (trx, change) => hooks.relationshipSaved(trx, change),
      async sectionSaved(trx, change) {
        const status = await hooks.sectionSaved(trx, change);
        if (status) queued = status;
        return status;
      },
    };
    const s = await saved(save(watching));
    if (queued && can(actor, 'integrationStatus.view')) return { ...s, integrationStatus: viewOf(queued) };
    return (await answer(actor, [s]))[0];
  };

  app.get(
    '/api/v1/sections',
    {
      schema: {
        tags,
        summary: 'List sections, filtered and cursor-paginated',
        querystring: z.strictObject({
          termId: z.uuid().optional(),
          courseId: z.uuid().optional(),
          subject: z.string().max(10).optional(),
          departmentId: z.uuid().optional(),
          status: z.enum(['active', 'cancelled']).optional(),
          q: z.string().max(100).optional().describe("Text: course code, title or section number, or the SIS's number (CRN, class number) or SIS key, whole"),
          integrationStatus: z
            .enum(INTEGRATION_STATES)
            .optional()
            .describe('Only sections in this integration status (needs integrationStatus.view; terms where sync is on)'),
          sort: z.enum(SECTION_SORTS).default('code'),
          limit,
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(section), ...problems },
      },
    },
    async (request) => {
      const actor = requirePermission(request, 'sections.view');
      let integrationTermIds: string[] | undefined;
      if (request.query.integrationStatus) {
        const terms = await visibleStatusTerms(db, actor, 'section');
        if (!terms) throw new ForbiddenError('Filtering by integration status needs integrationStatus.view.');
        integrationTermIds = [...terms];
      }
      const page = await listSections(db, actor, { ...request.query, integrationTermIds });
      return { ...page, items: await shown(actor, page.items) };
    },
  );

  app.get(
    '/api/v1/sections/:id/integration-status',
    {
      schema: {
        tags,
        summary: "A section's integration status: state, attempts, next retry, the SIS's messages",
        description: 'Needs integrationStatus.view; 404 where integration is off for the section\'s term.',
        params: idParams,
        response: { 200: integrationStatusView, ...problems },
      },
    },
    async (request) => {
      const actor = requirePermission(request, 'integrationStatus.view');
      const [found] = await shown(actor, [await readSection(db, actor, request.params.id)]);
      if (!found.integrationStatus) throw new NotFoundError('integration status of section', request.params.id);
      return found.integrationStatus;
    },
  );

  app.get(
    '/api/v1/sections/:id',
    { schema: { tags, summary: 'One section', params: idParams, response: { 200: section, ...problems } } },
    async (request) => {
      const actor = requirePermission(request, 'sections.view');
      return (await shown(actor, [await readSection(db, actor, request.params.id)]))[0];
    },
  );

  app.post(
    '/api/v1/sections',
    { schema: { tags, summary: 'Create a section', body: sectionCreate, response: { 201: section, ...problems } } },
    async (request, reply) => {
      const actor = requirePermission(request, 'sections.view');
      return reply.code(201).send(await savedOne(actor, (h) => createSection(db, actor, request.body, clock(), h)));
    },
  );

  app.patch(
    '/api/v1/sections/:id',
    {
      schema: {
        tags,
        summary: 'Edit a section (send the version you read; meetings and instructors replace the lists)',
        params: idParams,
        body: sectionPatch,
        response: { 200: section, ...problems },
      },
    },
    async (request) => {
      const actor = requirePermission(request, 'sections.view');
      return savedOne(actor, (h) => updateSection(db, actor, request.params.id, request.body, clock(), h));
    },
  );

  app.post(
    '/api/v1/sections/bulk-edit',
    {
      schema: {
        tags,
        summary: `Edit up to ${MAX_BULK_EDITS} sections at once, all or nothing`,
        description:
          'Each edit is a section patch with its id and the version you read. One refused edit (phase, permission, stale version, ' +
          'validation) writes nothing; its problem names the edit by `index` and `id`.',
        body: bulkEdit,
        response: { 200: z.object({ items: z.array(section) }), ...problems },
      },
    },
    async (request) => {
      const actor = requirePermission(request, 'sections.view');
      const items = await saved(bulkEditSections(db, actor, request.body.edits, clock(), hooks));
      return { items: await answer(actor, items) };
    },
  );

  /** Cancel and reinstate (its undo): the version read in, the section out, under the same rules. */
  const statusAction = (action: 'cancel' | 'reinstate', summary: string, description: string, save: typeof cancelSection) =>
    app.post(
      `/api/v1/sections/:id/${action}`,
      { schema: { tags, summary, description, params: idParams, body: versionOnly, response: { 200: section, ...problems } } },
      async (request) => {
        const actor = requirePermission(request, 'sections.view');
        return savedOne(actor, (h) => save(db, actor, request.params.id, request.body.version, clock(), h));
      },
    );
  statusAction('cancel', 'Cancel a section', "Needs sections.cancel and the phase rules' mayCancel. Cancelling a cancelled section changes nothing.", cancelSection);
  statusAction(
    'reinstate',
    'Reinstate a cancelled section (make it active again)',
    "The undo of a cancel, under the same rules: sections.cancel and the phase rules' mayCancel. Audited as `reinstate` and " +
      'posted to the SIS like a cancel. Reinstating an active section changes nothing.',
    reinstateSection,
  );

  app.delete(
    '/api/v1/sections/:id',
    {
      schema: { tags, summary: 'Delete a section', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await saved(deleteSection(db, requirePermission(request, 'sections.view'), request.params.id, request.query.version, clock(), hooks));
      return reply.code(204).send(null);
    },
  );
};
