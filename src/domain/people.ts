// Users, roles and API tokens as the API speaks them.
import { z } from 'zod';
import { email as emailAddress, listOf, oneOf, ref, requiredText, text, typeError, version, yesNo } from './field-schemas.ts';
import { PERMISSIONS, PRODUCTS } from './permissions.ts';

const password = text('Password', 200, { trim: false }).min(12, 'Use at least 12 characters');
const products = z.array(oneOf('Product', PRODUCTS), { error: typeError('Products', 'Products must be a list') }).min(1, 'A user needs at least one product');
const email = emailAddress('Email').trim().toLowerCase();
const departmentIds = listOf(ref('Department'), 'Departments', 500, 'A user');

export const userCreate = z
  .strictObject({
    email,
    name: requiredText('Name', 200),
    password: password.optional().describe('Omit to create a user who cannot sign in yet'),
    roleId: ref('Role'),
    products: products.default(['scheduling']),
    departmentIds: departmentIds.default([]),
  })
  .meta({ id: 'UserCreate' });
export type UserCreate = z.output<typeof userCreate>;

export const userPatch = z
  .strictObject({
    version,
    name: requiredText('Name', 200).optional(),
    password: password.optional(),
    roleId: ref('Role').optional(),
    products: products.optional(),
    departmentIds: departmentIds.optional(),
    disabled: yesNo('Disabled').optional(),
  })
  .meta({ id: 'UserPatch' });
export type UserPatch = z.output<typeof userPatch>;

export const user = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roleId: z.string(),
    roleName: z.string(),
    products: z.array(z.enum(PRODUCTS)),
    departmentIds: z.array(z.string()),
    permissions: z.array(z.enum(PERMISSIONS)),
    disabled: z.boolean(),
    version: z.int(),
    createdAt: z.string(),
  })
  .meta({ id: 'User' });
export type User = z.output<typeof user>;

export const roleInput = z
  .strictObject({
    name: requiredText('Name', 100),
    description: text('Description', 1000, { trim: false }).default(''),
    permissions: listOf(oneOf('Permission', PERMISSIONS), 'Permissions', PERMISSIONS.length, 'A role'),
    departmentScoped: yesNo('Department scoped').default(false),
  })
  .meta({ id: 'RoleDefinition' });
export type RoleInput = z.output<typeof roleInput>;

export const role = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    permissions: z.array(z.enum(PERMISSIONS)),
    departmentScoped: z.boolean(),
    builtin: z.boolean(),
  })
  .meta({ id: 'Role' });
export type Role = z.output<typeof role>;

export const tokenCreate = z
  .strictObject({
    name: requiredText('Name', 100),
    roleId: ref('Role'),
    kind: oneOf('Kind', ['api', 'record_system']).default('api'),
  })
  .meta({ id: 'TokenCreate' });
export type TokenCreate = z.output<typeof tokenCreate>;

export const apiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('The first characters of the token, to recognise it'),
    roleId: z.string(),
    kind: z.enum(['api', 'record_system']),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.output<typeof apiToken>;
