// Users, roles, sessions, API tokens and the audit log. A user holds one role (the phase rules
// are written per role, so one role per user keeps "what may this person do now" one answer);
// department-scoped roles limit section access to the user's departments.
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table roles (
    id uuid primary key default gen_random_uuid(),
    name text not null unique,
    description text not null default '',
    permissions jsonb not null default '[]',
    department_scoped boolean not null default false,
    builtin boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create table users (
    id uuid primary key default gen_random_uuid(),
    email text not null unique,
    name text not null,
    password_hash text,
    role_id uuid not null references roles(id),
    products jsonb not null default '["scheduling"]',
    disabled boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create table user_departments (
    user_id uuid not null references users(id) on delete cascade,
    department_id uuid not null references departments(id),
    primary key (user_id, department_id)
  )`,
  `create table sessions (
    id_hash text primary key,
    user_id uuid not null references users(id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index sessions_user on sessions (user_id)`,
  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    token_hash text not null unique,
    prefix text not null,
    role_id uuid not null references roles(id),
    kind text not null default 'api' check (kind in ('api', 'record_system')),
    created_by uuid references users(id),
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create table audit_log (
    id bigserial primary key,
    at timestamptz not null default now(),
    actor_type text not null check (actor_type in ('user', 'token', 'system')),
    actor_id text,
    actor_name text not null,
    action text not null,
    entity_type text not null,
    entity_id text not null,
    changes jsonb not null default '{}',
    context jsonb not null default '{}'
  )`,
  `create index audit_entity on audit_log (entity_type, entity_id, id)`,
  `create index audit_at on audit_log (at, id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
