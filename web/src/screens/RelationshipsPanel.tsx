// The section editor's crosslists and combined sections: the groups the section is in, each with
// its members, shared capacity and integration status, and an Edit for roles that may change them.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, get } from '../api.ts';
import { sectionCode } from '../data.ts';
import { useCan } from '../session.tsx';
import type { Relationship, Section } from '../types.ts';
import { ErrorAlert } from '../ui.tsx';
import { pollWhilePending, RelationshipDialog, RelationshipStatus } from './RelationshipDialog.tsx';

export function RelationshipsPanel({ section }: { section: Section }) {
  const canEdit = useCan('relationships.edit');
  const relationships = useQuery({
    queryKey: ['relationships', { sectionId: section.id }],
    queryFn: async () => (await get<{ items: Relationship[] }>(`/api/v1/relationships?sectionId=${section.id}`)).items,
    // A relationship being posted (or waiting for its sections' SIS keys) settles on its own: follow it.
    refetchInterval: (q) => pollWhilePending(q.state.data),
  });
  const memberIds = [...new Set((relationships.data ?? []).flatMap((r) => r.members.map((m) => m.sectionId)))];
  const members = useQuery({
    queryKey: ['relationship-members', memberIds],
    enabled: memberIds.length > 0,
    queryFn: async () => {
      // A role limited to departments is not shown the sections of others (404): those are named
      // as such, and the ones it may see are still shown.
      const reads = await Promise.allSettled(memberIds.map((id) => get<Section>(`/api/v1/sections/${id}`)));
      const found = new Map<string, Section>();
      const unseen = new Set<string>();
      reads.forEach((read, i) => {
        if (read.status === 'fulfilled') found.set(read.value.id, read.value);
        else if (read.reason instanceof ApiError && read.reason.status === 404) unseen.add(memberIds[i]);
        else throw read.reason;
      });
      return { found, unseen };
    },
  });
  const memberLabel = (id: string) => {
    const s = members.data?.found.get(id);
    return s ? sectionCode(s) : members.data?.unseen.has(id) ? 'a section of another department' : '…';
  };
  const hidesMembers = (r: Relationship) => r.members.some((m) => members.data?.unseen.has(m.sectionId));
  const [editing, setEditing] = useState<Relationship | null>(null);
  return (
    <section className="card space-y-2" aria-labelledby="rel-h">
      <h2 id="rel-h" className="font-semibold">
        Crosslists and combined sections
      </h2>
      {relationships.error && <ErrorAlert error={relationships.error} />}
      {members.error && <ErrorAlert error={members.error} />}
      {relationships.data?.length === 0 && <p className="text-sm text-slate-600">This section is in no crosslist or combined section. Select sections in the list and choose Crosslist or Combine.</p>}
      <ul className="space-y-1">
        {(relationships.data ?? []).map((r) => (
          <li key={r.id} className="flex flex-wrap items-center gap-2 text-sm" data-relationship={r.id}>
            <span className="badge bg-indigo-100 text-indigo-900">{r.kind === 'crosslist' ? 'Crosslist' : 'Combined'}</span>
            {r.members.map((m) => (
              <span key={m.sectionId} className={m.primary ? 'font-semibold' : ''}>
                {memberLabel(m.sectionId)}
                {m.primary ? ' (primary)' : ''}
              </span>
            ))}
            {r.sharedCapacity !== null && <span className="text-slate-600">shared capacity {r.sharedCapacity}</span>}
            <RelationshipStatus
              relationship={r}
              compact
              label={`${r.kind === 'crosslist' ? 'Crosslist' : 'Combined section'} ${r.members.map((m) => memberLabel(m.sectionId)).join(', ')}`}
            />
            {canEdit && (
              // Only one who sees every member may change the group (the API refuses others).
              <button
                type="button"
                className="btn"
                disabled={!members.data || hidesMembers(r)}
                title={hidesMembers(r) ? 'It includes a section of another department' : undefined}
                onClick={() => setEditing(r)}
              >
                Edit
              </button>
            )}
          </li>
        ))}
      </ul>
      {editing && members.data && (
        <RelationshipDialog
          kind={editing.kind}
          termId={editing.termId}
          relationship={editing}
          sections={editing.members.map((m) => members.data!.found.get(m.sectionId)!).filter(Boolean)}
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}
