// Bulk writes (JSON or CSV uploads): every row applied on its own in one write session, with a
// per-row report; a dry run rolls the whole session back and returns the report.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, InvalidError, type FieldError } from '../domain/errors.ts';
import type { Actor } from '../domain/permissions.ts';
import type { Clock } from './api-course.ts';
import { bulkRow, courseAmend, courseSubmit, issuesToErrors, type BulkMode } from './rules.ts';
import { WriteSession, type WriteResult } from './write-session.ts';

export interface BulkRowResult {
  row: number;
  courseCode: string | null;
  action: BulkMode | null;
  outcome: 'created' | 'amended' | 'unchanged' | 'error';
  status: number;
  courseId: string | null;
  errors: FieldError[];
  warnings: string[];
}

export interface BulkReport {
  mode: BulkMode;
  dryRun: boolean;
  academicYear: string;
  total: number;
  created: number;
  amended: number;
  unchanged: number;
  failed: number;
  rows: BulkRowResult[];
}

class DryRunRollback extends Error {
  readonly report: BulkReport;
  constructor(report: BulkReport) {
    super('dry run');
    this.report = report;
  }
}

const SUBMIT_FIELDS = Object.keys(courseSubmit.shape);

/** Every row validated and applied on its own; one report line per row. Rows that fail change nothing. */
export async function bulkWrite(
  db: Kysely<DB>,
  actor: Actor,
  clock: Clock,
  rows: readonly Record<string, unknown>[],
  options: { mode: BulkMode; allowSimilar: boolean; dryRun: boolean; via?: string },
): Promise<BulkReport> {
  const run = async (trx: Transaction<DB>): Promise<BulkReport> => {
    const session = await WriteSession.open(trx, actor, clock, { via: options.via ?? 'bulk' });
    await session.load('all');
    const results: BulkRowResult[] = [];
    for (const [i, raw] of rows.entries()) {
      const result: BulkRowResult = { row: i + 1, courseCode: null, action: null, outcome: 'error', status: 400, courseId: null, errors: [], warnings: [] };
      results.push(result);
      if (typeof raw?.courseCode === 'string') result.courseCode = raw.courseCode.trim();
      const parsed = bulkRow.safeParse(raw);
      if (!parsed.success) {
        result.errors = issuesToErrors(parsed.error);
        continue;
      }
      const row = parsed.data;
      const allowSimilar = row.allowSimilar ?? options.allowSimilar;
      const action: BulkMode = row.action ?? (options.mode === 'upsert' ? (session.index.byCode.has(row.courseCode) ? 'amend' : 'submit') : options.mode);
      result.action = action;
      try {
        let written: WriteResult;
        if (action === 'submit') {
          const extra = Object.keys(row).filter((k) => !SUBMIT_FIELDS.includes(k) && k !== 'action' && row[k as keyof typeof row] !== undefined);
          if (extra.length > 0)
            throw new InvalidError('A new course has no new code, version or delete confirmation.', extra.map((field) => ({ field, message: 'Not allowed when submitting a new course' })));
          const submit = courseSubmit.safeParse({ ...Object.fromEntries(Object.entries(row).filter(([k]) => SUBMIT_FIELDS.includes(k))), allowSimilar });
          if (!submit.success) throw new InvalidError('Invalid row.', issuesToErrors(submit.error));
          written = await session.submit(submit.data);
        } else {
          const { courseCode, action: _action, ...rest } = row;
          written = await session.amend(courseCode, courseAmend.parse({ ...rest, allowSimilar }));
        }
        Object.assign(result, { outcome: written.outcome, status: written.outcome === 'created' ? 201 : 200, courseId: written.course.id, warnings: written.warnings });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        result.status = error.status;
        result.errors = (error.extensions.errors as FieldError[] | undefined) ?? [{ field: '(row)', message: error.message }];
        if (!result.errors.some((e) => e.message === error.message)) result.errors.push({ field: '(row)', message: error.message });
      }
    }
    const count = (o: BulkRowResult['outcome']) => results.filter((r) => r.outcome === o).length;
    const report: BulkReport = {
      mode: options.mode,
      dryRun: options.dryRun,
      academicYear: session.year.label,
      total: results.length,
      created: count('created'),
      amended: count('amended'),
      unchanged: count('unchanged'),
      failed: count('error'),
      rows: results,
    };
    if (options.dryRun) throw new DryRunRollback(report);
    return report;
  };
  try {
    return await db.transaction().execute(run);
  } catch (error) {
    if (error instanceof DryRunRollback) return error.report;
    throw error;
  }
}
