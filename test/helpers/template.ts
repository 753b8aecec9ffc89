import { seedRoles } from '../../src/auth/roles.ts';
import { openDatabase, type DatabaseOptions } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/** A migrated database with the seeded roles and no users: what every test starts from. */
export async function bootstrapRolesOnly(options: DatabaseOptions) {
  const database = await openDatabase(options);
  try {
    await migrateToLatest(database.db);
    await seedRoles(database.db);
  } finally {
    await database.close();
  }
}
