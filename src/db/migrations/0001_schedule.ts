// The schedule store. Every synced record has a hub id, a nullable SIS key (null until the SIS
// acknowledges it), and `sis_base`: the SIS state as last seen or accepted, the base of the
// three-way merge. Sections and relationships are soft-deleted so that a deletion can still be
// posted to the SIS; `sis_deleted_at` marks records the SIS no longer has.
import { sql, type Kysely } from 'kysely';

const synced = `
  sis_key text unique,
  sis_base jsonb,
  sis_deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()`;

const statements = [
  `create table terms (
    id uuid primary key default gen_random_uuid(),
    code text not null unique,
    name text not null,
    starts_on date not null,
    ends_on date not null check (ends_on >= starts_on),
    version integer not null default 1,${synced}
  )`,
  `create table term_parts (
    id uuid primary key default gen_random_uuid(),
    term_id uuid not null references terms(id) on delete cascade,
    code text not null,
    name text not null,
    starts_on date not null,
    ends_on date not null check (ends_on >= starts_on),
    unique (term_id, code)
  )`,
  `create table departments (
    id uuid primary key default gen_random_uuid(),
    code text not null unique,
    name text not null,${synced}
  )`,
  `create table buildings (
    id uuid primary key default gen_random_uuid(),
    code text not null unique,
    name text not null,
    campus text,${synced}
  )`,
  `create table rooms (
    id uuid primary key default gen_random_uuid(),
    building_id uuid not null references buildings(id),
    number text not null,
    capacity integer not null default 0 check (capacity >= 0),
    active boolean not null default true,${synced},
    unique (building_id, number)
  )`,
  `create table instructors (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    email text,
    department_id uuid references departments(id),${synced}
  )`,
  `create table courses (
    id uuid primary key default gen_random_uuid(),
    subject text not null,
    number text not null,
    title text not null,
    credits numeric(5,2) not null default 0 check (credits >= 0),
    department_id uuid references departments(id),
    description text,
    version integer not null default 1,${synced},
    unique (subject, number)
  )`,
  `create table sections (
    id uuid primary key default gen_random_uuid(),
    term_id uuid not null references terms(id),
    course_id uuid not null references courses(id),
    section_number text not null,
    component text not null,
    status text not null default 'active' check (status in ('active', 'cancelled')),
    capacity integer not null default 0 check (capacity >= 0),
    enrolled integer not null default 0 check (enrolled >= 0),
    instruction_mode text not null default 'in_person',
    campus text,
    part_of_term text,
    title text,
    credits numeric(5,2) check (credits >= 0),
    allow_integration boolean,
    version integer not null default 1,
    deleted_at timestamptz,${synced}
  )`,
  // Real SIS data has sections without a number (their identity is the SIS key): only numbered ones are unique.
  `create unique index sections_number_unique on sections (term_id, course_id, section_number) where deleted_at is null and section_number <> ''`,
  `create index sections_term_course on sections (term_id, course_id, section_number, id)`,
  `create index sections_term_updated on sections (term_id, updated_at, id)`,
  `create table meetings (
    id uuid primary key default gen_random_uuid(),
    section_id uuid not null references sections(id) on delete cascade,
    position integer not null,
    days text not null check (days ~ '^M?T?W?R?F?S?U?$'),
    start_time time,
    end_time time,
    start_date date,
    end_date date,
    room_id uuid references rooms(id),
    check ((start_time is null) = (end_time is null)),
    check (start_time is null or end_time > start_time),
    unique (section_id, position)
  )`,
  `create index meetings_room on meetings (room_id)`,
  `create table section_instructors (
    section_id uuid not null references sections(id) on delete cascade,
    instructor_id uuid not null references instructors(id),
    role text not null default 'primary' check (role in ('primary', 'secondary')),
    position integer not null,
    primary key (section_id, instructor_id)
  )`,
  `create index section_instructors_instructor on section_instructors (instructor_id)`,
  `create table relationships (
    id uuid primary key default gen_random_uuid(),
    term_id uuid not null references terms(id),
    kind text not null check (kind in ('crosslist', 'combined')),
    shared_capacity integer check (shared_capacity >= 0),
    allow_integration boolean,
    version integer not null default 1,
    deleted_at timestamptz,${synced}
  )`,
  `create index relationships_term on relationships (term_id)`,
  `create table relationship_members (
    relationship_id uuid not null references relationships(id) on delete cascade,
    section_id uuid not null references sections(id),
    is_primary boolean not null default false,
    primary key (relationship_id, section_id)
  )`,
  `create index relationship_members_section on relationship_members (section_id)`,
  `create unique index relationship_one_primary on relationship_members (relationship_id) where is_primary`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
