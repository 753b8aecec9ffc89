// Autovacuum's work, for the embedded database. PGlite runs PostgreSQL in single-user mode, where
// the autovacuum launcher never starts: without VACUUM, every row version an update or delete
// leaves behind keeps its space, so the tables that churn (each post rewrites its status row,
// pg-boss rewrites every job twice and deletes it later, merges rewrite sections and runs) grow
// without bound, and the planner never gets statistics. Measured on PGlite: 30 updates of 10,000
// indexed rows grew the table from 0.77 MB to 23 MB; after one VACUUM the next 30 reused that
// space. PostgreSQL's own autovacuum needs none of this; the runtime sweeps on PGlite only.
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

export interface Vacuumed {
  table: string;
  /** Dead row versions the statistics counted before. */
  deadRows: number;
  /** VACUUM (with ANALYZE), or ANALYZE alone where only the statistics were due. */
  action: 'vacuum' | 'analyze';
  ms: number;
}

interface Due {
  schema: string;
  table: string;
  dead: number;
  vacuum: boolean;
}

/**
 * Vacuums, or analyzes, each table that PostgreSQL's autovacuum would, by its default thresholds:
 * dead rows over 50 + 20 % of the live ones, rows inserted since the last vacuum over 1,000 + 20 %,
 * transaction ids older than 200 million (wraparound), or rows changed since the last analyze over
 * 50 + 10 %. One table at a time: on PGlite each statement holds the database while it runs.
 */
export async function vacuumDue(db: Kysely<DB>): Promise<Vacuumed[]> {
  // A backend publishes its statistics at most once a second; on PGlite this one wrote them all.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<Due>`
    select * from (
      select s.schemaname as schema, s.relname as table, s.n_dead_tup::int as dead,
        (s.n_dead_tup > 50 + 0.2 * s.n_live_tup
          or s.n_ins_since_vacuum > 1000 + 0.2 * s.n_live_tup
          or age(c.relfrozenxid) > 200000000) as vacuum,
        s.n_mod_since_analyze > 50 + 0.1 * s.n_live_tup as stale_statistics
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
      -- Tables and materialized views: a partitioned table has no rows of its own (its partitions are listed).
      where c.relkind in ('r', 'm')
    ) t
    where vacuum or stale_statistics
    order by dead desc`.execute(db);
  const done: Vacuumed[] = [];
  for (const due of rows) {
    const started = performance.now();
    const table = sql.id(due.schema, due.table);
    await (due.vacuum ? sql`vacuum (analyze) ${table}` : sql`analyze ${table}`).execute(db);
    done.push({ table: `${due.schema}.${due.table}`, deadRows: Number(due.dead), action: due.vacuum ? 'vacuum' : 'analyze', ms: performance.now() - started });
  }
  return done;
}
