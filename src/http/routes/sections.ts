import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import { section, sectionCreate, sectionPatch, versionOnly } from '../../domain/schedule.ts';
import {
  bulkEditSections,
  cancelSection,
  createSection,
  deleteSection,
  getSection,
  listSections,
  MAX_BULK_EDITS,
  SECTION_SORTS,
  updateSection,
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

export const sectionRoutes = (db: Kysely<DB>, clock: () => Date = () => new Date()): FastifyPluginAsyncZod => async (app) => {
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
          q: z.string().max(100).optional().describe('Text: course code, title, section number or SIS key'),
          sort: z.enum(SECTION_SORTS).default('code'),
          limit,
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(section), ...problems },
      },
    },
    async (request) => listSections(db, requirePermission(request, 'sections.view'), request.query),
  );

  app.get(
    '/api/v1/sections/:id',
    { schema: { tags, summary: 'One section', params: idParams, response: { 200: section, ...problems } } },
    async (request) => getSection(db, requirePermission(request, 'sections.view'), request.params.id),
  );

  app.post(
    '/api/v1/sections',
    { schema: { tags, summary: 'Create a section', body: sectionCreate, response: { 201: section, ...problems } } },
    async (request, reply) => {
      const created = await createSection(db, requirePermission(request, 'sections.view'), request.body, clock());
      return reply.code(201).send(created);
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
    async (request) => updateSection(db, requirePermission(request, 'sections.view'), request.params.id, request.body, clock()),
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
    async (request) => ({ items: await bulkEditSections(db, requirePermission(request, 'sections.view'), request.body.edits, clock()) }),
  );

  app.post(
    '/api/v1/sections/:id/cancel',
    { schema: { tags, summary: 'Cancel a section', params: idParams, body: versionOnly, response: { 200: section, ...problems } } },
    async (request) => cancelSection(db, requirePermission(request, 'sections.view'), request.params.id, request.body.version, clock()),
  );

  app.delete(
    '/api/v1/sections/:id',
    {
      schema: { tags, summary: 'Delete a section', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      await deleteSection(db, requirePermission(request, 'sections.view'), request.params.id, request.query.version, clock());
      return reply.code(204).send(null);
    },
  );
};
