// A record's integration status as schedulers see it: a banner (or a compact badge) that opens the
// details — attempts, times, the SIS's messages and raw answer. Shared by the section editor and
// the relationship view; shown only where the API returned an `integrationStatus`.
import { useState } from 'react';
import { INTEGRATION_BANNER_LABELS } from './data.ts';
import type { IntegrationStatusView } from './types.ts';
import { Dialog, localStamp } from './ui.tsx';

export type IntegrationSubject = 'section' | 'relationship';

const STYLE: Record<string, string> = {
  not_synced: 'bg-slate-100 text-slate-800 border-slate-300',
  pending: 'bg-amber-50 text-amber-900 border-amber-300',
  synced: 'bg-green-50 text-green-900 border-green-300',
  error: 'bg-red-50 text-red-900 border-red-300',
};
export const DETAIL_TEXT: Record<string, string> = {
  queued: 'queued to post',
  retrying: 'retrying after a temporary failure',
  maintenance: 'held: sync is paused for maintenance',
  waiting_for_sections: "waiting for its sections' SIS keys",
  awaiting_sis_key: 'waiting for the SIS to assign its key',
  integration_disabled: 'Allow integration is No',
  section_integration_disabled: 'one of its sections has Allow integration No',
  rejected: 'the SIS refused it',
  conflict: 'changed on both sides',
  retries_exhausted: 'gave up after repeated failures',
  changed_while_sync_off: 'changed while sync was off for its term; posted once sync is on',
  awaiting_nightly: 'waiting for the nightly sync',
};

/** The status's name: "Section not synced" / "Not synced", "Pending", "Waiting for its sections' SIS keys"… */
export function integrationLabel(view: IntegrationStatusView, subject: IntegrationSubject): string {
  if (subject === 'relationship') {
    if (view.status === 'not_synced') return 'Not synced';
    if (view.status === 'pending' && view.detail === 'waiting_for_sections') return "Waiting for its sections' SIS keys";
  }
  return INTEGRATION_BANNER_LABELS[view.status] ?? view.status;
}

/** The "— why" after the label, when the detail adds something the label does not say. */
function detailText(view: IntegrationStatusView, subject: IntegrationSubject): string | null {
  if (!view.detail || view.status === 'synced') return null;
  if (subject === 'relationship' && view.detail === 'waiting_for_sections' && view.status === 'pending') return null;
  return DETAIL_TEXT[view.detail] ?? view.detail;
}

/**
 * A button in the status's colours — a full-width banner, or a compact badge for a list — that
 * opens the details in a dialog.
 */
export function IntegrationStatusButton({
  view,
  subject,
  compact = false,
  testId = 'integration-status',
  detailsTitle,
  fieldLabels = {},
  onOpenChange,
}: {
  view: IntegrationStatusView;
  subject: IntegrationSubject;
  compact?: boolean;
  testId?: string;
  /** What the details dialog is about, e.g. a relationship's members; defaults to "Integration". */
  detailsTitle?: string;
  /** Human names for the fields the SIS's messages name. */
  fieldLabels?: Record<string, string>;
  /** Told when the details open or close (a caller may poll more while they are open). */
  onOpenChange?: (open: boolean) => void;
}) {
  const [open, setOpenState] = useState(false);
  const setOpen = (next: boolean) => {
    setOpenState(next);
    onOpenChange?.(next);
  };
  const label = integrationLabel(view, subject);
  const why = detailText(view, subject);
  const when = view.status === 'synced' && view.lastSuccessAt ? ` at ${localStamp(view.lastSuccessAt)}` : '';
  const first = view.status === 'error' ? view.messages[0]?.message : undefined;
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className={
          compact
            ? `inline-flex max-w-full flex-wrap items-baseline gap-x-1 rounded border px-2 py-0.5 text-left text-xs ${STYLE[view.status] ?? ''}`
            : `flex w-full items-center justify-between gap-3 rounded border px-3 py-2 text-left text-sm ${STYLE[view.status] ?? ''}`
        }
        data-testid={testId}
        data-status={view.status}
        data-detail={view.detail ?? ''}
        aria-haspopup="dialog"
      >
        <span>
          <strong>{label}</strong>
          {!compact && when}
          {why && <span className="text-xs"> — {why}</span>}
          {first && <span className="block font-mono text-xs">{first}</span>}
        </span>
        <span className="shrink-0 underline">Details</span>
      </button>
      <Dialog title={`${detailsTitle ?? 'Integration'} — ${label}`} open={open} onClose={() => setOpen(false)} wide>
        <IntegrationDetails view={view} subject={subject} fieldLabels={fieldLabels} />
      </Dialog>
    </>
  );
}

export function IntegrationDetails({ view, subject, fieldLabels = {} }: { view: IntegrationStatusView; subject: IntegrationSubject; fieldLabels?: Record<string, string> }) {
  const at = (v: string | null) => (v ? localStamp(v) : '—');
  return (
    <div className="space-y-3 text-sm" data-testid="integration-details">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
        <dt className="font-medium">Status</dt>
        <dd>
          {integrationLabel(view, subject)}
          {view.detail && ` (${DETAIL_TEXT[view.detail] ?? view.detail})`}
        </dd>
        <dt className="font-medium">Attempts</dt>
        <dd>{view.attempts}</dd>
        <dt className="font-medium">Last attempt</dt>
        <dd>{at(view.lastAttemptAt)}</dd>
        <dt className="font-medium">Last synced</dt>
        <dd>{at(view.lastSuccessAt)}</dd>
        {view.nextRetryAt && (
          <>
            <dt className="font-medium">Next retry</dt>
            <dd>{at(view.nextRetryAt)}</dd>
          </>
        )}
        {view.errorCode && (
          <>
            <dt className="font-medium">Error</dt>
            <dd>{view.errorCode}</dd>
          </>
        )}
      </dl>
      {view.messages.length > 0 && (
        <div>
          <h3 className="font-semibold">Messages from the SIS</h3>
          <ul className="list-disc pl-5">
            {view.messages.map((m, i) => (
              <li key={i}>
                {m.field && <span className="font-medium">{fieldLabels[m.field] ?? m.field}: </span>}
                <span className="font-mono">{m.message}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {view.raw !== undefined && view.raw !== null && (
        <details>
          <summary className="cursor-pointer">The SIS's raw response</summary>
          <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs">{JSON.stringify(view.raw, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}
