// First start: the seeded roles, and one Registrar with Scheduling + Admin whose password comes
// from COURSEBRIDGE_ADMIN_PASSWORD or is generated and shown once.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { SYSTEM_ACTOR } from '../domain/permissions.ts';
import { roleByName, seedRoles } from './roles.ts';
import { generatePassword } from './secrets.ts';
import { createUser } from './users.ts';

export interface BootstrapResult {
  adminEmail?: string;
  /** Set only when the password was generated: print it once, it is not stored anywhere readable. */
  generatedPassword?: string;
}

export async function bootstrap(db: Kysely<DB>, env: { adminEmail?: string; adminPassword?: string }): Promise<BootstrapResult> {
  await seedRoles(db);
  const { n } = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  if (Number(n) > 0) return {};
  const email = env.adminEmail ?? 'admin@coursebridge.local';
  const password = env.adminPassword ?? generatePassword();
  const registrar = await roleByName(db, 'Registrar');
  await createUser(db, SYSTEM_ACTOR, {
    email,
    name: 'Administrator',
    password,
    roleId: registrar.id,
    products: ['scheduling', 'admin'],
    departmentIds: [],
  });
  return { adminEmail: email, ...(env.adminPassword ? {} : { generatedPassword: password }) };
}
