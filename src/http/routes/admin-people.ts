// The admin console's people: users, roles, API tokens. Each needs the Admin product.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { createRole, deleteRole, getRole, listRoles, updateRole } from '../../auth/roles.ts';
import { createToken, listTokens, revokeToken } from '../../auth/tokens.ts';
import { adminWarnings, createUser, getUser, listUsers, updateUser } from '../../auth/users.ts';
import type { DB } from '../../db/schema.ts';
import { apiToken, role, roleInput, tokenCreate, user, userCreate, userPatch } from '../../domain/people.ts';
import { requireAdmin } from '../auth.ts';
import { idParams, problems } from '../schemas.ts';

const withWarnings = <T extends z.ZodType>(item: T) => z.object({ user: item, warnings: z.array(z.string()) });

export const adminPeopleRoutes = (db: Kysely<DB>): FastifyPluginAsyncZod => async (app) => {
  const tags = ['admin: users'];
  app.get(
    '/api/v1/admin/users',
    {
      schema: {
        tags,
        summary: 'Users, with a warning when more than two hold Admin',
        response: { 200: z.object({ items: z.array(user), warnings: z.array(z.string()) }), ...problems },
      },
    },
    async (request) => {
      requireAdmin(request, 'users.manage');
      return listUsers(db);
    },
  );
  app.get('/api/v1/admin/users/:id', { schema: { tags, summary: 'One user', params: idParams, response: { 200: user, ...problems } } }, async (request) => {
    requireAdmin(request, 'users.manage');
    return getUser(db, request.params.id);
  });
  app.post(
    '/api/v1/admin/users',
    { schema: { tags, summary: 'Add a user (Admin is never a user\'s only product)', body: userCreate, response: { 201: withWarnings(user), ...problems } } },
    async (request, reply) => {
      const created = await createUser(db, requireAdmin(request, 'users.manage'), request.body);
      return reply.code(201).send({ user: created, warnings: await adminWarnings(db) });
    },
  );
  app.patch(
    '/api/v1/admin/users/:id',
    { schema: { tags, summary: 'Edit a user', params: idParams, body: userPatch, response: { 200: withWarnings(user), ...problems } } },
    async (request) => {
      const updated = await updateUser(db, requireAdmin(request, 'users.manage'), request.params.id, request.body);
      return { user: updated, warnings: await adminWarnings(db) };
    },
  );

  const roleTags = ['admin: roles'];
  app.get('/api/v1/admin/roles', { schema: { tags: roleTags, summary: 'Roles', response: { 200: z.object({ items: z.array(role) }), ...problems } } }, async (request) => {
    requireAdmin(request, 'users.manage');
    return { items: await listRoles(db) };
  });
  app.get('/api/v1/admin/roles/:id', { schema: { tags: roleTags, summary: 'One role', params: idParams, response: { 200: role, ...problems } } }, async (request) => {
    requireAdmin(request, 'users.manage');
    return getRole(db, request.params.id);
  });
  app.post(
    '/api/v1/admin/roles',
    { schema: { tags: roleTags, summary: 'Add a role', body: roleInput, response: { 201: role, ...problems } } },
    async (request, reply) => reply.code(201).send(await createRole(db, requireAdmin(request, 'roles.edit'), request.body)),
  );
  app.put(
    '/api/v1/admin/roles/:id',
    { schema: { tags: roleTags, summary: 'Replace a role\'s name and permissions', params: idParams, body: roleInput, response: { 200: role, ...problems } } },
    async (request) => updateRole(db, requireAdmin(request, 'roles.edit'), request.params.id, request.body),
  );
  app.delete(
    '/api/v1/admin/roles/:id',
    { schema: { tags: roleTags, summary: 'Delete an unused custom role', params: idParams, response: { 204: z.null(), ...problems } } },
    async (request, reply) => {
      await deleteRole(db, requireAdmin(request, 'roles.edit'), request.params.id);
      return reply.code(204).send(null);
    },
  );

  const tokenTags = ['admin: API tokens'];
  app.get(
    '/api/v1/admin/api-tokens',
    { schema: { tags: tokenTags, summary: 'API tokens (never their secrets)', response: { 200: z.object({ items: z.array(apiToken) }), ...problems } } },
    async (request) => {
      requireAdmin(request, 'tokens.manage');
      return { items: await listTokens(db) };
    },
  );
  app.post(
    '/api/v1/admin/api-tokens',
    {
      schema: {
        tags: tokenTags,
        summary: 'Create a token; its secret is shown in this answer only',
        body: tokenCreate,
        response: { 201: z.object({ token: apiToken, secret: z.string() }), ...problems },
      },
    },
    async (request, reply) => reply.code(201).send(await createToken(db, requireAdmin(request, 'tokens.manage'), request.body)),
  );
  app.post(
    '/api/v1/admin/api-tokens/:id/revoke',
    { schema: { tags: tokenTags, summary: 'Revoke a token', params: idParams, response: { 200: apiToken, ...problems } } },
    async (request) => revokeToken(db, requireAdmin(request, 'tokens.manage'), request.params.id),
  );
};
