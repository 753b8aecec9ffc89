// The shell: sign-in, the header with what the user's products open, and the routes.
import { useState, type FormEvent } from 'react';
import { AdminConsole } from './admin/AdminConsole.tsx';
import { ApiError } from './api.ts';
import { Link, navigate, usePath } from './router.tsx';
import { SectionEditorPage } from './screens/SectionEditor.tsx';
import { SectionsScreen } from './screens/Sections.tsx';
import { useSession } from './session.tsx';
import { Alert } from './ui.tsx';

export function App() {
  const { me, loading } = useSession();
  const path = usePath();
  if (loading) return <p className="p-6 text-slate-600">Loading…</p>;
  if (!me) return <LoginScreen />;
  if (path === '/login') {
    navigate('/sections', { replace: true });
    return null;
  }
  const hasScheduling = me.products.includes('scheduling');
  const hasAdmin = me.products.includes('admin');
  let content;
  const editor = /^\/sections\/([0-9a-f-]{36})$/.exec(path);
  if (path.startsWith('/admin')) content = hasAdmin ? <AdminConsole path={path} /> : <NoAccess what="the admin console" product="Admin" />;
  else if (!hasScheduling) content = <NoAccess what="the schedule" product="Scheduling" />;
  else if (editor) content = <SectionEditorPage sectionId={editor[1]} />;
  else content = <SectionsScreen />;
  return (
    <div className="min-h-screen">
      <Header />
      <main id="main" className="mx-auto max-w-[1600px] px-3 py-4 sm:px-4">
        {content}
      </main>
    </div>
  );
}

function Header() {
  const { me, signOut } = useSession();
  const path = usePath();
  const tab = (to: string, label: string, active: boolean) => (
    <Link
      to={to}
      aria-current={active ? 'page' : undefined}
      className={`rounded px-3 py-1.5 text-sm font-medium ${active ? 'bg-blue-700 text-white' : 'text-slate-700 hover:bg-slate-200'}`}
    >
      {label}
    </Link>
  );
  return (
    <header className="border-b border-slate-200 bg-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <div className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-2 px-3 py-2 sm:px-4">
        <span className="mr-2 text-lg font-bold text-blue-900">Coursebridge</span>
        <nav aria-label="Products" className="flex flex-wrap gap-1">
          {me?.products.includes('scheduling') && tab('/sections', 'Sections', !path.startsWith('/admin'))}
          {me?.products.includes('admin') && tab('/admin/users', 'Admin console', path.startsWith('/admin'))}
        </nav>
        <div className="ml-auto flex items-center gap-2 text-sm">
          <span className="text-slate-600" data-testid="signed-in-as">
            {me?.user?.name ?? me?.name} {me?.user && <span className="text-slate-400">({me.user.roleName})</span>}
          </span>
          <button
            type="button"
            className="btn"
            onClick={async () => {
              await signOut();
              navigate('/', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}

function NoAccess({ what, product }: { what: string; product: string }) {
  return (
    <div className="mx-auto max-w-xl" data-testid="no-access">
      <Alert kind="warning" title={`You cannot open ${what}`}>
        <p>It needs the {product} product, which your account does not hold. Ask an administrator if you need it.</p>
      </Alert>
    </div>
  );
}

function LoginScreen() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      if (location.pathname === '/' || location.pathname === '/login') navigate('/sections', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.problem.detail : 'The hub cannot be reached.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} className="card w-full max-w-sm space-y-3" aria-labelledby="login-title" noValidate>
        <h1 id="login-title" className="text-xl font-semibold">
          Sign in to Coursebridge
        </h1>
        {error && <Alert title="Sign-in failed">{error}</Alert>}
        <div>
          <label htmlFor="email" className="mb-0.5 block font-medium">
            Email
          </label>
          <input id="email" className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </div>
        <div>
          <label htmlFor="password" className="mb-0.5 block font-medium">
            Password
          </label>
          <input
            id="password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        <button type="submit" className="btn btn-primary w-full justify-center" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
