// The one check every section write passes, on every path (REST, bulk, CLI, web UI): the actor's
// permissions and department scope. Phases (a term's dated edit rules) plug in here too.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { can, reachesDepartment, type Actor, type Permission } from '../domain/permissions.ts';
import type { SectionField } from '../domain/schedule.ts';

export type SectionAction = 'create' | 'edit' | 'cancel' | 'delete';

export interface SectionWrite {
  action: SectionAction;
  termId: string;
  departmentId: string | null;
  /** For edits: the fields the change touches. */
  fields: readonly SectionField[];
}

const permissionFor: Record<SectionAction, Permission> = {
  create: 'sections.create',
  edit: 'sections.edit',
  cancel: 'sections.cancel',
  delete: 'sections.delete',
};

export async function checkSectionWrite(_db: Kysely<DB>, actor: Actor, write: SectionWrite): Promise<void> {
  const needed = permissionFor[write.action];
  if (!can(actor, needed)) throw new ForbiddenError(`Your role does not allow this (${needed}).`, { permission: needed });
  if (!reachesDepartment(actor, write.departmentId))
    throw new ForbiddenError('This section belongs to a department you are not assigned to.', { permission: needed });
}
