// Translating between hub ids and SIS keys for one merge. A hub record the SIS has never
// acknowledged is referred to as `hub:<id>`, so comparisons stay honest: it is never mistaken for
// "no room" or for some SIS record.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export class KeyMap {
  readonly #toKey = new Map<string, string>();
  readonly #toId = new Map<string, string>();
  constructor(rows: { id: string; sis_key: string | null }[]) {
    for (const row of rows) this.add(row.id, row.sis_key);
  }
  add(id: string, sisKey: string | null) {
    this.#toKey.set(id, sisKey ?? `hub:${id}`);
    if (sisKey) this.#toId.set(sisKey, id);
  }
  key(id: string | null): string | null {
    return id === null ? null : (this.#toKey.get(id) ?? `hub:${id}`);
  }
  id(sisKey: string | null): string | null | undefined {
    if (sisKey === null) return null;
    if (sisKey.startsWith('hub:')) return sisKey.slice(4);
    return this.#toId.get(sisKey);
  }
}

type KeyedTable = 'terms' | 'departments' | 'buildings' | 'rooms' | 'instructors' | 'courses';

export async function keyMap(db: Kysely<DB>, table: KeyedTable): Promise<KeyMap> {
  return new KeyMap(await db.selectFrom(table).select(['id', 'sis_key']).execute());
}

export async function sectionKeyMap(db: Kysely<DB>, termId: string): Promise<KeyMap> {
  return new KeyMap(await db.selectFrom('sections').select(['id', 'sis_key']).where('term_id', '=', termId).execute());
}

/** A SIS key that names no hub record: the record referring to it cannot be applied yet. */
export class UnknownReferenceError extends Error {
  readonly field: string;
  constructor(field: string, sisKey: string, hint: string) {
    super(`${field} refers to ${sisKey}, which the hub does not have (${hint}).`);
    this.field = field;
  }
}

export function requireId(map: KeyMap, field: string, sisKey: string | null, hint: string): string | null {
  const id = map.id(sisKey);
  if (id === undefined) throw new UnknownReferenceError(field, sisKey!, hint);
  return id;
}
