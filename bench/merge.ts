// `npm run bench -- merge`: a synthetic institution of 3 terms × 15,000 sections in the SIS
// simulator (its own process, over HTTP), merged into an embedded hub (or PostgreSQL with
// BENCH_DATABASE_URL). Prints the full merge time, the pure fetch+parse time of the same requests
// (on a new connector, as the first import made them, and on the merge's own), their ratios, a
// no-change re-merge with its row writes, and peak RSS of the hub process (on PostgreSQL, without
// the database server's). Targets: ratio ≤ 1.5; re-merge ≤ 1.1 × fetch with 0 writes;
// RSS < 512 MB.
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { seedRoles } from '../src/auth/roles.ts';
import { MERGE_TYPES, type MergeType } from '../src/domain/merge-settings.ts';
import { SYSTEM_ACTOR } from '../src/domain/permissions.ts';
import { startRuntime } from '../src/runtime.ts';
import { connectorSettings } from '../src/sis/settings.ts';
import { SisFetcher } from '../src/sync/fetcher.ts';
import { fetchItem, type ItemContext } from '../src/sync/merge-item.ts';
import { executeRun } from '../src/sync/merge-runner.ts';
import { getRun, startRun } from '../src/sync/runs.ts';
import { openBenchDatabase } from './database.ts';
import { API_KEY, startSimProcess } from './sim.ts';

const SECTIONS_PER_TERM = Number(process.env.BENCH_SECTIONS ?? 15_000);

// Rows inserted or updated since a transaction id, in the schedule's tables and the audit log
// (xmin is exact and immediate, unlike the statistics views, which are flushed lazily). xmin is
// the 32-bit id, so the id compared with it drops txid_current()'s epoch.
const WRITTEN_TABLES = ['terms', 'term_parts', 'departments', 'buildings', 'rooms', 'instructors', 'courses', 'sections', 'meetings', 'section_instructors', 'relationships', 'relationship_members', 'audit_log'];
async function rowsWrittenSince(db: Parameters<typeof seedRoles>[0], txid: number): Promise<number> {
  let total = 0;
  // The run's own records (merge_runs, its items and report, the audit entry saying who started
  // it) are the run, not writes of the merge.
  for (const table of WRITTEN_TABLES) {
    const own = table === 'audit_log' ? sql`and entity_type <> 'merge_run'` : sql``;
    total += Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where xmin::text::bigint > ${txid} ${own}`.execute(db)).rows[0].n);
  }
  return total;
}

export async function merge() {
  const sim = await startSimProcess({ sections: SECTIONS_PER_TERM });
  const database = await openBenchDatabase('merge');
  try {
    await seedRoles(database.db);
    const settings = { kind: 'ethos', baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 60_000 } as const;
    const runtime = await startRuntime({ database, sis: { settings, source: 'environment' }, workers: false, nightlyCheckMs: 0 });
    const { connector, fetcher } = await runtime.connections.forMerge();
    const terms = (await connector.listTerms()).map((t) => t.code);
    const mergeAll = async () => {
      const id = await startRun(database.db, runtime.queue, SYSTEM_ACTOR, 'manual', {
        types: [...MERGE_TYPES],
        terms,
        sendUpdates: false,
        dryRun: false,
        allowEmpty: false,
        force: false,
      });
      const start = performance.now();
      await executeRun({ db: database.db, connections: runtime.connections }, id);
      const ms = performance.now() - start;
      const run = await getRun(database.db, id);
      if (run.status !== 'succeeded') throw new Error(`merge ${run.status}: ${JSON.stringify(run.items.filter((i) => i.status !== 'succeeded'))}`);
      return { ms, run };
    };

    const first = await mergeAll();
    // Fetch + parse alone: the same pages, validated and converted, nothing read or written in the
    // hub. Twice, each as the merge it is compared with fetched: on a new fetch thread (a new
    // connector, which looks up once per section what the first import looked up: the term of each
    // Ethos crosslist), and on the runtime's thread, which the re-merge reuses.
    const fetchAll = async (fetcher: Pick<SisFetcher, 'fetch'>) => {
      const ctx = { fetcher, onFetched: () => {} } as unknown as ItemContext;
      const start = performance.now();
      for (const type of MERGE_TYPES.filter((t) => !['courses', 'sections', 'relationships'].includes(t))) await fetchItem(ctx, type as MergeType, null, null);
      for (const term of await connector.listTerms())
        for (const type of connector.capabilities.mergeOrder) await fetchItem(ctx, type, term.code, term.key);
      return performance.now() - start;
    };
    const coldFetcher = new SisFetcher(connectorSettings.parse(settings));
    const coldFetchMs = await fetchAll(coldFetcher);
    await coldFetcher.close();
    const fetchMs = await fetchAll(fetcher);

    const txid = Number((await sql<{ t: string }>`select txid_current() % 4294967296 as t`.execute(database.db)).rows[0].t);
    const again = await mergeAll();
    const writes = await rowsWrittenSince(database.db, txid);
    const sections = first.run.items.filter((i) => i.type === 'sections').reduce((n, i) => n + (i.counts.created ?? 0), 0);
    const changed = again.run.items.reduce((n, i) => n + (i.counts.created ?? 0) + (i.counts.updated ?? 0) + (i.counts.deleted ?? 0), 0);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const hub = database.kind === 'pglite' ? 'embedded PGlite on disk' : 'PostgreSQL (its server is another process)';
    console.log(`SIS: ethos simulator in its own process, ${terms.length} terms × ${SECTIONS_PER_TERM} sections (${sections} imported); hub: ${hub}`);
    console.log(`full merge (first import):  ${(first.ms / 1000).toFixed(1)} s`);
    console.log(`fetch + parse, same pages:  ${(coldFetchMs / 1000).toFixed(1)} s on a new connector, ${(fetchMs / 1000).toFixed(1)} s on the merge's (its lookups made)`);
    console.log(`ratio merge / fetch:        ${(first.ms / coldFetchMs).toFixed(2)}   (target ≤ 1.5)`);
    console.log(`no-change re-merge:         ${(again.ms / 1000).toFixed(1)} s, ratio to fetch ${(again.ms / fetchMs).toFixed(2)} (target ≤ 1.1)`);
    console.log(`re-merge records changed:   ${changed}; rows written to the schedule and audit log: ${writes} (target 0)`);
    console.log(`peak RSS of the hub process: ${rssMb.toFixed(0)} MB (target < 512)`);
    await runtime.stop();
  } finally {
    await database.close();
    sim.stop();
  }
}
