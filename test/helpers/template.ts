import { seedRoles } from '../../src/auth/roles.ts';
import { openDatabase, type DatabaseOptions } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { startJobQueue } from '../../src/jobs/queue.ts';

/** A migrated database with the seeded roles, the job queue's schema and no users: what every test starts from. */
export async function bootstrapRolesOnly(options: DatabaseOptions) {
  const database = await openDatabase(options);
  try {
    await migrateToLatest(database.db);
    await seedRoles(database.db);
    // pg-boss creates its schema on first start: do it once here rather than in every test file.
    await (await startJobQueue(database)).stop();
  } finally {
    await database.close();
  }
}
