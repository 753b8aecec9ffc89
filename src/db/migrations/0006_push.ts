// The push engine's state: one integration status per posted record (section or relationship),
// which doubles as the outbox ledger (the version the hub wants in the SIS vs the one the SIS
// acknowledged), a lease so a record is never posted by two workers at once, and the
// notification subscriptions for integration runs.
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table integration_status (
    entity_type text not null check (entity_type in ('section', 'relationship')),
    entity_id uuid not null,
    term_id uuid,
    status text not null check (status in ('not_synced', 'pending', 'synced', 'error')),
    detail text,
    attempts integer not null default 0,
    last_attempt_at timestamptz,
    next_retry_at timestamptz,
    last_success_at timestamptz,
    queued_at timestamptz,
    wanted_version integer,
    pushed_version integer,
    error_code text,
    messages jsonb not null default '[]',
    raw jsonb,
    dismissed_at timestamptz,
    lease_owner text,
    lease_until timestamptz,
    updated_at timestamptz not null default now(),
    primary key (entity_type, entity_id)
  )`,
  `create index integration_status_state on integration_status (status, entity_type)`,
  `create index integration_status_term on integration_status (term_id, status)`,
  `create table notification_subscriptions (
    user_id uuid primary key references users(id) on delete cascade,
    mode text not null check (mode in ('errors', 'every_run')),
    email text,
    webhook_url text,
    webhook_secret text,
    updated_at timestamptz not null default now()
  )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
