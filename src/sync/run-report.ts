// A merge run's report (merge_run_changes): one row per object created, updated, deleted, in
// conflict or in error, per type × term. The merge and Send Updates both write it.
import type { Kysely } from 'kysely';
import { insertMany } from '../db/insert-many.ts';
import type { DB } from '../db/schema.ts';
import type { MergeType } from '../domain/merge-settings.ts';

export interface ReportRow {
  kind: 'created' | 'updated' | 'deleted' | 'conflict' | 'error';
  entity_id: string | null;
  sis_key: string | null;
  label: string;
  fields: unknown[];
  message: string | null;
  raw: unknown;
}

export async function writeReport(db: Kysely<DB>, runId: string, type: MergeType, termCode: string | null, rows: ReportRow[]): Promise<void> {
  await insertMany(
    db,
    'merge_run_changes',
    rows.map((r) => ({
      run_id: runId,
      merge_type: type,
      term_code: termCode,
      kind: r.kind,
      entity_id: r.entity_id,
      sis_key: r.sis_key,
      label: r.label,
      fields: r.fields,
      message: r.message,
      raw: r.raw ?? null,
    })),
  );
}
