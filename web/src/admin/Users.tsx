// Users with their role, products and departments. Admin is never a user's only product (the API
// refuses it; the form says so next to the products), and more than two Admin holders are flagged.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { fieldErrors, get, patch, post } from '../api.ts';
import { useDepartments, useRoles } from '../data.ts';
import type { Product, User } from '../types.ts';
import { Alert, Dialog, ErrorAlert, Field } from '../ui.tsx';
import { AdminTable } from './AdminTable.tsx';

const PRODUCT_LABEL: Record<Product, string> = { scheduling: 'Scheduling', admin: 'Admin' };

export function Users() {
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['admin-users'], queryFn: () => get<{ items: User[]; warnings: string[] }>('/api/v1/admin/users') });
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [lastWarnings, setLastWarnings] = useState<string[]>([]);
  const warnings = [...new Set([...(users.data?.warnings ?? []), ...lastWarnings])];
  return (
    <section className="space-y-3" aria-labelledby="users-h">
      <div className="flex items-center justify-between">
        <h2 id="users-h" className="text-lg font-semibold">
          Users
        </h2>
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          Add user
        </button>
      </div>
      {warnings.map((w) => (
        <Alert key={w} kind="warning" title="Too many administrators">
          {w}
        </Alert>
      ))}
      {users.error && <ErrorAlert error={users.error} />}
      <AdminTable columns={['Name', 'Email', 'Role', 'Products', 'State', { label: 'Actions', hidden: true }]}>
        {(users.data?.items ?? []).map((u) => (
          <tr key={u.id} className="border-t border-slate-100">
            <td className="px-3 py-2 font-medium">{u.name}</td>
            <td className="px-3 py-2">{u.email}</td>
            <td className="px-3 py-2">{u.roleName}</td>
            <td className="px-3 py-2">{u.products.map((p) => PRODUCT_LABEL[p]).join(', ')}</td>
            <td className="px-3 py-2">{u.disabled ? <span className="badge bg-slate-200">Disabled</span> : <span className="badge bg-green-100 text-green-900">Active</span>}</td>
            <td className="px-3 py-2 text-right">
              <button type="button" className="btn" onClick={() => setEditing(u)}>
                Edit <span className="sr-only">{u.email}</span>
              </button>
            </td>
          </tr>
        ))}
      </AdminTable>
      {editing && (
        <UserDialog
          user={editing === 'new' ? null : editing}
          onClose={(w) => {
            setEditing(null);
            if (w) {
              setLastWarnings(w);
              void client.invalidateQueries({ queryKey: ['admin-users'] });
            }
          }}
        />
      )}
    </section>
  );
}

function UserDialog({ user, onClose }: { user: User | null; onClose: (warnings?: string[]) => void }) {
  const roles = useRoles();
  const departments = useDepartments();
  const [email, setEmail] = useState(user?.email ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [password, setPassword] = useState('');
  const [roleId, setRoleId] = useState(user?.roleId ?? '');
  const [products, setProducts] = useState<Product[]>(user?.products ?? ['scheduling']);
  const [departmentIds, setDepartmentIds] = useState<string[]>(user?.departmentIds ?? []);
  const [disabled, setDisabled] = useState(user?.disabled ?? false);
  const role = roles.data?.find((r) => r.id === roleId);
  const save = useMutation({
    mutationFn: () => {
      if (user)
        return patch<{ user: User; warnings: string[] }>(`/api/v1/admin/users/${user.id}`, {
          version: user.version,
          name,
          roleId,
          products,
          departmentIds,
          disabled,
          ...(password ? { password } : {}),
        });
      return post<{ user: User; warnings: string[] }>('/api/v1/admin/users', { email, name, roleId, products, departmentIds, ...(password ? { password } : {}) });
    },
    onSuccess: (res) => onClose(res.warnings),
  });
  const errors = fieldErrors(save.error);
  const adminAlone = products.length === 1 && products[0] === 'admin';
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <Dialog title={user ? `Edit ${user.email}` : 'Add user'} open onClose={() => onClose()}>
      <form onSubmit={submit} className="space-y-3" noValidate>
        {save.error && Object.keys(errors).length === 0 && <ErrorAlert error={save.error} />}
        {!user && (
          <Field label="Email" error={errors.email}>
            {(p) => <input {...p} type="email" className="input" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
        )}
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} className="input" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={user ? 'New password (leave blank to keep)' : 'Password'} error={errors.password} hint="At least 12 characters; blank creates a user who cannot sign in yet">
          {(p) => <input {...p} type="password" autoComplete="new-password" className="input" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <Field label="Role" error={errors.roleId}>
          {(p) => (
            <select {...p} className="input" value={roleId} onChange={(e) => setRoleId(e.target.value)}>
              <option value="">Choose a role…</option>
              {(roles.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset aria-describedby="products-note">
          <legend className="font-medium">Products</legend>
          <div className="flex gap-4">
            {(['scheduling', 'admin'] as Product[]).map((p) => (
              <label key={p} className="flex items-center gap-1">
                <input type="checkbox" checked={products.includes(p)} onChange={(e) => setProducts(e.target.checked ? [...products, p] : products.filter((x) => x !== p))} />
                {PRODUCT_LABEL[p]}
              </label>
            ))}
          </div>
          <p id="products-note" className={`text-xs ${adminAlone ? 'text-amber-800' : 'text-slate-500'}`}>
            Admin is an add-on: a user with Admin also needs Scheduling. Keep Admin to one or two people.
          </p>
          {errors.products && <p className="field-error">{errors.products}</p>}
        </fieldset>
        {role?.departmentScoped && (
          <fieldset>
            <legend className="font-medium">Departments ({role.name} sees only these)</legend>
            <div className="max-h-40 overflow-auto rounded border border-slate-200 p-2">
              {(departments.data ?? []).map((d) => (
                <label key={d.id} className="flex items-center gap-1">
                  <input type="checkbox" checked={departmentIds.includes(d.id)} onChange={(e) => setDepartmentIds(e.target.checked ? [...departmentIds, d.id] : departmentIds.filter((x) => x !== d.id))} />
                  {d.code} — {d.name}
                </label>
              ))}
            </div>
            {errors.departmentIds && <p className="field-error">{errors.departmentIds}</p>}
          </fieldset>
        )}
        {user && (
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} /> Disabled (cannot sign in)
          </label>
        )}
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {user ? 'Save user' : 'Add user'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
