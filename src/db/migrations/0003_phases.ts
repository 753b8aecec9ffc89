// Phases (issue #6): a term's dated edit rules, reusable phase templates, per-term default rules,
// and the institution's settings (one row; the time zone phases are read in — the merge engine
// adds its own columns later).
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table institution_settings (
    id boolean primary key default true check (id),
    time_zone text not null default 'America/Chicago',
    version integer not null default 1,
    updated_at timestamptz not null default now()
  )`,
  `insert into institution_settings (id) values (true)`,
  // starts_at / ends_at are wall-clock times 'YYYY-MM-DDTHH:MM' in the institution's time zone:
  // a phase starting "March 9, 00:00" starts at local midnight whatever the offset that day.
  `create table term_phases (
    id uuid primary key default gen_random_uuid(),
    term_id uuid not null references terms(id) on delete cascade,
    name text not null,
    description text not null default '',
    starts_at text not null check (starts_at ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$'),
    ends_at text not null check (ends_at ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$'),
    rules jsonb not null default '[]',
    merge_settings jsonb,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (ends_at > starts_at)
  )`,
  `create index term_phases_term on term_phases (term_id, starts_at)`,
  `create table term_edit_defaults (
    term_id uuid primary key references terms(id) on delete cascade,
    rules jsonb,
    version integer not null default 1,
    updated_at timestamptz not null default now()
  )`,
  `create table phase_templates (
    id uuid primary key default gen_random_uuid(),
    name text not null unique,
    description text not null default '',
    phases jsonb not null default '[]',
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
