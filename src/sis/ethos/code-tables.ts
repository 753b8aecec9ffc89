// GUID ↔ code lookups for the reference resources a section points at. Loaded on first use and
// reloaded once when a GUID or code is missing (the SIS may have added one since).
import { SisError } from '../errors.ts';
import type { EthosClient } from './client.ts';
import type { CodeTables } from './mapping.ts';
import type { AcademicPeriod, CodeEntry } from './wire.ts';

type Table = 'instructional-methods' | 'instructional-delivery-methods' | 'sites';
const TABLES: Table[] = ['instructional-methods', 'instructional-delivery-methods', 'sites'];

class MissingCode extends Error {}

export class EthosCodeTables implements CodeTables {
  private readonly client: EthosClient;
  private codes = new Map<Table, CodeEntry[]>();
  private periods = new Map<string, AcademicPeriod>();
  titleTypeId = '';
  private loaded = false;

  constructor(client: EthosClient) {
    this.client = client;
  }

  async load(): Promise<void> {
    const [periods, titleTypes, ...tables] = await Promise.all([
      this.client.all<AcademicPeriod>('academic-periods'),
      this.client.all<CodeEntry>('section-title-types'),
      ...TABLES.map((t) => this.client.all<CodeEntry>(t)),
    ]);
    this.periods = new Map(periods.map((p) => [p.id, p]));
    this.titleTypeId = titleTypes[0]?.id ?? '';
    this.codes = new Map(TABLES.map((t, i) => [t, tables[i]]));
    this.loaded = true;
  }

  allPeriods(): AcademicPeriod[] {
    return [...this.periods.values()];
  }

  /** Runs a mapping; on a missing reference, reloads the tables once and tries again. */
  async use<T>(map: (tables: EthosCodeTables) => T): Promise<T> {
    if (!this.loaded) await this.load();
    try {
      return map(this);
    } catch (error) {
      if (!(error instanceof MissingCode)) throw error;
      await this.load();
      try {
        return map(this);
      } catch (again) {
        if (!(again instanceof MissingCode)) throw again;
        throw new SisError({ code: 'validation', message: again.message, raw: again });
      }
    }
  }

  code(table: Table, id: string): string {
    const entry = this.codes.get(table)?.find((e) => e.id === id);
    if (!entry) throw new MissingCode(`${table}: no entry with id ${id}`);
    return entry.code;
  }

  id(table: Table, code: string): string {
    const entry = this.codes.get(table)?.find((e) => e.code === code);
    if (!entry) throw new MissingCode(`${table}: the SIS has no code "${code}"`);
    return entry.id;
  }

  period(id: string): { termKey: string; part: string | null; startOn: string; endOn: string } {
    const p = this.periods.get(id);
    if (!p) throw new MissingCode(`academic-periods: no period with id ${id}`);
    if (p.category.type === 'subterm' && p.category.parent) {
      return { termKey: p.category.parent.id, part: p.code ?? null, startOn: p.startOn, endOn: p.endOn };
    }
    return { termKey: p.id, part: null, startOn: p.startOn, endOn: p.endOn };
  }

  periodId(termKey: string, part: string | null): { id: string; startOn: string; endOn: string } {
    const p =
      part === null
        ? this.periods.get(termKey)
        : [...this.periods.values()].find((x) => x.category.type === 'subterm' && x.category.parent?.id === termKey && x.code === part);
    if (!p) throw new MissingCode(`academic-periods: term ${termKey} has no ${part === null ? 'record' : `part of term "${part}"`}`);
    return { id: p.id, startOn: p.startOn, endOn: p.endOn };
  }
}
