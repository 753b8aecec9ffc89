// The Course API for record systems (issue #7): the courses record systems submit and amend (apart
// from the schedule's catalog), their student numbers per academic year, per-client settings and
// the institution's rollover settings.
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table course_api_courses (
    id uuid primary key default gen_random_uuid(),
    code text not null unique,
    code_key text not null,
    name text not null,
    name_key text not null,
    number_of_weeks integer not null default 52 check (number_of_weeks between 1 and 52),
    number_of_students integer not null default 0 check (number_of_students >= 0),
    students_source text not null default 'client' check (students_source in ('client', 'schedule')),
    department text,
    subject text,
    lead_lecturer text,
    lead_lecturer_email text,
    status text not null default 'active' check (status in ('active', 'archived', 'deleted')),
    students_zeroed_at timestamptz,
    version integer not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    check ((lead_lecturer is null) = (lead_lecturer_email is null))
  )`,
  `create index course_api_courses_by_code_key on course_api_courses (code_key)`,
  `create index course_api_courses_by_name_key on course_api_courses (name_key)`,
  `create index course_api_courses_by_status on course_api_courses (status, number_of_students)`,
  `create table course_api_student_numbers (
    course_id uuid not null references course_api_courses(id) on delete cascade,
    academic_year text not null,
    number_of_students integer not null check (number_of_students >= 0),
    source text not null,
    updated_at timestamptz not null,
    primary key (course_id, academic_year)
  )`,
  `create table course_api_clients (
    token_id uuid primary key references api_tokens(id) on delete cascade,
    derive_student_numbers boolean not null default false,
    updated_at timestamptz not null default now()
  )`,
  `create table course_api_settings (
    id integer primary key default 1 check (id = 1),
    rollover_month integer not null default 6 check (rollover_month between 1 and 12),
    rollover_day integer not null default 15 check (rollover_day between 1 and 31),
    time_zone text,
    hei integer,
    updated_at timestamptz not null default now()
  )`,
  `insert into course_api_settings (id) values (1)`,
  `create sequence course_api_request_ids`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
