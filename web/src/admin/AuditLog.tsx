// The audit log: who changed what and when, each field's before and after, with filters.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { get, qs } from '../api.ts';
import type { AuditEntry, Page } from '../types.ts';
import { Alert, ErrorAlert, formatValue, localStamp } from '../ui.tsx';
import { AdminTable } from './AdminTable.tsx';

// Every record type and action the hub audits (grep recordAudit in src to extend).
const ENTITY_TYPES = [
  'section', 'relationship', 'course', 'term', 'termEditDefaults', 'phase', 'phaseTemplate', 'user', 'role', 'api_token',
  'department', 'building', 'room', 'instructor', 'institution', 'merge_settings', 'merge_run', 'sis_connection',
  'notification_subscription', 'course_api_course', 'course_api_client', 'course_api_settings',
];
const ACTIONS = [
  'create', 'edit', 'update', 'cancel', 'reinstate', 'delete', 'sis_delete', 'revoke', 'start', 'subscribe', 'unsubscribe',
  'integration_retry', 'integration_retry_all', 'integration_dismiss', 'status_active', 'status_archived', 'status_deleted', 'archive_empty_at_rollover',
];

interface Filters {
  entityType: string;
  entityId: string;
  actorType: string;
  action: string;
  from: string;
  to: string;
}
const empty: Filters = { entityType: '', entityId: '', actorType: '', action: '', from: '', to: '' };
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditLog() {
  const [form, setForm] = useState<Filters>(empty);
  const [filters, setFilters] = useState<Filters>(empty);
  const audit = useInfiniteQuery({
    queryKey: ['audit', filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      get<Page<AuditEntry>>(
        `/api/v1/audit${qs({ entityType: filters.entityType, entityId: filters.entityId.trim(), actorType: filters.actorType, action: filters.action, from: iso(filters.from), to: iso(filters.to), limit: 100, cursor: pageParam })}`,
      ),
    getNextPageParam: (last) => last.nextCursor,
  });
  const entries = (audit.data?.pages ?? []).flatMap((p) => p.items);
  function submit(e: FormEvent) {
    e.preventDefault();
    setFilters(form);
  }
  const input = (key: keyof Filters, label: string, el: 'text' | 'datetime-local' = 'text') => (
    <div>
      <label htmlFor={`audit-${key}`} className="block font-medium">
        {label}
      </label>
      <input id={`audit-${key}`} type={el} className="input w-52" value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </div>
  );
  const select = (key: keyof Filters, label: string, options: string[]) => (
    <div>
      <label htmlFor={`audit-${key}`} className="block font-medium">
        {label}
      </label>
      <select id={`audit-${key}`} className="input w-40" value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section className="space-y-3" aria-labelledby="audit-h">
      <h2 id="audit-h" className="text-lg font-semibold">
        Audit log
      </h2>
      <form onSubmit={submit} className="card flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
        {select('entityType', 'Record type', ENTITY_TYPES)}
        {input('entityId', 'Record id')}
        {select('actorType', 'Who', ['user', 'token', 'system'])}
        {select('action', 'Action', ACTIONS)}
        {input('from', 'From', 'datetime-local')}
        {input('to', 'To', 'datetime-local')}
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        <button type="button" className="btn" onClick={() => { setForm(empty); setFilters(empty); }}>
          Clear
        </button>
      </form>
      {audit.error && <ErrorAlert error={audit.error} />}
      {!audit.isPending && entries.length === 0 && <Alert kind="info">No changes match.</Alert>}
      <AdminTable columns={['When', 'Who', 'Action', 'Record', 'Changes']}>
        {entries.map((e) => (
          <tr key={e.id} className="border-t border-slate-100 align-top">
            <td className="whitespace-nowrap px-3 py-2">{localStamp(e.at, { seconds: true })}</td>
            <td className="px-3 py-2">
              {e.actor.name} <span className="text-slate-500">({e.actor.type})</span>
            </td>
            <td className="px-3 py-2">
              {e.action}
              {e.context && 'bypass' in e.context && <span className="badge ml-1 bg-amber-100 text-amber-900">phase bypass</span>}
            </td>
            <td className="px-3 py-2">
              {e.entityType} <span className="font-mono text-xs text-slate-500">{e.entityId.slice(0, 8)}</span>
            </td>
            <td className="px-3 py-2">
              <ul>
                {Object.entries(e.changes).map(([field, c]) => (
                  <li key={field} className="break-words">
                    <span className="font-medium">{field}</span>: <span className="text-slate-500">{formatValue(c.before)}</span> → {formatValue(c.after)}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </AdminTable>
      {audit.hasNextPage && (
        <button type="button" className="btn" onClick={() => audit.fetchNextPage()} disabled={audit.isFetchingNextPage}>
          {audit.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
