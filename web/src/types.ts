// The API's shapes the web app reads (see /api/openapi.json). Fields a later API adds
// (integration status, a term's current phase) are optional here and shown only when present.

import type { PhaseMergeSettings } from '../../src/domain/phases.ts';
export type { PhaseMergeSettings };

export type Product = 'scheduling' | 'admin';
export interface Me {
  type: 'user' | 'token' | 'system';
  id: string | null;
  name: string;
  permissions: string[];
  products: Product[];
  departmentIds: string[] | null;
  user?: User;
  /** Signed in by cookie: what writes echo in x-csrf-token. */
  csrfToken?: string;
}
export interface User {
  id: string;
  email: string;
  name: string;
  roleId: string;
  roleName: string;
  products: Product[];
  departmentIds: string[];
  permissions: string[];
  disabled: boolean;
  version: number;
  createdAt: string;
}
export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  departmentScoped: boolean;
  builtin: boolean;
}
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  roleId: string;
  kind: 'api' | 'record_system';
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface PhaseBadge {
  id: string;
  name: string;
  /** An instant; shown in `timeZone`, the institution's. */
  endsAt: string;
  timeZone?: string;
}
export interface Term {
  id: string;
  code: string;
  name: string;
  startsOn: string;
  endsOn: string;
  parts: { code: string; name: string; startsOn: string; endsOn: string }[];
  version: number;
  currentPhase?: PhaseBadge | null;
}
export interface Meeting {
  days: string;
  startTime: string | null;
  endTime: string | null;
  startDate: string | null;
  endDate: string | null;
  roomId: string | null;
  /** Held every n weeks on its days: 1 weekly, 2 every other week. */
  weekInterval: number;
}
export interface InstructorAssignment {
  instructorId: string;
  role: 'primary' | 'secondary';
}
export type IntegrationStatus = 'not_synced' | 'pending' | 'synced' | 'error';
/** A record's integration status (GET /api/v1/sections/{id}/integration-status). */
export interface IntegrationStatusView {
  status: IntegrationStatus;
  /** Why, when the status alone does not say: queued, retrying, maintenance, rejected… */
  detail: string | null;
  attempts: number;
  lastAttemptAt: string | null;
  nextRetryAt: string | null;
  lastSuccessAt: string | null;
  errorCode: string | null;
  messages: { message: string; field: string | null; code: string | null }[];
  raw?: unknown;
}
export interface Section {
  id: string;
  termId: string;
  courseId: string;
  subject: string;
  courseNumber: string;
  courseTitle: string;
  departmentId: string | null;
  sectionNumber: string;
  component: string;
  status: 'active' | 'cancelled';
  capacity: number;
  /** Null where the SIS does not report enrollment (Ethos sections) or has not yet. */
  enrolled: number | null;
  instructionMode: string;
  campus: string | null;
  partOfTerm: string | null;
  title: string | null;
  credits: number | null;
  allowIntegration: boolean | null;
  sourceOfTruth: SourceOfTruth | null;
  meetings: Meeting[];
  instructors: InstructorAssignment[];
  /** The section's number in the SIS as registrars know it (Banner CRN, PeopleSoft class number); read-only. */
  sisNumber?: string | null;
  sisKey: string | null;
  sisDeletedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  integrationStatus?: IntegrationStatusView;
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Department {
  id: string;
  code: string;
  name: string;
}
export interface Room {
  id: string;
  buildingId: string;
  buildingCode: string;
  number: string;
  capacity: number;
  active: boolean;
}
export interface Instructor {
  id: string;
  name: string;
  email: string | null;
}
export interface Relationship {
  id: string;
  termId: string;
  kind: 'crosslist' | 'combined';
  sharedCapacity: number | null;
  allowIntegration: boolean | null;
  members: { sectionId: string; primary: boolean }[];
  version: number;
  /** Present when the caller has integrationStatus.view and relationships sync for the term. */
  integrationStatus?: IntegrationStatusView;
}
export const SECTION_FIELDS = [
  'sectionNumber',
  'component',
  'capacity',
  'instructionMode',
  'campus',
  'partOfTerm',
  'title',
  'credits',
  'allowIntegration',
  'sourceOfTruth',
  'meetingPatterns',
  'rooms',
  'instructors',
] as const;
/** Who wins a field both sides changed: in the merge settings and as a section's override. */
export type SourceOfTruth = 'sis' | 'hub' | 'none';
export const SOURCE_LABELS: Record<SourceOfTruth, string> = { sis: 'SIS wins', hub: 'Hub wins', none: 'Nobody (conflict)' };
export type SectionField = (typeof SECTION_FIELDS)[number];
export interface EditRules {
  termId: string;
  /** The institution's zone, in which the phase's local times are read. */
  timeZone: string;
  phase: { id: string; name: string; startsAt: string; endsAt: string } | null;
  source: 'phase' | 'termDefaults' | 'role';
  editableFields: SectionField[];
  mayEdit: boolean;
  mayCreate: boolean;
  mayCancel: boolean;
  mayDelete: boolean;
  mayEditRelationships: boolean;
  bypass: boolean;
}
export interface RoleRule {
  roleId: string;
  editableFields: 'all' | SectionField[];
  mayCreate: boolean;
  mayCancel: boolean;
  mayDelete: boolean;
  mayEditRelationships: boolean;
}
export interface Phase {
  id: string;
  termId: string;
  name: string;
  description: string;
  startsAt: string;
  endsAt: string;
  startsAtInstant: string;
  endsAtInstant: string;
  rules: RoleRule[];
  /** What syncs for the term while the phase is in force; null = as the merge settings say. */
  mergeSettings: PhaseMergeSettings | null;
  version: number;
}
export interface AuditEntry {
  id: number;
  at: string;
  actor: { type: 'user' | 'token' | 'system'; id: string | null; name: string };
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  context: Record<string, unknown>;
}
