// Run by data-dir.ts as a child process: creates a PGlite cluster in the given directory, applies
// the migrations and creates the job queue's schema, then exits — taking with it the resident
// memory that initdb and building a schema leave behind in PGlite (~0.8 GB, stack.md §2), which
// the long-lived server then never pays.
import { PGlite } from '@electric-sql/pglite';
import { startJobQueue } from '../jobs/queue.ts';
import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: initdb-child.ts <dir>');
const database = await openDatabase({ pglite: await PGlite.create({ dataDir: dir }) });
await migrateToLatest(database.db);
await (await startJobQueue(database)).stop();
await database.close();
await database.pglite!.close();
