// Integration health (GET /api/v1/admin/integration-health): every section and relationship now in
// error, with the SIS's raw message and a hint from the known-error catalogue; retry one (answers
// the status after the attempt), retry all (queues them), dismiss (hidden here, kept on the record
// until a sync succeeds). Shown only when the hub serves the endpoint.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api.ts';
import { INTEGRATION_BANNER_LABELS, useTerms } from '../data.ts';
import { Link } from '../router.tsx';
import type { IntegrationStatusView } from '../types.ts';
import { Alert, Dialog, ErrorAlert, Field, localStamp } from '../ui.tsx';

export interface HealthItem {
  type: 'section' | 'relationship';
  id: string;
  termId: string | null;
  label: string;
  status: IntegrationStatusView;
  rawMessage: string;
  hint: { id: string; title: string; hint: string } | null;
  dismissed: boolean;
}

export const useIntegrationHealth = (includeDismissed = false) =>
  useQuery({
    queryKey: ['integration-health', includeDismissed],
    queryFn: () => get<{ items: HealthItem[]; total: number }>(`/api/v1/admin/integration-health${includeDismissed ? '?includeDismissed=true' : ''}`),
    refetchInterval: 15_000,
  });

export function IntegrationHealth() {
  const client = useQueryClient();
  const [includeDismissed, setIncludeDismissed] = useState(false);
  const [type, setType] = useState('');
  const [note, setNote] = useState<{ kind: 'success' | 'info' | 'warning'; text: string } | null>(null);
  const [dismissing, setDismissing] = useState<HealthItem | null>(null);
  const health = useIntegrationHealth(includeDismissed);
  const terms = useTerms();
  const termName = (id: string | null) => (id ? (terms.data?.find((t) => t.id === id)?.code ?? '') : '');
  const refresh = () => client.invalidateQueries({ queryKey: ['integration-health'] });

  const retry = useMutation({
    mutationFn: (item: HealthItem) => post<IntegrationStatusView>('/api/v1/admin/integration-health/retry', { type: item.type, id: item.id }),
    onSuccess: (status, item) => {
      const label = INTEGRATION_BANNER_LABELS[status.status] ?? status.status;
      setNote({
        kind: status.status === 'synced' ? 'success' : status.status === 'error' ? 'warning' : 'info',
        text: `${item.label}: ${label}${status.status === 'error' && status.messages[0] ? ` — ${status.messages[0].message}` : ''}`,
      });
      void refresh();
    },
  });
  const retryAll = useMutation({
    mutationFn: () => post<{ queued: number }>('/api/v1/admin/integration-health/retry-all'),
    onSuccess: (res) => {
      setNote({ kind: 'info', text: `${res.queued} record${res.queued === 1 ? '' : 's'} queued to post again.` });
      void refresh();
    },
  });

  const items = (health.data?.items ?? []).filter((i) => !type || i.type === type);
  return (
    <section className="space-y-3" aria-labelledby="health-h">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="health-h" className="mr-auto text-lg font-semibold">
          Integration health{' '}
          {health.data && (
            <span className={`badge ${health.data.total ? 'bg-red-100 text-red-900' : 'bg-green-100 text-green-900'}`} data-testid="health-total">
              {health.data.total} in error
            </span>
          )}
        </h2>
        <div>
          <label htmlFor="ih-type" className="block font-medium">
            Type
          </label>
          <select id="ih-type" className="input w-40" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">Any</option>
            <option value="section">Sections</option>
            <option value="relationship">Relationships</option>
          </select>
        </div>
        <label className="flex items-center gap-1 pb-2">
          <input type="checkbox" checked={includeDismissed} onChange={(e) => setIncludeDismissed(e.target.checked)} />
          Show dismissed
        </label>
        <button type="button" className="btn btn-primary" disabled={retryAll.isPending || !health.data?.items.some((i) => !i.dismissed)} onClick={() => retryAll.mutate()}>
          Retry all
        </button>
      </div>
      <p className="text-sm text-slate-600">Every record whose last post the SIS refused. An error leaves this list once a later sync of the record succeeds.</p>
      {note && <Alert kind={note.kind}>{note.text}</Alert>}
      {health.error && <ErrorAlert error={health.error} />}
      {retry.error && <ErrorAlert error={retry.error} />}
      {retryAll.error && <ErrorAlert error={retryAll.error} />}
      {health.data && items.length === 0 && <Alert kind="success">No record is in error.</Alert>}
      <ul className="space-y-2" data-testid="health-list">
        {items.map((item) => (
          <li key={`${item.type}-${item.id}`} className={`card space-y-2 ${item.dismissed ? 'opacity-60' : ''}`} data-health-item={item.id}>
            <div className="flex flex-wrap items-center gap-2">
              <span className="badge bg-slate-100 text-slate-700">{item.type}</span>
              <h3 className="font-semibold">{item.label}</h3>
              {termName(item.termId) && <span className="text-xs text-slate-500">{termName(item.termId)}</span>}
              <span className="badge bg-red-100 text-red-900">{INTEGRATION_BANNER_LABELS[item.status.status] ?? item.status.status}</span>
              {item.status.errorCode && <span className="badge bg-slate-100 text-slate-700">{item.status.errorCode}</span>}
              {item.dismissed && <span className="badge bg-slate-200 text-slate-700">dismissed</span>}
              <span className="ml-auto text-xs text-slate-500">
                {item.status.lastAttemptAt && `last attempt ${localStamp(item.status.lastAttemptAt)}`} · {item.status.attempts} attempt{item.status.attempts === 1 ? '' : 's'}
              </span>
            </div>
            <div>
              <p className="text-xs font-medium text-slate-600">The SIS said</p>
              <p className="rounded bg-slate-50 px-2 py-1 font-mono text-sm" data-testid="raw-message">
                {item.rawMessage || '(no message)'}
              </p>
            </div>
            {item.hint ? (
              <Alert kind="info" title={item.hint.title}>
                <p>{item.hint.hint}</p>
              </Alert>
            ) : (
              <p className="text-xs text-slate-500">No known fix for this message; read the SIS's words above.</p>
            )}
            <div className="flex flex-wrap gap-2">
              {item.type === 'section' && (
                <Link to={`/sections/${item.id}`} className="btn">
                  Open section <span className="sr-only">{item.label}</span>
                </Link>
              )}
              <button type="button" className="btn" disabled={retry.isPending} onClick={() => retry.mutate(item)}>
                Retry <span className="sr-only">{item.label}</span>
              </button>
              {!item.dismissed && (
                <button type="button" className="btn" onClick={() => setDismissing(item)}>
                  Dismiss <span className="sr-only">{item.label}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {dismissing && (
        <DismissDialog
          item={dismissing}
          onClose={() => setDismissing(null)}
          onDone={(item) => {
            setDismissing(null);
            setNote({ kind: 'info', text: `${item.label} dismissed. It stays in error on the record until a sync succeeds.` });
            void refresh();
          }}
        />
      )}
    </section>
  );
}

/** Mounted per item, so a comment typed for one never carries over to the next. */
function DismissDialog({ item, onClose, onDone }: { item: HealthItem; onClose: () => void; onDone: (item: HealthItem) => void }) {
  const [comment, setComment] = useState('');
  const dismiss = useMutation({
    mutationFn: () => post('/api/v1/admin/integration-health/dismiss', { type: item.type, id: item.id, comment: comment.trim() || null }),
    onSuccess: () => onDone(item),
  });
  return (
    <Dialog title={`Dismiss ${item.label}`} open onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          dismiss.mutate();
        }}
      >
        <p className="text-sm">The error is hidden from Integration health; the record keeps its status until a later sync succeeds. The dismissal is audited.</p>
        <Field label="Comment (optional)">{(p) => <textarea {...p} className="input" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />}</Field>
        {dismiss.error && <ErrorAlert error={dismiss.error} />}
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={dismiss.isPending}>
            Dismiss
          </button>
        </div>
      </form>
    </Dialog>
  );
}
