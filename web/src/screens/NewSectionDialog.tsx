// New section: the few fields a section cannot be created without (course, number, component,
// capacity, instruction mode, credits), posted to the term on the list; the editor of the created
// section opens next, for meetings and instructors. Shown to roles with sections.create.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors, get, post, qs } from '../api.ts';
import { creditsLabel, useEditRules } from '../data.ts';
import { navigate } from '../router.tsx';
import { useCan, useSession } from '../session.tsx';
import type { Page, Section, Term } from '../types.ts';
import { Dialog, ErrorAlert, Field } from '../ui.tsx';
import { actionLock } from './SectionActions.tsx';
import { InstructionModeOptions } from './section-fields.tsx';

interface Course {
  id: string;
  code: string;
  title: string;
  credits: number;
  /** The most credits of a variable-credit course; null or absent: fixed. */
  creditsMax?: number | null;
  departmentId: string | null;
}

/** Courses listed at once: a search finds the others. */
const COURSE_LIMIT = 50;

/** Fields the dialog shows; another field's error (or a refusal) is shown above them. */
const SHOWN = ['courseId', 'sectionNumber', 'component', 'capacity', 'instructionMode', 'credits'];

export function NewSectionButton({ term }: { term: Term }) {
  const canCreate = useCan('sections.create');
  const rules = useEditRules(term.id);
  const [open, setOpen] = useState(false);
  if (!canCreate) return null;
  const locked = actionLock(rules.data, rules.data?.mayCreate, 'Creating sections');
  return (
    <>
      <button type="button" className="btn btn-primary" disabled={!!locked} title={locked} onClick={() => setOpen(true)}>
        New section
      </button>
      {open && <NewSectionDialog term={term} onClose={() => setOpen(false)} />}
    </>
  );
}

function NewSectionDialog({ term, onClose }: { term: Term; onClose: () => void }) {
  const client = useQueryClient();
  const { me } = useSession();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  // One department: the API reads only its courses, so the first page is all theirs.
  const only = me?.departmentIds?.length === 1 ? me.departmentIds[0] : undefined;
  const courses = useQuery({
    queryKey: ['courses', q, only],
    queryFn: () => get<Page<Course>>(`/api/v1/courses${qs({ q, departmentId: only, limit: COURSE_LIMIT })}`),
    // While a search loads (a slow connection), the courses found before stay listed: an emptied
    // list dropped the chosen course and disabled Create section under the registrar's click.
    placeholderData: keepPreviousData,
  });
  // A role limited to departments may create sections of their courses only.
  const offered = (courses.data?.items ?? []).filter((c) => !me?.departmentIds || (c.departmentId !== null && me.departmentIds.includes(c.departmentId)));

  const [sectionNumber, setSectionNumber] = useState('');
  const [component, setComponent] = useState('LEC');
  const [capacity, setCapacity] = useState('');
  const [instructionMode, setInstructionMode] = useState('in_person');
  const [credits, setCredits] = useState('');
  // Typing a search chooses the first course it lists; a course picked since stays chosen (and
  // listed) even when a search answering after the pick does not list it.
  const [picked, setPicked] = useState<Course | null>(null);
  const listed = picked && !offered.some((c) => c.id === picked.id) ? [picked, ...offered] : offered;
  const chosen = picked ?? offered[0];

  const create = useMutation({
    mutationFn: () =>
      post<Section>('/api/v1/sections', {
        termId: term.id,
        courseId: chosen?.id,
        sectionNumber,
        component,
        ...(capacity.trim() !== '' && { capacity: Number(capacity) }),
        instructionMode,
        credits: credits.trim() === '' ? null : Number(credits),
      }),
    onSuccess: (created) => {
      client.setQueryData(['section', created.id], created);
      void client.invalidateQueries({ queryKey: ['sections'] });
      navigate(`/sections/${created.id}`);
    },
  });
  const courseHint = courses.isPending
    ? 'Loading courses…'
    : courses.isPlaceholderData
    ? 'Searching courses…'
    : courses.data?.nextCursor
    ? `More courses match than the first ${COURSE_LIMIT} read: type more of a code or title to find others`
    : offered.length === 0
    ? 'No course matches'
    : undefined;
  const errors = fieldErrors(create.error);
  const fields = Object.keys(errors);
  const refusal = create.error && (fields.length === 0 || fields.some((f) => !SHOWN.includes(f)));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <Dialog title={`New section in ${term.name}`} open onClose={onClose}>
      <form onSubmit={submit} noValidate className="space-y-3">
        {refusal && <ErrorAlert error={create.error} />}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field label="Find course" hint="Code or title" className="sm:col-span-2">
            {(p) => (
              <input
                {...p}
                type="search"
                className="input"
                value={search}
                onChange={(e) => {
                  setSearch(e.target.value);
                  setPicked(null);
                }}
              />
            )}
          </Field>
          <Field label="Course" error={errors.courseId} className="sm:col-span-2" hint={courseHint}>
            {(p) => (
              <select {...p} className={`input ${errors.courseId ? 'input-error' : ''}`} value={chosen?.id ?? ''} onChange={(e) => setPicked(listed.find((c) => c.id === e.target.value) ?? null)}>
                {listed.length === 0 && <option value="">—</option>}
                {listed.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.code} — {c.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Section number" error={errors.sectionNumber}>
            {(p) => <input {...p} className={`input ${errors.sectionNumber ? 'input-error' : ''}`} value={sectionNumber} onChange={(e) => setSectionNumber(e.target.value)} />}
          </Field>
          <Field label="Component" error={errors.component} hint="LEC, LAB, DIS, SEM…">
            {(p) => <input {...p} className={`input ${errors.component ? 'input-error' : ''}`} value={component} onChange={(e) => setComponent(e.target.value.toUpperCase())} />}
          </Field>
          <Field label="Capacity" error={errors.capacity} hint="Blank: 0">
            {(p) => <input {...p} type="number" inputMode="numeric" min={0} className={`input ${errors.capacity ? 'input-error' : ''}`} value={capacity} onChange={(e) => setCapacity(e.target.value)} />}
          </Field>
          <Field label="Instruction mode" error={errors.instructionMode}>
            {(p) => (
              <select {...p} className="input" value={instructionMode} onChange={(e) => setInstructionMode(e.target.value)}>
                <InstructionModeOptions />
              </select>
            )}
          </Field>
          <Field label="Credits" error={errors.credits} hint={chosen ? `Blank: the course's ${creditsLabel(chosen)}` : "Blank: the course's"}>
            {(p) => <input {...p} type="number" step="0.5" min={0} className={`input ${errors.credits ? 'input-error' : ''}`} value={credits} onChange={(e) => setCredits(e.target.value)} />}
          </Field>
        </div>
        <p className="text-sm text-slate-600">Meetings and instructors are added in the editor, which opens next.</p>
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !chosen}>
            {create.isPending ? 'Creating…' : 'Create section'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
