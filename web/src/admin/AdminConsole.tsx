// The registrar's admin console (Admin product): users, roles and products, API tokens, the
// audit log, and the phase calendar.
import { useCapabilities } from '../data.ts';
import { Link } from '../router.tsx';
import { AuditLog } from './AuditLog.tsx';
import { Merges } from './Merges.tsx';
import { PhaseCalendar } from './PhaseCalendar.tsx';
import { Roles } from './Roles.tsx';
import { Tokens } from './Tokens.tsx';
import { Users } from './Users.tsx';

const TABS = [
  ['/admin/users', 'Users'],
  ['/admin/roles', 'Roles'],
  ['/admin/tokens', 'API tokens'],
  ['/admin/audit', 'Audit log'],
  ['/admin/phases', 'Phase calendar'],
  ['/admin/merges', 'Merges'],
] as const;

export function AdminConsole({ path }: { path: string }) {
  const capabilities = useCapabilities();
  // The merge screens appear once the hub serves the merge endpoints.
  const hasMerges = capabilities.data?.has('post', '/api/v1/admin/merges') ?? false;
  const tabs = TABS.filter(([to]) => to !== '/admin/merges' || hasMerges);
  const current = tabs.find(([to]) => path.startsWith(to))?.[0] ?? '/admin/users';
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Admin console</h1>
      <nav aria-label="Admin console" className="flex flex-wrap gap-1 border-b border-slate-200">
        {tabs.map(([to, label]) => (
          <Link
            key={to}
            to={to}
            aria-current={current === to ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${current === to ? 'border-blue-700 text-blue-800' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
          >
            {label}
          </Link>
        ))}
      </nav>
      {current === '/admin/users' && <Users />}
      {current === '/admin/roles' && <Roles />}
      {current === '/admin/tokens' && <Tokens />}
      {current === '/admin/audit' && <AuditLog />}
      {current === '/admin/phases' && <PhaseCalendar />}
      {current === '/admin/merges' && <Merges />}
    </div>
  );
}
