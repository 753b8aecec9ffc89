// Small shared pieces: labelled fields with their error beside them, alerts, dialogs, and how
// instants are shown (on the institution's clock or the browser's, always saying which).
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { instantToLocal, LOCAL_DATE_TIME } from '../../src/domain/zoned-time.ts';
import { ApiError } from './api.ts';

export function Field({
  label,
  error,
  hint,
  lockedReason,
  children,
  className = '',
}: {
  label: string;
  error?: string;
  hint?: string;
  lockedReason?: string;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string; title?: string }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const noteId = `${id}-note`;
  const describedBy = [error ? errorId : '', lockedReason || hint ? noteId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-0.5 block font-medium text-slate-700">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, title: lockedReason })}
      {(lockedReason || hint) && (
        <p id={noteId} className={lockedReason ? 'mt-0.5 text-xs text-amber-800' : 'mt-0.5 text-xs text-slate-500'}>
          {lockedReason ? `🔒 ${lockedReason}` : hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error" data-field-error>
          {error}
        </p>
      )}
    </div>
  );
}

export function Alert({ kind = 'error', title, children }: { kind?: 'error' | 'warning' | 'info' | 'success'; title?: string; children?: ReactNode }) {
  const styles = {
    error: 'border-red-300 bg-red-50 text-red-900',
    warning: 'border-amber-300 bg-amber-50 text-amber-900',
    info: 'border-blue-300 bg-blue-50 text-blue-900',
    success: 'border-green-300 bg-green-50 text-green-900',
  }[kind];
  return (
    <div role={kind === 'error' ? 'alert' : 'status'} className={`rounded border px-3 py-2 text-sm ${styles}`}>
      {title && <p className="font-semibold">{title}</p>}
      {children}
    </div>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError)
    return (
      <Alert title={error.problem.title}>
        <p>{error.problem.detail}</p>
      </Alert>
    );
  return <Alert title="Something went wrong">{String((error as Error).message ?? error)}</Alert>;
}

/** A modal dialog on the native <dialog>: focus trapped by the browser, Escape closes. */
export function Dialog({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      className={`m-auto w-[calc(100%-2rem)] ${wide ? 'max-w-3xl' : 'max-w-lg'} rounded-lg border border-slate-300 p-0 shadow-xl backdrop:bg-slate-900/40`}
    >
      {open && (
        <div className="p-4">
          <div className="mb-3 flex items-start justify-between gap-4">
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            <button type="button" className="btn" onClick={onClose} aria-label="Close">
              ✕
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}

// Instants not tied to the institution's calendar (when a record changed, a merge was queued, a
// token last used) are shown on this browser's clock, named by its zone: a non-admin learns the
// institution's zone only from a term's phase in force (its badge), and a bare "3:26 AM" beside
// "Nightly at 02:00 (America/Chicago)" cannot be told from the institution's 3 AM.
const stampParts = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } as const;
const stampFormat = new Intl.DateTimeFormat(undefined, stampParts);
const stampFormatWithSeconds = new Intl.DateTimeFormat(undefined, { ...stampParts, second: '2-digit' });

/**
 * "2025-03-04 14:05 CST": the instant in the browser's time zone, labelled with it; with
 * `seconds`, "2025-03-04 14:05:09 CST" where events in the same minute must be told apart.
 */
export function localStamp(iso: string, { seconds = false }: { seconds?: boolean } = {}): string {
  const format = seconds ? stampFormatWithSeconds : stampFormat;
  const p = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds ? `:${p.second}` : ''} ${p.timeZoneName}`;
}

/**
 * A wall-clock time 'YYYY-MM-DDTHH:MM' in the institution's time zone as every screen shows it —
 * phases and merges happen on the institution's clock, whatever zone the browser is in.
 */
export function institutionTime(local: string, timeZone?: string): string {
  return `${local.replace('T', ' ')} (institution time${timeZone ? `, ${timeZone}` : ''})`;
}

/** An instant on the institution's clock; in the browser's, saying so, when the zone is not known. */
export function instantInInstitution(instant: string, timeZone: string | undefined): string {
  if (!timeZone) return `${localStamp(instant)} (your time)`;
  return institutionTime(instantToLocal(new Date(instant), timeZone), timeZone);
}

/**
 * The phase in force, its end in the tooltip on the institution's clock like the phase calendar.
 * A term's badge carries the end as an instant and the zone; the edit rules' phase carries the
 * institution's wall-clock time itself.
 */
export function PhaseBadgeView({ phase }: { phase: { name: string; endsAt?: string; timeZone?: string } | null | undefined }) {
  if (!phase) return null;
  const { endsAt, timeZone } = phase;
  const until = !endsAt ? undefined : LOCAL_DATE_TIME.test(endsAt) ? institutionTime(endsAt, timeZone) : instantInInstitution(endsAt, timeZone);
  return (
    <span className="badge bg-violet-100 text-violet-900" title={until && `Until ${until}`} data-testid="phase-badge">
      Phase: {phase.name}
    </span>
  );
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
