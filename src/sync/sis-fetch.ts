// Step 1 of a merge (DESIGN §4): everything of one type × term read from the SIS, each record
// validated and converted to the merge's fields. No database here: this runs on the fetch thread
// (src/sync/fetcher.ts), off the thread that applies.
import type { z } from 'zod';
import { jsonbDigest } from '../db/jsonb-digest.ts';
import type { SisRecord } from '../domain/merge-plan.ts';
import type { MergeType } from '../domain/merge-settings.ts';
import { escapeNul, NUL_MESSAGE, nulFields } from '../domain/nul.ts';
import { UnreadableRecord, type SisConnector } from '../sis/contract.ts';
import { SisError } from '../sis/errors.ts';
import * as model from '../sis/model.ts';
import { fromSis } from './fields.ts';
import type { ReportRow } from './run-report.ts';

const schemas: Record<MergeType, z.ZodType> = {
  terms: model.sisTerm,
  departments: model.sisDepartment,
  buildings: model.sisBuilding,
  rooms: model.sisRoom,
  instructors: model.sisInstructor,
  courses: model.sisCourse,
  sections: model.sisSection,
  relationships: model.sisRelationship,
};

/** A type × term as read: valid records converted, invalid ones kept for the report. */
export interface Converted extends ConvertedPage {
  fetched: number;
}

/** A page of one type × term, validated and converted. */
export interface ConvertedPage {
  records: SisRecord[];
  /** Records that failed validation: reported, never written. */
  invalid: ReportRow[];
}

function convertPage(type: MergeType, page: unknown[]): ConvertedPage {
  const convert = fromSis[type] as (r: never) => SisRecord;
  const out: ConvertedPage = { records: [], invalid: [] };
  // Kept as the SIS sent it, but for NULs, written out: the report is stored in PostgreSQL too.
  const invalid = (key: string | null, message: string, raw: unknown) => {
    const sisKey = key === null ? null : escapeNul(key);
    out.invalid.push({ kind: 'error', entity_id: null, sis_key: sisKey, label: `${type.slice(0, -1)} ${sisKey ?? '(no key)'}`, fields: [], message: escapeNul(message), raw: escapeNul(raw) });
  };
  for (const item of page) {
    if (item instanceof UnreadableRecord) {
      invalid(item.key, `The SIS sent a record the hub cannot read: ${item.message}`, item.raw);
      continue;
    }
    const parsed = schemas[type].safeParse(item);
    const nul = parsed.success ? nulFields(parsed.data) : [];
    if (nul.length) {
      invalid((item as { key?: string }).key ?? null, `The SIS sent a record that fails validation: ${nul.map((f) => `${f}: ${NUL_MESSAGE}`).join('; ')}`, item);
      continue;
    }
    if (parsed.success) {
      const record = convert(parsed.data as never);
      // Sections, the bulk of a term, are compared by digest first (src/sync/merge-item.ts); the
      // digest is computed here, off the thread that applies.
      if (type === 'sections') record.digest = jsonbDigest(record.fields);
      out.records.push(record);
    }
    else
      invalid(
        (item as { key?: string }).key ?? null,
        `The SIS sent a record that fails validation: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        item,
      );
  }
  return out;
}

function source(c: SisConnector, type: MergeType, termKey: string | null): AsyncIterable<unknown[]> | Promise<unknown[]> {
  return type === 'terms'
    ? c.listTerms()
    : type === 'departments'
      ? c.departments()
      : type === 'buildings'
        ? c.buildings()
        : type === 'rooms'
          ? c.rooms()
          : type === 'instructors'
            ? c.instructors()
            : type === 'courses'
              ? c.courses(termKey!)
              : type === 'sections'
                ? c.sections(termKey!)
                : c.relationships(termKey!);
}

/** Where a fetch's pages go, as each is converted; `restart` when a retry starts reading over. */
export interface PageSink {
  page(page: ConvertedPage): void;
  restart(): void;
}

/** Transient SIS failures (network, timeouts, 5xx, 429, maintenance) restart the fetch; nothing is written yet. */
const FETCH_ATTEMPTS = 4;

// Each page is converted as it arrives and handed on, so neither the raw SIS payloads of a whole
// term nor its converted records pile up here.
export async function fetchPages(connector: SisConnector, type: MergeType, termKey: string | null, sink: PageSink): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const pages = source(connector, type, termKey);
      if (pages instanceof Promise) sink.page(convertPage(type, await pages));
      else for await (const page of pages) sink.page(convertPage(type, page));
      return;
    } catch (error) {
      if (!(error instanceof SisError) || !error.retryable || attempt >= FETCH_ATTEMPTS) throw error;
      const wait = Math.min(error.retryAfterMs ?? 500 * 2 ** (attempt - 1), 30_000);
      await new Promise((resolve) => setTimeout(resolve, wait));
      sink.restart();
    }
  }
}
