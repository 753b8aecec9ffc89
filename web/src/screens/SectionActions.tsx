// What happens to a section as a whole, from its editor: cancel it, reinstate it (the undo of a
// cancel, under the same permission and phase rule), delete it. Each is offered to roles with its
// permission and disabled, saying why, while the phase in force does not allow it.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, del, post } from '../api.ts';
import { sectionCode } from '../data.ts';
import { navigate } from '../router.tsx';
import { useCan } from '../session.tsx';
import type { EditRules, Section } from '../types.ts';
import { Dialog, ErrorAlert } from '../ui.tsx';

/** Why an action is not allowed now (`doing`: "cancelling"…), or undefined when it is. */
export function actionLock(rules: EditRules | null | undefined, allowed: boolean | undefined, doing: string): string | undefined {
  if (!rules || rules.bypass || allowed) return undefined;
  if (rules.phase) return `The “${rules.phase.name}” phase does not allow ${doing}`;
  return `${doing[0].toUpperCase()}${doing.slice(1)} is not allowed now`;
}

/** A 409 that carries the section as it is now: someone else saved it since it was read. */
const isStale = (error: unknown): error is ApiError => error instanceof ApiError && error.status === 409 && !!error.problem.current;

/**
 * Cancel an active section (after a confirmation), or reinstate a cancelled one. When someone else
 * saved the section meanwhile (409 with the current record), the editor moves to that record through
 * `onDone`, as after a success, and the user is asked again: the next try carries its version.
 */
export function SectionStatusAction({ section, onDone, rules }: { section: Section; onDone: (s: Section) => void; rules: EditRules | null | undefined }) {
  const client = useQueryClient();
  const canCancel = useCan('sections.cancel');
  const [confirming, setConfirming] = useState(false);
  const [stale, setStale] = useState<string | null>(null);
  const reinstating = section.status === 'cancelled';
  const change = useMutation({
    mutationFn: () => post<Section>(`/api/v1/sections/${section.id}/${reinstating ? 'reinstate' : 'cancel'}`, { version: section.version }),
    onMutate: () => setStale(null),
    onSuccess: (s) => {
      client.setQueryData(['section', s.id], s);
      void client.invalidateQueries({ queryKey: ['sections'] });
      setConfirming(false);
      onDone(s);
    },
    onError: (error) => {
      if (!isStale(error)) return;
      const current = error.problem.current as Section;
      client.setQueryData(['section', current.id], current);
      void client.invalidateQueries({ queryKey: ['sections'] });
      onDone(current);
      const wanted = reinstating ? 'active' : 'cancelled';
      setConfirming(current.status !== wanted);
      setStale(
        current.status === wanted
          ? `Someone else already ${reinstating ? 'reinstated' : 'cancelled'} this section (now version ${current.version}).`
          : `Someone else saved this section meanwhile; it now shows their version ${current.version}. ${reinstating ? 'Reinstate' : 'Cancel'} it again if you still mean to.`,
      );
    },
  });
  if (!canCancel) return null;
  const locked = actionLock(rules, rules?.mayCancel, reinstating ? 'reinstating' : 'cancelling');
  const message = stale ?? (change.error && !isStale(change.error) ? (change.error as Error).message : null);
  return (
    <>
      {message && (
        <span role="alert" className="text-sm text-red-700">
          {message}
        </span>
      )}
      {reinstating ? (
        <button type="button" className="btn" disabled={!!locked || change.isPending} title={locked} onClick={() => change.mutate()}>
          Reinstate section
        </button>
      ) : confirming ? (
        <>
          <span className="text-sm">Cancel this section?</span>
          <button type="button" className="btn btn-danger" onClick={() => change.mutate()} disabled={change.isPending}>
            Yes, cancel it
          </button>
          <button type="button" className="btn" onClick={() => { setConfirming(false); setStale(null); }}>
            No
          </button>
        </>
      ) : (
        <button type="button" className="btn btn-danger" disabled={!!locked} title={locked} onClick={() => { setConfirming(true); setStale(null); }}>
          Cancel section…
        </button>
      )}
    </>
  );
}

/** Delete the section, once confirmed in a dialog; the section list opens after. */
export function DeleteSection({ section, rules }: { section: Section; rules: EditRules | null | undefined }) {
  const client = useQueryClient();
  const canDelete = useCan('sections.delete');
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => del(`/api/v1/sections/${section.id}?version=${section.version}`),
    onSuccess: () => {
      navigate('/sections');
      client.removeQueries({ queryKey: ['section', section.id] });
      void client.invalidateQueries({ queryKey: ['sections'] });
    },
  });
  if (!canDelete) return null;
  const locked = actionLock(rules, rules?.mayDelete, 'deleting sections');
  const close = () => {
    setOpen(false);
    remove.reset();
  };
  return (
    <>
      <button type="button" className="btn btn-danger" disabled={!!locked} title={locked} onClick={() => setOpen(true)}>
        Delete section…
      </button>
      <Dialog title={`Delete ${sectionCode(section)}?`} open={open} onClose={close}>
        <div className="space-y-3 text-sm">
          <p>The section leaves every list in the hub. Where its term posts to the SIS and the SIS has it, the SIS is told to delete it (or to cancel it, where the SIS only cancels).</p>
          <p>To keep it on record as not offered, cancel it instead.</p>
          {remove.error && <ErrorAlert error={remove.error} />}
          <div className="flex justify-end gap-2">
            <button type="button" className="btn" onClick={close}>
              Keep it
            </button>
            <button type="button" className="btn btn-danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : 'Delete section'}
            </button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
