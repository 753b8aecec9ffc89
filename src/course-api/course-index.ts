// The courses a write session may touch, indexed by exact code and by code and name keys, so
// the uniqueness and "similar course" checks of a whole bulk upload need no query per row.
import type { CourseRow } from './api-course.ts';
import { codeKey, nameKey } from './rules.ts';

export class CourseIndex {
  byCode = new Map<string, CourseRow>();
  byKey = new Map<string, Set<CourseRow>>();
  byName = new Map<string, Set<CourseRow>>();
  add(row: CourseRow) {
    this.byCode.set(row.code, row);
    for (const [map, key] of [[this.byKey, row.code_key], [this.byName, row.name_key]] as const) {
      if (!map.has(key)) map.set(key, new Set());
      map.get(key)!.add(row);
    }
  }
  remove(row: CourseRow) {
    if (this.byCode.get(row.code) === row) this.byCode.delete(row.code);
    this.byKey.get(row.code_key)?.delete(row);
    this.byName.get(row.name_key)?.delete(row);
  }
  /** Live courses (not deleted) with the same code key or name key, other than `self`. */
  similar(code: string | undefined, name: string | undefined, self?: CourseRow) {
    const found: { row: CourseRow; reason: 'code' | 'name' }[] = [];
    const seen = new Set<CourseRow>();
    const push = (rows: Set<CourseRow> | undefined, reason: 'code' | 'name') => {
      for (const row of rows ?? []) {
        if (row === self || row.status === 'deleted' || seen.has(row)) continue;
        seen.add(row);
        found.push({ row, reason });
      }
    };
    if (code !== undefined) push(this.byKey.get(codeKey(code)), 'code');
    if (name !== undefined) push(this.byName.get(nameKey(name)), 'name');
    return found;
  }
}
