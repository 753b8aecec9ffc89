// Roles and their permissions: add a role (name, description, permissions grouped by area, whether
// it is limited to the user's departments), edit any role, delete an unused custom one. Built-in
// roles can be edited but not deleted, as the API enforces; its refusals (a name in use, a role
// still given to users or tokens) are shown next to the field or on the role.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, fieldErrors, post, put } from '../api.ts';
import { useRoles } from '../data.ts';
import { useCan, useSession } from '../session.tsx';
import type { Role } from '../types.ts';
import { Alert, Dialog, ErrorAlert, Field } from '../ui.tsx';

/** Every permission, grouped by what it governs, with what it allows in words. */
export const PERMISSION_GROUPS: { title: string; permissions: [string, string][] }[] = [
  {
    title: 'Sections',
    permissions: [
      ['sections.view', 'View sections'],
      ['sections.edit', 'Edit sections'],
      ['sections.create', 'Create sections'],
      ['sections.cancel', 'Cancel sections'],
      ['sections.delete', 'Delete sections'],
      ['relationships.edit', 'Crosslist and combine sections'],
    ],
  },
  {
    title: 'Catalog and reference data',
    permissions: [
      ['courses.edit', 'Edit courses'],
      ['terms.edit', 'Edit terms'],
      ['referenceData.edit', 'Edit departments, buildings, rooms, instructors'],
    ],
  },
  {
    title: 'Phases',
    permissions: [
      ['phases.edit', 'Edit the phase calendar'],
      ['phases.bypass', 'Change what a phase locks'],
    ],
  },
  {
    title: 'Integration',
    permissions: [
      ['integrationStatus.view', 'View integration status and health'],
      ['merges.execute', 'Execute merges, retry and dismiss posts'],
      ['mergeSettings.edit', 'Edit merge settings'],
    ],
  },
  {
    title: 'People and audit',
    permissions: [
      ['users.manage', 'Manage users'],
      ['roles.edit', 'Edit roles'],
      ['tokens.manage', 'Manage API tokens'],
      ['audit.view', 'View the audit log'],
    ],
  },
  {
    title: 'Course API',
    permissions: [['courseApi.write', 'Submit and amend courses (record systems)']],
  },
];
const KNOWN = new Set(PERMISSION_GROUPS.flatMap((g) => g.permissions.map(([p]) => p)));
const LABEL = new Map(PERMISSION_GROUPS.flatMap((g) => g.permissions));

export function Roles() {
  const roles = useRoles();
  const canEdit = useCan('roles.edit');
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section className="space-y-3" aria-labelledby="roles-h">
      <div className="flex items-center justify-between">
        <h2 id="roles-h" className="text-lg font-semibold">
          Roles
        </h2>
        {canEdit && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            Add role
          </button>
        )}
      </div>
      {!canEdit && <p className="text-sm text-slate-600">Your role does not allow editing roles (roles.edit).</p>}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}
      {roles.error && <ErrorAlert error={roles.error} />}
      <ul className="grid gap-3 md:grid-cols-2">
        {(roles.data ?? []).map((r) => (
          <li key={r.id} className="card space-y-2" data-role={r.name} aria-label={`Role ${r.name}`}>
            <div className="flex items-start justify-between gap-2">
              <h3 className="font-semibold">
                {r.name} {r.builtin && <span className="badge bg-slate-100 text-slate-600">built in</span>}{' '}
                {r.departmentScoped && <span className="badge bg-amber-100 text-amber-900">own departments only</span>}
              </h3>
              {canEdit && (
                <div className="flex shrink-0 gap-1">
                  <button type="button" className="btn" onClick={() => setEditing(r)}>
                    Edit <span className="sr-only">{r.name}</span>
                  </button>
                  {!r.builtin && (
                    <button type="button" className="btn" onClick={() => setDeleting(r)}>
                      Delete <span className="sr-only">{r.name}</span>
                    </button>
                  )}
                </div>
              )}
            </div>
            {r.description && <p className="text-sm text-slate-600">{r.description}</p>}
            <p className="flex flex-wrap gap-1">
              {r.permissions.length === 0 && <span className="text-xs text-slate-500">No permissions</span>}
              {r.permissions.map((p) => (
                <code key={p} className="rounded bg-slate-100 px-1 text-xs" title={LABEL.get(p)}>
                  {p}
                </code>
              ))}
            </p>
          </li>
        ))}
      </ul>
      {editing && (
        <RoleDialog
          role={editing === 'new' ? null : editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) setNotice(editing === 'new' ? `Added the role ${saved.name}.` : `Saved the role ${saved.name}.`);
          }}
        />
      )}
      {deleting && (
        <DeleteRoleDialog
          role={deleting}
          onClose={(deleted) => {
            setDeleting(null);
            if (deleted) setNotice(`Deleted the role ${deleting.name}.`);
          }}
        />
      )}
    </section>
  );
}

function useRolesChanged() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['roles'] }),
      client.invalidateQueries({ queryKey: ['admin-users'] }),
      client.invalidateQueries({ queryKey: ['me'] }),
    ]);
}

function RoleDialog({ role, onClose }: { role: Role | null; onClose: (saved?: Role) => void }) {
  const changed = useRolesChanged();
  const me = useSession().me;
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const [departmentScoped, setDepartmentScoped] = useState(role?.departmentScoped ?? false);
  const save = useMutation({
    mutationFn: () => {
      const body = { name, description, permissions, departmentScoped };
      return role ? put<Role>(`/api/v1/admin/roles/${role.id}`, body) : post<Role>('/api/v1/admin/roles', body);
    },
    onSuccess: async (saved) => {
      await changed();
      onClose(saved);
    },
  });
  const errors = fieldErrors(save.error);
  // permissions.3 → the checkbox of that permission; permissions → the fieldset.
  const permissionErrors = Object.entries(errors).filter(([f]) => f === 'permissions' || f.startsWith('permissions.'));
  const shownFields = new Set(['name', 'description', 'departmentScoped', ...permissionErrors.map(([f]) => f)]);
  const otherErrors = Object.entries(errors).filter(([f]) => !shownFields.has(f));
  const unknown = permissions.filter((p) => !KNOWN.has(p));
  const holdsIt = !!role && me?.user?.roleId === role.id;
  const losing = holdsIt ? ['roles.edit', 'users.manage'].filter((p) => role.permissions.includes(p) && !permissions.includes(p)) : [];

  const toggle = (p: string, on: boolean) => setPermissions((current) => (on ? [...new Set([...current, p])] : current.filter((x) => x !== p)));
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <Dialog title={role ? `Edit role ${role.name}` : 'Add role'} open onClose={() => onClose()} wide>
      <form onSubmit={submit} className="space-y-3" noValidate aria-label={role ? `Edit role ${role.name}` : 'Add role'}>
        {save.error && (Object.keys(errors).length === 0 || otherErrors.length > 0) && <ErrorAlert error={save.error} />}
        {role?.builtin && <p className="text-sm text-slate-600">{role.name} is built in: it can be edited but not deleted.</p>}
        <Field label="Name" error={errors.name}>
          {(p) => <input {...p} className="input" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Description" error={errors.description}>
          {(p) => <textarea {...p} className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <fieldset className="space-y-2" aria-describedby={permissionErrors.length ? 'role-permission-errors' : undefined}>
          <legend className="font-medium">Permissions</legend>
          <div className="grid gap-3 sm:grid-cols-2">
            {PERMISSION_GROUPS.map((g) => {
              const all = g.permissions.every(([p]) => permissions.includes(p));
              return (
                <fieldset key={g.title} className="rounded border border-slate-200 p-2">
                  <legend className="px-1 text-sm font-semibold">{g.title}</legend>
                  {g.permissions.length > 1 && (
                    <label className="flex items-center gap-2 text-xs text-slate-600">
                      <input type="checkbox" checked={all} onChange={(e) => g.permissions.forEach(([p]) => toggle(p, e.target.checked))} />
                      All of {g.title.toLowerCase()}
                    </label>
                  )}
                  {g.permissions.map(([p, label]) => {
                    const index = permissions.indexOf(p);
                    const error = index >= 0 ? errors[`permissions.${index}`] : undefined;
                    return (
                      <div key={p}>
                        <label className="flex items-center gap-2 text-sm">
                          <input type="checkbox" checked={permissions.includes(p)} onChange={(e) => toggle(p, e.target.checked)} aria-invalid={error ? true : undefined} />
                          {label} <code className="text-xs text-slate-500">{p}</code>
                        </label>
                        {error && (
                          <p className="field-error" data-field-error>
                            {error}
                          </p>
                        )}
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
            {unknown.length > 0 && (
              <fieldset className="rounded border border-slate-200 p-2">
                <legend className="px-1 text-sm font-semibold">Other</legend>
                {unknown.map((p) => (
                  <label key={p} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" checked onChange={(e) => toggle(p, e.target.checked)} />
                    <code className="text-xs">{p}</code>
                  </label>
                ))}
              </fieldset>
            )}
          </div>
          {permissionErrors.length > 0 && (
            <div id="role-permission-errors">
              {permissionErrors
                .filter(([f]) => f === 'permissions' || !KNOWN.has(permissions[Number(f.split('.')[1])] ?? ''))
                .map(([f, m]) => (
                  <p key={f} className="field-error" data-field-error>
                    {f === 'permissions' ? m : `${permissions[Number(f.split('.')[1])] ?? f}: ${m}`}
                  </p>
                ))}
            </div>
          )}
          <p className="text-xs text-slate-500">{permissions.length} selected.</p>
        </fieldset>
        <div>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={departmentScoped} onChange={(e) => setDepartmentScoped(e.target.checked)} aria-describedby="role-scope-note" />
            Department-scoped: only the sections of the user's own departments
          </label>
          <p id="role-scope-note" className="text-xs text-slate-500">
            Users with a department-scoped role are given their departments on the Users tab.
          </p>
          {errors.departmentScoped && (
            <p className="field-error" data-field-error>
              {errors.departmentScoped}
            </p>
          )}
        </div>
        {losing.length > 0 && (
          <Alert kind="warning" title="You hold this role">
            <p>Saving removes {losing.join(' and ')} from your own account.</p>
          </Alert>
        )}
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {role ? 'Save role' : 'Add role'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteRoleDialog({ role, onClose }: { role: Role; onClose: (deleted?: boolean) => void }) {
  const changed = useRolesChanged();
  const remove = useMutation({
    mutationFn: () => del<void>(`/api/v1/admin/roles/${role.id}`),
    onSuccess: async () => {
      await changed();
      onClose(true);
    },
  });
  return (
    <Dialog title={`Delete role ${role.name}?`} open onClose={() => onClose()}>
      <div className="space-y-3">
        <p className="text-sm">Only a role no user and no active API token holds can be deleted. The deletion is kept in the audit log.</p>
        {remove.error && <ErrorAlert error={remove.error} />}
        <div className="flex justify-end gap-2">
          <button type="button" className="btn" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" disabled={remove.isPending} onClick={() => remove.mutate()}>
            Delete role
          </button>
        </div>
      </div>
    </Dialog>
  );
}
