// Roles and their permissions (read-only here: the seeded roles cover the console's needs).
import { useRoles } from '../data.ts';
import { ErrorAlert } from '../ui.tsx';

export function Roles() {
  const roles = useRoles();
  return (
    <section className="space-y-3" aria-labelledby="roles-h">
      <h2 id="roles-h" className="text-lg font-semibold">
        Roles
      </h2>
      {roles.error && <ErrorAlert error={roles.error} />}
      <ul className="grid gap-3 md:grid-cols-2">
        {(roles.data ?? []).map((r) => (
          <li key={r.id} className="card">
            <h3 className="font-semibold">
              {r.name} {r.builtin && <span className="badge bg-slate-100 text-slate-600">built in</span>}{' '}
              {r.departmentScoped && <span className="badge bg-amber-100 text-amber-900">own departments only</span>}
            </h3>
            <p className="text-sm text-slate-600">{r.description}</p>
            <p className="mt-2 flex flex-wrap gap-1">
              {r.permissions.map((p) => (
                <code key={p} className="rounded bg-slate-100 px-1 text-xs">
                  {p}
                </code>
              ))}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
