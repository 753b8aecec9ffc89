// The registrar's admin console (Admin product): users, roles and products, API tokens, the
// audit log, the phase calendar, and — once the hub serves their endpoints — the integration
// screens: sync dashboard, merge settings, Execute Merge and merge history, integration health,
// the SIS connection, and the signed-in user's integration notifications. Beside the title, a
// download of the embedded database's backup.
import { useQuery } from '@tanstack/react-query';
import { get } from '../api.ts';
import { useCapabilities } from '../data.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { AuditLog } from './AuditLog.tsx';
import { IntegrationHealth } from './IntegrationHealth.tsx';
import { MergeSettings } from './MergeSettings.tsx';
import { Merges } from './Merges.tsx';
import { Notifications } from './Notifications.tsx';
import { PhaseCalendar } from './PhaseCalendar.tsx';
import { Roles } from './Roles.tsx';
import { SisConnection } from './SisConnection.tsx';
import { SyncDashboard } from './SyncDashboard.tsx';
import { Tokens } from './Tokens.tsx';
import { Users } from './Users.tsx';

const TABS = [
  ['/admin/users', 'Users'],
  ['/admin/roles', 'Roles'],
  ['/admin/tokens', 'API tokens'],
  ['/admin/audit', 'Audit log'],
  ['/admin/phases', 'Phase calendar'],
  ['/admin/sync', 'Sync dashboard'],
  ['/admin/merge-settings', 'Merge settings'],
  ['/admin/merges', 'Merges'],
  ['/admin/integration-health', 'Integration health'],
  ['/admin/sis-connection', 'SIS connection'],
  ['/admin/notifications', 'Notifications'],
] as const;
/** Each integration tab and the endpoint whose presence in /api/openapi.json shows it. */
const NEEDS: Record<string, [string, string]> = {
  '/admin/sync': ['get', '/api/v1/admin/merges'],
  '/admin/merge-settings': ['put', '/api/v1/admin/merge-settings'],
  '/admin/merges': ['post', '/api/v1/admin/merges'],
  '/admin/integration-health': ['get', '/api/v1/admin/integration-health'],
  '/admin/sis-connection': ['put', '/api/v1/admin/sis-connection'],
  '/admin/notifications': ['put', '/api/v1/me/integration-notifications'],
};
/** Tabs whose every use needs a permission beyond the Admin product: hidden from those without it. */
const PERMISSION: Record<string, string> = { '/admin/sis-connection': 'mergeSettings.edit' };

export function AdminConsole({ path }: { path: string }) {
  const capabilities = useCapabilities();
  const permissions = useSession().me?.permissions ?? [];
  // The integration screens appear once the hub serves their endpoints.
  const tabs = TABS.filter(([to]) => (!NEEDS[to] || (capabilities.data?.has(...NEEDS[to]) ?? false)) && (!PERMISSION[to] || permissions.includes(PERMISSION[to])));
  const current = tabs.find(([to]) => path.startsWith(to))?.[0] ?? '/admin/users';
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Admin console</h1>
        {permissions.includes('users.manage') && <BackupLink />}
      </div>
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
      {current === '/admin/sync' && <SyncDashboard />}
      {current === '/admin/merge-settings' && <MergeSettings />}
      {current === '/admin/merges' && <Merges />}
      {current === '/admin/integration-health' && <IntegrationHealth />}
      {current === '/admin/sis-connection' && <SisConnection />}
      {current === '/admin/notifications' && <Notifications />}
    </div>
  );
}

/**
 * For those the API lets take one (users.manage: a backup holds every account), and only on the
 * embedded database: on PostgreSQL the hub answers 409, as pg_dump is the tool there. A plain link:
 * the session cookie goes with it, and the browser saves the file under the name the hub gives.
 */
function BackupLink() {
  const health = useQuery({ queryKey: ['health'], queryFn: () => get<{ database: 'pglite' | 'postgres' }>('/api/health'), staleTime: Infinity });
  if (health.data?.database !== 'pglite') return null;
  return (
    <a className="btn" href="/api/v1/admin/backup" download title="The whole database as of now, for coursebridge restore; keep secrets.key apart from it">
      Download backup
    </a>
  );
}
