// Idempotent creates: after a lost response the section is in the SIS, found by its natural key.
// It is adopted only when it is the one we sent, so a section the registrar created with the
// same number is never taken over.
import { SisError } from './errors.ts';
import type { SisSectionInput, SisSectionState } from './model.ts';

const OWN_FIELDS = ['component', 'status', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits'] as const;

/**
 * Meetings and instructors are left out: a create that failed halfway (Ethos writes them as
 * separate resources) is finished by the adopting update.
 */
export function assertAdoptable(found: SisSectionState, input: SisSectionInput, sisKey: string | null): void {
  const differs = OWN_FIELDS.filter((f) => found[f] !== input[f]);
  if (differs.length === 0) return;
  throw new SisError({
    code: 'conflict',
    message: `Section ${input.sectionNumber} of this course and term already exists in the SIS${sisKey ? ` (${sisKey})` : ''} with different ${differs.join(', ')}.`,
    field: 'sectionNumber',
    raw: { sisKey, differs },
  });
}
