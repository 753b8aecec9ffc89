// API tokens: created by an admin, the secret shown once, revocable.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { fieldErrors, get, post } from '../api.ts';
import { useRoles } from '../data.ts';
import type { ApiToken } from '../types.ts';
import { Alert, ErrorAlert, Field, localStamp } from '../ui.tsx';
import { AdminTable } from './AdminTable.tsx';

export function Tokens() {
  const client = useQueryClient();
  const roles = useRoles();
  const tokens = useQuery({ queryKey: ['admin-tokens'], queryFn: async () => (await get<{ items: ApiToken[] }>('/api/v1/admin/api-tokens')).items });
  const [name, setName] = useState('');
  const [roleId, setRoleId] = useState('');
  const [kind, setKind] = useState<'api' | 'record_system'>('api');
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const secretText = useRef<HTMLElement>(null);
  /** Copied only when the clipboard took it; where there is none (a plain-HTTP origin) or it refuses, the secret is selected instead. */
  async function copySecret(text: string) {
    try {
      if (!navigator.clipboard) throw new Error('No clipboard on this origin');
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('failed');
      if (secretText.current) getSelection()?.selectAllChildren(secretText.current);
    }
  }
  const create = useMutation({
    mutationFn: () => post<{ token: ApiToken; secret: string }>('/api/v1/admin/api-tokens', { name, roleId, kind }),
    onSuccess: (res) => {
      setSecret({ name: res.token.name, secret: res.secret });
      setCopied(null);
      setName('');
      void client.invalidateQueries({ queryKey: ['admin-tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => post<ApiToken>(`/api/v1/admin/api-tokens/${id}/revoke`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin-tokens'] }),
  });
  const errors = fieldErrors(create.error);
  const roleName = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <section className="space-y-3" aria-labelledby="tokens-h">
      <h2 id="tokens-h" className="text-lg font-semibold">
        API tokens
      </h2>
      {secret && (
        <div role="status" className="space-y-2 rounded border border-green-400 bg-green-50 p-3 text-sm" data-testid="token-secret">
          <p className="font-semibold">Token “{secret.name}” created. Copy its secret now: it is shown only this once.</p>
          <code ref={secretText} className="block break-all rounded bg-white p-2 font-mono">
            {secret.secret}
          </code>
          <div className="flex flex-wrap items-center gap-2">
            <button type="button" className="btn" onClick={() => void copySecret(secret.secret)}>
              Copy secret
            </button>
            <button type="button" className="btn" onClick={() => setSecret(null)}>
              I have stored it
            </button>
            {copied === 'copied' && <span>Copied</span>}
            {copied === 'failed' && <span className="text-red-700">Copy failed — the secret is selected: copy it with Ctrl+C (⌘C)</span>}
          </div>
        </div>
      )}
      <form onSubmit={submit} className="card flex flex-wrap items-end gap-3" noValidate aria-label="Create an API token">
        <Field label="Name" error={errors.name} className="w-64">
          {(p) => <input {...p} className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Banner nightly" />}
        </Field>
        <Field label="Role" error={errors.roleId} className="w-48">
          {(p) => (
            <select {...p} className="input" value={roleId} onChange={(e) => setRoleId(e.target.value)}>
              <option value="">Choose…</option>
              {(roles.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Kind" className="w-48">
          {(p) => (
            <select {...p} className="input" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              <option value="api">API client</option>
              <option value="record_system">Record system (Course API)</option>
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.error && Object.keys(errors).length === 0 && <ErrorAlert error={create.error} />}
      {revoke.error && <ErrorAlert error={revoke.error} />}
      {tokens.error && <ErrorAlert error={tokens.error} />}
      {tokens.data?.length === 0 && <Alert kind="info">No API tokens yet.</Alert>}
      <AdminTable columns={['Name', 'Starts with', 'Role', 'Kind', 'Created', 'Last used', { label: 'Actions', hidden: true }]}>
        {(tokens.data ?? []).map((t) => (
          <tr key={t.id} className={`border-t border-slate-100 ${t.revokedAt ? 'text-slate-400' : ''}`}>
            <td className="px-3 py-2 font-medium">{t.name}</td>
            <td className="px-3 py-2 font-mono">{t.prefix}…</td>
            <td className="px-3 py-2">{roleName.get(t.roleId) ?? t.roleId}</td>
            <td className="px-3 py-2">{t.kind === 'api' ? 'API client' : 'Record system'}</td>
            <td className="px-3 py-2 whitespace-nowrap">{localStamp(t.createdAt)}</td>
            <td className="px-3 py-2 whitespace-nowrap">{t.lastUsedAt ? localStamp(t.lastUsedAt) : 'never'}</td>
            <td className="px-3 py-2 text-right">
              {t.revokedAt ? (
                `Revoked ${localStamp(t.revokedAt)}`
              ) : (
                <button type="button" className="btn btn-danger" onClick={() => confirm(`Revoke “${t.name}”? Clients using it stop working.`) && revoke.mutate(t.id)}>
                  Revoke <span className="sr-only">{t.name}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
    </section>
  );
}
