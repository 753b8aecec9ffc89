// The term picker with the term's current phase badge (terms carry `currentPhase` when the hub has phases).
import { useEffect, useState } from 'react';
import { useTerms } from '../data.ts';
import type { Term } from '../types.ts';
import { PhaseBadgeView } from '../ui.tsx';

const KEY = 'coursebridge.termId';

export function useSelectedTerm(): [Term | undefined, (id: string) => void, boolean] {
  const terms = useTerms();
  const [termId, setTermId] = useState<string | null>(() => localStorage.getItem(KEY));
  const list = terms.data ?? [];
  const term = list.find((t) => t.id === termId) ?? list[0];
  useEffect(() => {
    if (term && term.id !== termId) setTermId(term.id);
  }, [term, termId]);
  return [
    term,
    (id: string) => {
      localStorage.setItem(KEY, id);
      setTermId(id);
    },
    terms.isPending,
  ];
}

export function TermPicker({ term, onChange, terms }: { term: Term | undefined; onChange: (id: string) => void; terms: Term[] }) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <label htmlFor="term-picker" className="font-medium">
        Term
      </label>
      <select id="term-picker" className="input w-auto" value={term?.id ?? ''} onChange={(e) => onChange(e.target.value)}>
        {terms.length === 0 && <option value="">No terms yet</option>}
        {terms.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.code})
          </option>
        ))}
      </select>
      {term && 'currentPhase' in term && (term.currentPhase ? <PhaseBadgeView phase={term.currentPhase} /> : <span className="badge bg-slate-100 text-slate-600">No phase in force</span>)}
    </div>
  );
}
