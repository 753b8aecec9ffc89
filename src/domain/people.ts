// Users, roles and API tokens as the API speaks them.
import { z } from 'zod';
import { PERMISSIONS, PRODUCTS } from './permissions.ts';

const password = z.string().min(12, 'Use at least 12 characters').max(200);
const products = z.array(z.enum(PRODUCTS)).min(1, 'A user needs at least one product');
const email = z.email().trim().toLowerCase();

export const userCreate = z
  .strictObject({
    email,
    name: z.string().trim().min(1).max(200),
    password: password.optional().describe('Omit to create a user who cannot sign in yet'),
    roleId: z.uuid(),
    products: products.default(['scheduling']),
    departmentIds: z.array(z.uuid()).max(500).default([]),
  })
  .meta({ id: 'UserCreate' });
export type UserCreate = z.output<typeof userCreate>;

export const userPatch = z
  .strictObject({
    version: z.int().positive(),
    name: z.string().trim().min(1).max(200).optional(),
    password: password.optional(),
    roleId: z.uuid().optional(),
    products: products.optional(),
    departmentIds: z.array(z.uuid()).max(500).optional(),
    disabled: z.boolean().optional(),
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
    name: z.string().trim().min(1).max(100),
    description: z.string().max(1000).default(''),
    permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
    departmentScoped: z.boolean().default(false),
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
    name: z.string().trim().min(1).max(100),
    roleId: z.uuid(),
    kind: z.enum(['api', 'record_system']).default('api'),
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
