// Create a crosslist or combined section from selected sections, or edit / dissolve one; and a
// relationship's integration status (shown only when the API returns one).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, fieldErrors, get, patch, post } from '../api.ts';
import { sectionCode } from '../data.ts';
import { IntegrationStatusButton } from '../integration.tsx';
import type { Relationship, Section } from '../types.ts';
import { Dialog, ErrorAlert } from '../ui.tsx';

const KIND_LABEL = { crosslist: 'Crosslist', combined: 'Combined section' } as const;
/** How the SIS's messages about a relationship name its fields. */
const FIELD_LABELS: Record<string, string> = { members: 'Members', sharedCapacity: 'Shared capacity', kind: 'Kind' };

/** Poll a relationship's status every second while it is pending (posting, queued, waiting for its sections). */
export const pollWhilePending = (relationships: Relationship[] | undefined) =>
  relationships?.some((r) => r.integrationStatus?.status === 'pending') ? 1000 : false;

/**
 * A relationship's integration status — Not synced / Pending / Waiting for its sections' SIS keys /
 * Synced successfully / Synced with errors with the SIS's first message — that opens the details.
 * Renders nothing when the API did not return a status (no permission, or the term does not sync).
 */
export function RelationshipStatus({ relationship, label, compact }: { relationship: Relationship; label: string; compact?: boolean }) {
  if (!relationship.integrationStatus) return null;
  return (
    <IntegrationStatusButton
      view={relationship.integrationStatus}
      subject="relationship"
      compact={compact}
      testId="relationship-integration-status"
      detailsTitle={label}
      fieldLabels={FIELD_LABELS}
    />
  );
}

export function RelationshipDialog({
  kind: initialKind,
  termId,
  sections,
  relationship,
  onClose,
}: {
  kind: 'crosslist' | 'combined';
  termId: string;
  sections: Section[];
  relationship?: Relationship;
  onClose: (changed: boolean) => void;
}) {
  const client = useQueryClient();
  // The relationship as the hub has it now, for its integration status (polled while pending).
  const current = useQuery({
    queryKey: ['relationships', { id: relationship?.id }],
    enabled: relationship !== undefined,
    initialData: relationship,
    initialDataUpdatedAt: () => Date.now(),
    staleTime: 500,
    queryFn: () => get<Relationship>(`/api/v1/relationships/${relationship!.id}`),
    refetchInterval: (q) => pollWhilePending(q.state.data ? [q.state.data] : undefined),
  });
  const [kind, setKind] = useState(initialKind);
  const [primary, setPrimary] = useState(relationship?.members.find((m) => m.primary)?.sectionId ?? sections[0]?.id);
  const [keep, setKeep] = useState<Set<string>>(new Set(sections.map((s) => s.id)));
  const [shared, setShared] = useState(relationship?.sharedCapacity?.toString() ?? '');
  const defaultShared = sections.reduce((n, s) => n + s.capacity, 0);

  const done = () => {
    void client.invalidateQueries({ queryKey: ['relationships'] });
    void client.invalidateQueries({ queryKey: ['sections'] });
    onClose(true);
  };
  const save = useMutation({
    mutationFn: async () => {
      const members = sections.filter((s) => keep.has(s.id)).map((s) => ({ sectionId: s.id, primary: s.id === primary }));
      const sharedCapacity = shared.trim() === '' ? null : Number(shared);
      if (relationship) return patch<Relationship>(`/api/v1/relationships/${relationship.id}`, { version: relationship.version, kind, sharedCapacity, members });
      return post<Relationship>('/api/v1/relationships', { termId, kind, sharedCapacity, members });
    },
    onSuccess: done,
  });
  const dissolve = useMutation({
    mutationFn: () => del(`/api/v1/relationships/${relationship!.id}?version=${relationship!.version}`),
    onSuccess: done,
  });
  const errors = fieldErrors(save.error);
  const memberErrors = Object.entries(errors).filter(([f]) => f.startsWith('members'));

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  const title = relationship ? `Edit ${KIND_LABEL[kind].toLowerCase()}` : `New ${KIND_LABEL[kind].toLowerCase()}`;
  return (
    <Dialog title={title} open onClose={() => onClose(false)}>
      <form onSubmit={submit} className="space-y-3" noValidate>
        {current.data && (
          <RelationshipStatus
            relationship={current.data}
            label={`${KIND_LABEL[current.data.kind]} ${sections.map(sectionCode).join(', ')}`}
          />
        )}
        <p className="text-sm text-slate-600">
          {kind === 'crosslist' ? 'The same class offered under several course codes.' : 'Sections that meet together in the same room at the same time.'}
        </p>
        {relationship && (
          <div>
            <label htmlFor="rel-kind" className="block font-medium">
              Kind
            </label>
            <select id="rel-kind" className="input" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              <option value="crosslist">Crosslist</option>
              <option value="combined">Combined section</option>
            </select>
          </div>
        )}
        <fieldset>
          <legend className="font-medium">Members — choose the primary section</legend>
          <ul className="mt-1 space-y-1">
            {sections.map((s, i) => (
              <li key={s.id} className="flex flex-wrap items-center gap-3 text-sm">
                <label className="flex items-center gap-1">
                  <input type="radio" name="primary" checked={primary === s.id} onChange={() => setPrimary(s.id)} disabled={!keep.has(s.id)} />
                  <span className="font-medium">{sectionCode(s)}</span> <span className="text-slate-500">({s.capacity} seats)</span>
                </label>
                {relationship && (
                  <label className="flex items-center gap-1 text-slate-600">
                    <input
                      type="checkbox"
                      checked={keep.has(s.id)}
                      onChange={(e) => {
                        const next = new Set(keep);
                        if (e.target.checked) next.add(s.id);
                        else next.delete(s.id);
                        setKeep(next);
                      }}
                    />
                    keep in group
                  </label>
                )}
                {errors[`members.${i}.sectionId`] && <span className="field-error">{errors[`members.${i}.sectionId`]}</span>}
              </li>
            ))}
          </ul>
          {errors.members && <p className="field-error">{errors.members}</p>}
        </fieldset>
        <div>
          <label htmlFor="rel-shared" className="block font-medium">
            Shared capacity
          </label>
          <input
            id="rel-shared"
            className={`input ${errors.sharedCapacity ? 'input-error' : ''}`}
            type="number"
            min={0}
            value={shared}
            placeholder={`None (members' total is ${defaultShared})`}
            onChange={(e) => setShared(e.target.value)}
            aria-describedby="rel-shared-hint"
          />
          <p id="rel-shared-hint" className="text-xs text-slate-500">
            Leave blank for no shared cap.
          </p>
          {errors.sharedCapacity && <p className="field-error">{errors.sharedCapacity}</p>}
        </div>
        {save.error && memberErrors.length === 0 && <ErrorAlert error={save.error} />}
        {dissolve.error && <ErrorAlert error={dissolve.error} />}
        <div className="flex flex-wrap justify-between gap-2">
          {relationship ? (
            <button type="button" className="btn btn-danger" onClick={() => dissolve.mutate()} disabled={dissolve.isPending}>
              Dissolve
            </button>
          ) : (
            <span />
          )}
          <div className="flex gap-2">
            <button type="button" className="btn" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={save.isPending}>
              {relationship ? 'Save' : `Create ${KIND_LABEL[kind].toLowerCase()}`}
            </button>
          </div>
        </div>
      </form>
    </Dialog>
  );
}
