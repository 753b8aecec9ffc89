// The section editor's model, without React: the fields it edits, the draft of them as the form
// holds them (strings for inputs), their API values, which of them a draft changed, and why the
// phase in force (or the role) locks a field.
import type { EditRules, Meeting, Section, SectionField, SourceOfTruth } from '../types.ts';

const EDITABLE = ['sectionNumber', 'component', 'capacity', 'instructionMode', 'campus', 'partOfTerm', 'title', 'credits', 'allowIntegration', 'sourceOfTruth', 'meetings', 'instructors'] as const;
export type EditableKey = (typeof EDITABLE)[number];
export const LABELS: Record<EditableKey, string> = {
  sectionNumber: 'Section number',
  component: 'Component',
  capacity: 'Capacity',
  instructionMode: 'Instruction mode',
  campus: 'Campus',
  partOfTerm: 'Part of term',
  title: 'Title override',
  credits: 'Credits override',
  allowIntegration: 'Allow integration',
  sourceOfTruth: 'Source of truth',
  meetings: 'Meetings',
  instructors: 'Instructors',
};

export interface Draft {
  sectionNumber: string;
  component: string;
  capacity: string;
  instructionMode: string;
  campus: string;
  partOfTerm: string;
  title: string;
  credits: string;
  allowIntegration: '' | 'true' | 'false';
  sourceOfTruth: '' | SourceOfTruth;
  meetings: Meeting[];
  instructors: Section['instructors'];
}

/** How a part of the editor changes the draft: from the draft as it is then. */
export type UpdateDraft = (f: (d: Draft) => Draft) => void;

export function toDraft(s: Section): Draft {
  return {
    sectionNumber: s.sectionNumber,
    component: s.component,
    capacity: String(s.capacity),
    instructionMode: s.instructionMode,
    campus: s.campus ?? '',
    partOfTerm: s.partOfTerm ?? '',
    title: s.title ?? '',
    credits: s.credits === null ? '' : String(s.credits),
    allowIntegration: s.allowIntegration === null ? '' : s.allowIntegration ? 'true' : 'false',
    sourceOfTruth: s.sourceOfTruth ?? '',
    meetings: s.meetings.map((m) => ({ ...m })),
    instructors: s.instructors.map((i) => ({ ...i })),
  };
}

const num = (s: string) => (s.trim() === '' ? null : Number(s));
/** The API value of each editable field in a draft. */
export function apiValue(d: Draft, key: EditableKey): unknown {
  switch (key) {
    case 'capacity':
      return d.capacity.trim() === '' ? null : Number(d.capacity);
    case 'credits':
      return num(d.credits);
    case 'campus':
    case 'partOfTerm':
    case 'title':
      return d[key].trim() === '' ? null : d[key].trim();
    case 'allowIntegration':
      return d.allowIntegration === '' ? null : d.allowIntegration === 'true';
    case 'sourceOfTruth':
      return d.sourceOfTruth || null;
    case 'meetings':
      return d.meetings.map((m) => ({
        days: m.days,
        startTime: m.startTime || null,
        endTime: m.endTime || null,
        startDate: m.startDate || null,
        endDate: m.endDate || null,
        roomId: m.roomId || null,
        weekInterval: m.weekInterval,
      }));
    default:
      return d[key];
  }
}
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
export function changedKeys(from: Draft, to: Draft): EditableKey[] {
  return EDITABLE.filter((k) => !same(apiValue(from, k), apiValue(to, k)));
}

/** Why a field is locked now, or undefined when it may be changed. */
export function lockReason(rules: EditRules | null | undefined, canEdit: boolean, field: SectionField): string | undefined {
  if (rules == null) return canEdit ? undefined : 'Your role cannot edit sections';
  if (rules.bypass) return undefined;
  if (rules.mayEdit && rules.editableFields.includes(field)) return undefined;
  if (rules.phase) return `Locked during the “${rules.phase.name}” phase`;
  if (rules.source === 'termDefaults') return "Locked by this term's rules outside its phases";
  return 'Your role cannot change this field';
}
