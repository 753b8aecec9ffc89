// Products, permissions and the seeded roles. Pure: who may do what is decided here and nowhere
// else; the HTTP and CLI layers only ask.
import { z } from 'zod';

export const PRODUCTS = ['scheduling', 'admin'] as const;
export type Product = (typeof PRODUCTS)[number];

export const PERMISSIONS = [
  'sections.view',
  'sections.edit',
  'sections.create',
  'sections.cancel',
  'sections.delete',
  'relationships.edit',
  'courses.edit',
  'terms.edit',
  'referenceData.edit',
  'integrationStatus.view',
  'merges.execute',
  'mergeSettings.edit',
  'phases.edit',
  'phases.bypass',
  'roles.edit',
  'users.manage',
  'tokens.manage',
  'audit.view',
  'courseApi.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const productSchema = z.enum(PRODUCTS);
export const permissionSchema = z.enum(PERMISSIONS);

/** Admin is an add-on: a user holding only Admin could open the console but no schedule. */
export function productsProblem(products: readonly Product[]): string | undefined {
  if (products.length === 0) return 'A user needs at least one product.';
  if (products.includes('admin') && products.length === 1)
    return 'Admin cannot be a user\'s only product: give the user Scheduling as well.';
  return undefined;
}

/** More than two Admin holders is allowed but flagged: the console controls the whole integration. */
export const MAX_ADMINS_BEFORE_WARNING = 2;
export function adminCountWarning(adminCount: number): string | undefined {
  return adminCount > MAX_ADMINS_BEFORE_WARNING
    ? `${adminCount} users hold the Admin product; keep it to at most ${MAX_ADMINS_BEFORE_WARNING}.`
    : undefined;
}

export interface SeededRole {
  name: string;
  description: string;
  permissions: Permission[];
  departmentScoped: boolean;
}

export const SEEDED_ROLES: readonly SeededRole[] = [
  {
    name: 'Registrar',
    description: 'Everything: the schedule, the integration, phases, people and the audit log.',
    permissions: PERMISSIONS.filter((p) => p !== 'courseApi.write'),
    departmentScoped: false,
  },
  {
    name: 'Scheduler',
    description: 'Views and edits the sections of the departments assigned to the user.',
    permissions: ['sections.view', 'sections.edit'],
    departmentScoped: true,
  },
  {
    name: 'Viewer',
    description: 'Reads the schedule.',
    permissions: ['sections.view'],
    departmentScoped: false,
  },
  {
    name: 'Record system',
    description: 'A record-system client of the Course API: submits and amends courses.',
    permissions: ['courseApi.write'],
    departmentScoped: false,
  },
];

/** Who is acting: a signed-in user, an API token, or the system (merge runs, nightly). */
export interface Actor {
  type: 'user' | 'token' | 'system';
  id: string | null;
  name: string;
  permissions: ReadonlySet<Permission>;
  products: readonly Product[];
  /** Department ids the actor is limited to, or null when not limited. */
  departmentIds: readonly string[] | null;
  roleId: string | null;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

/** Whether a department-scoped actor reaches a record of this department. */
export function reachesDepartment(actor: Actor, departmentId: string | null): boolean {
  if (actor.departmentIds === null) return true;
  return departmentId !== null && actor.departmentIds.includes(departmentId);
}

export const SYSTEM_ACTOR: Actor = {
  type: 'system',
  id: null,
  name: 'system',
  permissions: new Set(PERMISSIONS),
  products: PRODUCTS,
  departmentIds: null,
  roleId: null,
};
