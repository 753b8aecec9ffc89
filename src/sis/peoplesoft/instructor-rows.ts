// Which instructors a class write puts on each meeting pattern, and as what. The hub has
// instructors per section, primary or secondary; PeopleSoft assigns them per meeting pattern,
// each row with a role (PI, SI, TA…) and a grade roster access. A write keeps the rows the SIS
// has and changes only what the hub changed.
import type { SisSectionInstructor } from '../model.ts';
import { instructorRows, roleOf, sectionFromClass } from './mapping.ts';
import type { PsClass, PsInstr } from './wire.ts';

/**
 * The role and grade roster access of an instructor the SIS has no row for, or whose role the
 * hub changed. The primary instructor is the instructor of record, who approves the grade roster
 * (PI, A); any other instructor enters grades but cannot approve them (SI, G), the least that
 * lets a co-instructor grade. A registrar may set others in PeopleSoft (TA, Post, None…); later
 * writes keep them.
 */
const NEW_ROLE: Record<SisSectionInstructor['role'], Pick<PsInstr, 'INSTR_ROLE' | 'GRADE_RSTR_ACCESS'>> = {
  primary: { INSTR_ROLE: 'PI', GRADE_RSTR_ACCESS: 'A' },
  secondary: { INSTR_ROLE: 'SI', GRADE_RSTR_ACCESS: 'G' },
};

/**
 * The rows of each slot (a meeting pattern, or the class itself when it has none) from `base`,
 * the rows the SIS has there: a removed instructor's rows go, a role the hub changed becomes
 * NEW_ROLE's, an instructor on no slot (new, or whose meetings the hub removed) joins every slot
 * as the SIS has them elsewhere, and each slot lists its instructors in the class's order, new ones last.
 */
export function assignInstructors(wanted: SisSectionInstructor[], current: PsClass | null, base: PsInstr[][]): PsInstr[][] {
  const roles = new Map(wanted.map((i) => [i.instructorKey, i.role]));
  const known = current ? instructorRows(current) : [];
  // The hub read each instructor's role from their first row.
  const firstRow = (emplid: string) => known.find((r) => r.EMPLID === emplid);
  const asWanted = (row: PsInstr): PsInstr => {
    const had = firstRow(row.EMPLID);
    const role = roles.get(row.EMPLID)!;
    return had && roleOf(had) !== role ? { ...row, ...NEW_ROLE[role] } : row;
  };
  const slots = base.map((rows) => rows.filter((r) => roles.has(r.EMPLID)).map(asWanted));
  const placed = new Set(slots.flat().map((r) => r.EMPLID));
  for (const i of wanted) {
    if (!placed.has(i.instructorKey)) for (const rows of slots) rows.push(asWanted(firstRow(i.instructorKey) ?? { EMPLID: i.instructorKey, ...NEW_ROLE[i.role] }));
  }
  // Each instructor's rows carry their place as the assignment number, on every meeting alike:
  // those the class has keep its order, new ones come after them. The hub's order of instructors
  // means nothing to the SIS (src/domain/content-order.ts), so a write does not renumber them.
  const held = current ? sectionFromClass(current).instructors.map((i) => i.instructorKey) : [];
  const place = (emplid: string) => (held.includes(emplid) ? held.indexOf(emplid) : held.length);
  const ordered = [...wanted].sort((a, b) => place(a.instructorKey) - place(b.instructorKey));
  return slots.map((rows) =>
    ordered.flatMap((i, n) => {
      const row = rows.find((r) => r.EMPLID === i.instructorKey);
      return row ? [{ ...row, INSTR_ASSIGN_SEQ: n + 1 }] : [];
    }),
  );
}
