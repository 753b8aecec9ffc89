// Phases: a term's dated edit rules (/terms/{id}/phases), what the caller may do now
// (/terms/{id}/edit-rules), the term's rules outside its phases (/terms/{id}/edit-defaults),
// reusable templates (/admin/phases/templates) and the institution's time zone (/admin/institution).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../db/schema.ts';
import {
  editRules,
  institutionSettings,
  institutionSettingsWrite,
  phase,
  phaseCreate,
  phasePatch,
  phaseTemplate,
  phaseTemplateWrite,
  roleRule,
  templateApply,
  termEditDefaults,
} from '../../domain/phases.ts';
import {
  applyTemplate,
  createPhase,
  createTemplate,
  deletePhase,
  deleteTemplate,
  editRulesFor,
  getInstitutionSettings,
  getPhase,
  getTemplate,
  getTermEditDefaults,
  listPhases,
  listTemplates,
  putTermEditDefaults,
  updateInstitutionSettings,
  updatePhase,
  updateTemplate,
} from '../../store/phases.ts';
import { requireAdmin, requirePermission } from '../auth.ts';
import { idParams, problems, versionQuery } from '../schemas.ts';

const termPhaseParams = z.strictObject({ id: z.uuid(), phaseId: z.uuid() });
const termEditDefaultsView = z
  .object({ termId: z.string(), rules: z.array(roleRule).nullable(), version: z.int().describe('0 until first set') })
  .meta({ id: 'TermEditDefaultsView' });
const templateUpdate = phaseTemplateWrite.extend({ version: z.int().positive() }).meta({ id: 'PhaseTemplateUpdate' });

export const phaseRoutes = (db: Kysely<DB>, clock: () => Date = () => new Date()): FastifyPluginAsyncZod => async (app) => {
  const tags = ['phases'];

  app.get(
    '/api/v1/terms/:id/phases',
    { schema: { tags, summary: "A term's phases, in order", params: idParams, response: { 200: z.object({ items: z.array(phase) }), ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return { items: await listPhases(db, request.params.id) };
    },
  );
  app.get(
    '/api/v1/terms/:id/phases/:phaseId',
    { schema: { tags, summary: 'One phase', params: termPhaseParams, response: { 200: phase, ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return getPhase(db, request.params.id, request.params.phaseId);
    },
  );
  app.post(
    '/api/v1/terms/:id/phases',
    {
      schema: {
        tags,
        summary: 'Add a phase (phases.edit; with role rules also roles.edit). An overlap with another phase is refused (409).',
        params: idParams,
        body: phaseCreate,
        response: { 201: phase, ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await createPhase(db, requirePermission(request, 'phases.edit'), request.params.id, request.body)),
  );
  app.patch(
    '/api/v1/terms/:id/phases/:phaseId',
    {
      schema: {
        tags,
        summary: 'Edit a phase (send the version you read; changing rules also needs roles.edit)',
        params: termPhaseParams,
        body: phasePatch,
        response: { 200: phase, ...problems },
      },
    },
    async (request) => updatePhase(db, requirePermission(request, 'phases.edit'), request.params.id, request.params.phaseId, request.body),
  );
  app.delete(
    '/api/v1/terms/:id/phases/:phaseId',
    { schema: { tags, summary: 'Remove a phase', params: termPhaseParams, querystring: versionQuery, response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      await deletePhase(db, requirePermission(request, 'phases.edit'), request.params.id, request.params.phaseId, request.query.version);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/terms/:id/edit-rules',
    {
      schema: {
        tags,
        summary: "What the caller may do to this term's sections now, and the phase in force",
        params: idParams,
        response: { 200: editRules, ...problems },
      },
    },
    async (request) => editRulesFor(db, requirePermission(request, 'sections.view'), request.params.id, clock()),
  );

  app.get(
    '/api/v1/terms/:id/edit-defaults',
    { schema: { tags, summary: "The term's rules outside every phase (null: each role's own permissions)", params: idParams, response: { 200: termEditDefaultsView, ...problems } } },
    async (request) => {
      requirePermission(request, 'sections.view');
      return getTermEditDefaults(db, request.params.id);
    },
  );
  app.put(
    '/api/v1/terms/:id/edit-defaults',
    {
      schema: {
        tags,
        summary: "Set the term's rules outside every phase (phases.edit and roles.edit)",
        params: idParams,
        body: termEditDefaults,
        response: { 200: termEditDefaultsView, ...problems },
      },
    },
    async (request) => putTermEditDefaults(db, requirePermission(request, 'phases.edit'), request.params.id, request.body.rules),
  );

  const adminTags = ['admin: phases'];
  app.get(
    '/api/v1/admin/phases/templates',
    { schema: { tags: adminTags, summary: 'Phase templates', response: { 200: z.object({ items: z.array(phaseTemplate) }), ...problems } } },
    async (request) => {
      requireAdmin(request, 'phases.edit');
      return { items: await listTemplates(db) };
    },
  );
  app.get(
    '/api/v1/admin/phases/templates/:id',
    { schema: { tags: adminTags, summary: 'One phase template', params: idParams, response: { 200: phaseTemplate, ...problems } } },
    async (request) => {
      requireAdmin(request, 'phases.edit');
      return getTemplate(db, request.params.id);
    },
  );
  app.post(
    '/api/v1/admin/phases/templates',
    {
      schema: {
        tags: adminTags,
        summary: 'Add a phase template: phases dated in days from the start date of the term it is applied to',
        body: phaseTemplateWrite,
        response: { 201: phaseTemplate, ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await createTemplate(db, requireAdmin(request, 'phases.edit'), request.body)),
  );
  app.put(
    '/api/v1/admin/phases/templates/:id',
    {
      schema: { tags: adminTags, summary: 'Replace a phase template (send the version you read)', params: idParams, body: templateUpdate, response: { 200: phaseTemplate, ...problems } },
    },
    async (request) => updateTemplate(db, requireAdmin(request, 'phases.edit'), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/admin/phases/templates/:id',
    { schema: { tags: adminTags, summary: 'Delete a phase template (phases already applied stay)', params: idParams, querystring: versionQuery, response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      await deleteTemplate(db, requireAdmin(request, 'phases.edit'), request.params.id, request.query.version);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/v1/admin/phases/templates/:id/apply',
    {
      schema: {
        tags: adminTags,
        summary: "Give terms the template's phases, all terms or none (an overlap is refused unless replace)",
        params: idParams,
        body: templateApply,
        response: { 200: z.object({ terms: z.array(z.object({ termId: z.string(), phases: z.array(phase) })) }), ...problems },
      },
    },
    async (request) => applyTemplate(db, requireAdmin(request, 'phases.edit'), request.params.id, request.body),
  );

  const institutionTags = ['admin: institution'];
  app.get(
    '/api/v1/admin/institution',
    { schema: { tags: institutionTags, summary: "The institution's settings: its time zone", response: { 200: institutionSettings, ...problems } } },
    async (request) => {
      requireAdmin(request, 'mergeSettings.edit');
      return getInstitutionSettings(db);
    },
  );
  app.put(
    '/api/v1/admin/institution',
    {
      schema: {
        tags: institutionTags,
        summary: 'Set the institution time zone (IANA name)',
        description:
          "The one time zone of the institution: phases, the merge settings' nightly time, the ended-term warnings and the Course API's academic year (unless its settings name another zone) are read in it.",
        body: institutionSettingsWrite,
        response: { 200: institutionSettings, ...problems },
      },
    },
    async (request) => updateInstitutionSettings(db, requireAdmin(request, 'mergeSettings.edit'), request.body),
  );
};
