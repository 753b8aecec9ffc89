// Run by data-dir.ts as a child process: creates a PGlite cluster in the given directory and exits,
// taking initdb's large resident memory with it.
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) throw new Error('usage: initdb-child.ts <dir>');
const pglite = await PGlite.create({ dataDir: dir });
await pglite.close();
