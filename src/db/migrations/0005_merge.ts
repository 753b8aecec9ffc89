// The merge engine's state: merge settings (one versioned document and its history), the SIS
// connection, merge runs with their per type × term items and per-object report, the nightly
// ledger that lets exactly one process run each night, and per-record source-of-truth overrides.
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table merge_settings (
    id integer primary key check (id = 1),
    version integer not null,
    document jsonb not null,
    updated_at timestamptz not null default now()
  )`,
  `create table merge_settings_history (
    version integer primary key,
    document jsonb not null,
    actor_name text not null,
    comment text,
    at timestamptz not null default now()
  )`,
  `create table sis_connection (
    id integer primary key check (id = 1),
    settings jsonb not null,
    updated_at timestamptz not null default now()
  )`,
  `create table merge_runs (
    id uuid primary key default gen_random_uuid(),
    trigger text not null check (trigger in ('manual', 'nightly', 'real_time')),
    actor_name text not null,
    options jsonb not null,
    status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'partial', 'failed')),
    queued_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    heartbeat_at timestamptz,
    error text
  )`,
  `create index merge_runs_queued on merge_runs (queued_at desc, id)`,
  `create table merge_run_items (
    run_id uuid not null references merge_runs(id) on delete cascade,
    position integer not null,
    merge_type text not null,
    term_code text,
    status text not null default 'waiting' check (status in ('waiting', 'running', 'succeeded', 'partial', 'failed', 'refused')),
    counts jsonb not null default '{}',
    fetched integer not null default 0,
    error text,
    started_at timestamptz,
    finished_at timestamptz,
    primary key (run_id, position)
  )`,
  // One run per merge type × term at a time: a second request collides here.
  `create unique index merge_run_items_one_active on merge_run_items (merge_type, coalesce(term_code, '')) where status in ('waiting', 'running')`,
  `create table merge_run_changes (
    id bigserial primary key,
    run_id uuid not null references merge_runs(id) on delete cascade,
    merge_type text not null,
    term_code text,
    kind text not null check (kind in ('created', 'updated', 'deleted', 'conflict', 'error')),
    entity_id text,
    sis_key text,
    label text not null,
    fields jsonb not null default '[]',
    message text,
    raw jsonb
  )`,
  `create index merge_run_changes_run on merge_run_changes (run_id, id)`,
  `create table nightly_runs (
    local_date date primary key,
    run_id uuid references merge_runs(id) on delete set null,
    started_at timestamptz not null default now()
  )`,
  `alter table sections add column source_of_truth text check (source_of_truth in ('sis', 'hub', 'none'))`,
  `alter table relationships add column source_of_truth text check (source_of_truth in ('sis', 'hub', 'none'))`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
