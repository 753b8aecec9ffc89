// Keyset paging through a 20k-section term: a page deep in the term should cost what the first
// page costs. OFFSET paging, measured alongside on the same data, is what it replaces.
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { performance } from 'node:perf_hooks';
import { seedRoles } from '../src/auth/roles.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { SYSTEM_ACTOR } from '../src/domain/permissions.ts';
import { listSections } from '../src/store/sections.ts';

const SECTIONS = 20_000;
const PAGE = 50;

async function median(runs: number, fn: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export async function paging() {
  // Always a throwaway in-memory database: a benchmark must never touch a configured one.
  const database = await openDatabase({ pglite: await PGlite.create({ postgresqlconf: ['shared_buffers=16MB'] }) });
  const { db } = database;
  await migrateToLatest(db);
  await seedRoles(db);
  const term = await db.insertInto('terms').values({ code: 'bench', name: 'Bench', starts_on: '2026-08-24', ends_on: '2026-12-18' }).returning('id').executeTakeFirstOrThrow();
  await sql`insert into courses (subject, number, title) select 'S' || (g % 40), g::text, 'C' || g from generate_series(1, 400) g`.execute(db);
  await sql`insert into sections (term_id, course_id, section_number, component)
    select ${term.id}, c.id, n::text, 'LEC' from courses c cross join generate_series(1, ${SECTIONS / 400}) n`.execute(db);
  await sql`analyze`.execute(db);

  // Walk to the last page once to get its cursor, then time the first and the last page.
  let cursor: string | undefined;
  let lastCursor: string | undefined;
  let pages = 0;
  const walkStart = performance.now();
  do {
    const page = await listSections(db, SYSTEM_ACTOR, { termId: term.id, limit: PAGE, cursor });
    lastCursor = cursor;
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  const walk = performance.now() - walkStart;

  const first = await median(15, () => listSections(db, SYSTEM_ACTOR, { termId: term.id, limit: PAGE }));
  const last = await median(15, () => listSections(db, SYSTEM_ACTOR, { termId: term.id, limit: PAGE, cursor: lastCursor }));
  const offsetLast = await median(15, () =>
    sql`select s.id from sections s join courses c on c.id = s.course_id where s.term_id = ${term.id}
        order by c.subject, c.number, s.section_number, s.id offset ${SECTIONS - PAGE} limit ${PAGE}`.execute(db),
  );
  const offsetFirst = await median(15, () =>
    sql`select s.id from sections s join courses c on c.id = s.course_id where s.term_id = ${term.id}
        order by c.subject, c.number, s.section_number, s.id limit ${PAGE}`.execute(db),
  );
  console.log(`database: ${database.kind}, ${SECTIONS} sections, pages of ${PAGE}`);
  console.log(`whole term, ${pages} pages through the store: ${walk.toFixed(0)} ms (${(walk / pages).toFixed(1)} ms/page)`);
  console.log(`keyset: first page ${first.toFixed(1)} ms, last page ${last.toFixed(1)} ms, last/first ${(last / first).toFixed(2)}`);
  console.log(`offset (ids only): first ${offsetFirst.toFixed(1)} ms, last ${offsetLast.toFixed(1)} ms, last/first ${(offsetLast / offsetFirst).toFixed(2)}`);
  await database.close();
}
