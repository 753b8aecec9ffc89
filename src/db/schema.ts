// Kysely's view of the tables created by ./migrations. Dates are 'YYYY-MM-DD' strings, times
// 'HH:MM:SS' strings, numerics JS numbers (see the type parsers in ./database.ts).
import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

interface Synced {
  sis_key: string | null;
  sis_base: NullableJson<Record<string, unknown>>;
  sis_deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface TermsTable extends Synced {
  id: Generated<string>;
  code: string;
  name: string;
  starts_on: string;
  ends_on: string;
  version: Generated<number>;
}

export interface TermPartsTable {
  id: Generated<string>;
  term_id: string;
  code: string;
  name: string;
  starts_on: string;
  ends_on: string;
}

export interface DepartmentsTable extends Synced {
  id: Generated<string>;
  code: string;
  name: string;
}

export interface BuildingsTable extends Synced {
  id: Generated<string>;
  code: string;
  name: string;
  campus: string | null;
}

export interface RoomsTable extends Synced {
  id: Generated<string>;
  building_id: string;
  number: string;
  capacity: Generated<number>;
  active: Generated<boolean>;
}

export interface InstructorsTable extends Synced {
  id: Generated<string>;
  name: string;
  email: string | null;
  department_id: string | null;
}

export interface CoursesTable extends Synced {
  id: Generated<string>;
  subject: string;
  number: string;
  title: string;
  credits: Generated<number>;
  /** The most credits of a variable-credit course (`credits` is the least); null: fixed credits. */
  credits_max: number | null;
  department_id: string | null;
  description: string | null;
  version: Generated<number>;
}

export interface SectionsTable extends Synced {
  id: Generated<string>;
  term_id: string;
  course_id: string;
  section_number: string;
  component: string;
  status: Generated<'active' | 'cancelled'>;
  capacity: Generated<number>;
  /** The SIS's count in `sis_base`, kept by PostgreSQL; null where the SIS never reported one (src/db/migrations/0011_sis_values.ts). */
  enrolled: GeneratedAlways<number | null>;
  /** The section's number in the SIS (CRN, class number) in `sis_base`, kept by PostgreSQL (migration 0011). */
  sis_number: GeneratedAlways<string | null>;
  instruction_mode: Generated<string>;
  campus: string | null;
  part_of_term: string | null;
  title: string | null;
  credits: number | null;
  allow_integration: boolean | null;
  source_of_truth: Generated<'sis' | 'hub' | 'none' | null>;
  version: Generated<number>;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** SHA-256 of `sis_base` as jsonb text, kept by PostgreSQL (src/db/migrations/0009_section_digest.ts). */
  sis_digest: GeneratedAlways<string | null>;
}

export interface MeetingsTable {
  id: Generated<string>;
  section_id: string;
  position: number;
  days: string;
  start_time: string | null;
  end_time: string | null;
  start_date: string | null;
  end_date: string | null;
  room_id: string | null;
  /** Held every n weeks on its days, 1 to 52 (src/db/migrations/0014_meeting_week_interval.ts). */
  week_interval: Generated<number>;
}

export interface SectionInstructorsTable {
  section_id: string;
  instructor_id: string;
  role: 'primary' | 'secondary';
  position: number;
}

export interface RelationshipsTable extends Synced {
  id: Generated<string>;
  term_id: string;
  kind: 'crosslist' | 'combined';
  shared_capacity: number | null;
  allow_integration: boolean | null;
  source_of_truth: Generated<'sis' | 'hub' | 'none' | null>;
  version: Generated<number>;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface RelationshipMembersTable {
  relationship_id: string;
  section_id: string;
  is_primary: boolean;
}

export interface RolesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  permissions: Json<string[]>;
  department_scoped: Generated<boolean>;
  builtin: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  role_id: string;
  products: Json<string[]>;
  disabled: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface UserDepartmentsTable {
  user_id: string;
  department_id: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Generated<Date>;
  last_used_at: Generated<Date>;
  expires_at: Date | string;
}

export interface ApiTokensTable {
  id: Generated<string>;
  name: string;
  token_hash: string;
  prefix: string;
  role_id: string;
  kind: Generated<'api' | 'record_system'>;
  created_by: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_type: 'user' | 'token' | 'system';
  actor_id: string | null;
  actor_name: string;
  action: string;
  entity_type: string;
  entity_id: string;
  changes: Json<Record<string, { before: unknown; after: unknown }>>;
  context: Json<Record<string, unknown>>;
}

export interface CourseApiCoursesTable {
  id: Generated<string>;
  code: string;
  code_key: string;
  name: string;
  name_key: string;
  number_of_weeks: number;
  number_of_students: number;
  students_source: 'client' | 'schedule';
  department: string | null;
  subject: string | null;
  lead_lecturer: string | null;
  lead_lecturer_email: string | null;
  status: 'active' | 'archived' | 'deleted';
  students_zeroed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CourseApiStudentNumbersTable {
  course_id: string;
  academic_year: string;
  number_of_students: number;
  source: string;
  updated_at: Timestamp;
}

export interface CourseApiClientsTable {
  token_id: string;
  derive_student_numbers: Generated<boolean>;
  updated_at: Timestamp;
}

export interface CourseApiSettingsTable {
  id: Generated<number>;
  rollover_month: Generated<number>;
  rollover_day: Generated<number>;
  time_zone: string | null;
  hei: number | null;
  updated_at: Timestamp;
}

export interface InstitutionSettingsTable {
  id: Generated<boolean>;
  time_zone: Generated<string>;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface TermPhasesTable {
  id: Generated<string>;
  term_id: string;
  name: string;
  description: Generated<string>;
  /** Wall-clock 'YYYY-MM-DDTHH:MM' in the institution's time zone. */
  starts_at: string;
  ends_at: string;
  rules: Json<unknown[]>;
  merge_settings: NullableJson<Record<string, unknown>>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface TermEditDefaultsTable {
  term_id: string;
  rules: NullableJson<unknown[]>;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface PhaseTemplatesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  phases: Json<unknown[]>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface DB {
  terms: TermsTable;
  term_parts: TermPartsTable;
  departments: DepartmentsTable;
  buildings: BuildingsTable;
  rooms: RoomsTable;
  instructors: InstructorsTable;
  courses: CoursesTable;
  sections: SectionsTable;
  meetings: MeetingsTable;
  section_instructors: SectionInstructorsTable;
  relationships: RelationshipsTable;
  relationship_members: RelationshipMembersTable;
  roles: RolesTable;
  users: UsersTable;
  user_departments: UserDepartmentsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  institution_settings: InstitutionSettingsTable;
  term_phases: TermPhasesTable;
  term_edit_defaults: TermEditDefaultsTable;
  phase_templates: PhaseTemplatesTable;
  course_api_courses: CourseApiCoursesTable;
  course_api_student_numbers: CourseApiStudentNumbersTable;
  course_api_clients: CourseApiClientsTable;
  course_api_settings: CourseApiSettingsTable;
  merge_settings: MergeSettingsTable;
  merge_settings_history: MergeSettingsHistoryTable;
  sis_connection: SisConnectionTable;
  merge_runs: MergeRunsTable;
  merge_run_items: MergeRunItemsTable;
  merge_run_changes: MergeRunChangesTable;
  nightly_runs: NightlyRunsTable;
  integration_status: IntegrationStatusTable;
  notification_subscriptions: NotificationSubscriptionsTable;
  notification_watermarks: NotificationWatermarksTable;
}

export interface NotificationWatermarksTable {
  name: string;
  until: Timestamp;
}

export interface MergeSettingsTable {
  id: number;
  version: number;
  document: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface MergeSettingsHistoryTable {
  version: number;
  document: Json<Record<string, unknown>>;
  actor_name: string;
  comment: string | null;
  at: Timestamp;
}

export interface SisConnectionTable {
  id: number;
  settings: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
export type RunItemStatus = 'waiting' | 'running' | 'succeeded' | 'partial' | 'failed' | 'refused';

export interface MergeRunsTable {
  id: Generated<string>;
  trigger: 'manual' | 'nightly' | 'real_time';
  actor_name: string;
  options: Json<Record<string, unknown>>;
  status: Generated<RunStatus>;
  queued_at: Timestamp;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  heartbeat_at: Date | string | null;
  error: string | null;
}

export interface MergeRunItemsTable {
  run_id: string;
  position: number;
  merge_type: string;
  term_code: string | null;
  status: Generated<RunItemStatus>;
  counts: Json<Record<string, number>>;
  fetched: Generated<number>;
  error: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

export interface MergeRunChangesTable {
  id: Generated<number>;
  run_id: string;
  merge_type: string;
  term_code: string | null;
  kind: 'created' | 'updated' | 'deleted' | 'conflict' | 'error';
  entity_id: string | null;
  sis_key: string | null;
  label: string;
  fields: Json<unknown[]>;
  message: string | null;
  raw: NullableJson<unknown>;
}

export interface NightlyRunsTable {
  local_date: string;
  run_id: string | null;
  started_at: Timestamp;
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface IntegrationStatusTable {
  entity_type: 'section' | 'relationship';
  entity_id: string;
  term_id: string | null;
  status: 'not_synced' | 'pending' | 'synced' | 'error';
  detail: string | null;
  attempts: Generated<number>;
  last_attempt_at: NullableTimestamp;
  next_retry_at: NullableTimestamp;
  last_success_at: NullableTimestamp;
  queued_at: NullableTimestamp;
  wanted_version: number | null;
  pushed_version: number | null;
  error_code: string | null;
  messages: ColumnType<unknown[], string | undefined, string>;
  raw: NullableJson<unknown>;
  dismissed_at: NullableTimestamp;
  lease_owner: string | null;
  lease_until: NullableTimestamp;
  /** The fields of the hub's last write not yet acknowledged (src/db/migrations/0008_push_sent.ts). */
  sent: NullableJson<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface NotificationSubscriptionsTable {
  user_id: string;
  mode: 'errors' | 'every_run';
  email: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  updated_at: Timestamp;
  /** Where the error digests this channel missed begin; null: it has every one (0012). */
  digest_email_missed_since: NullableTimestamp;
  digest_webhook_missed_since: NullableTimestamp;
}

export type Section = Selectable<SectionsTable>;
export type NewSection = Insertable<SectionsTable>;
export type SectionUpdate = Updateable<SectionsTable>;
