// Who is signed in: GET /api/v1/me decides what opens (the Admin console needs the Admin product).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { ApiError, csrf, del, get, onUnauthenticated, post } from './api.ts';
import type { Me, User } from './types.ts';

interface SessionValue {
  me: Me | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}
const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        const who = await get<Me>('/api/v1/me');
        // A new tab shares the cookie but not this tab's storage: the session's token comes with it.
        if (who.csrfToken) csrf.set(who.csrfToken);
        return who;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
  useEffect(
    () =>
      onUnauthenticated(() => {
        csrf.set(null);
        client.setQueryData(['me'], null);
      }),
    [client],
  );
  const value: SessionValue = {
    me: me.data ?? null,
    loading: me.isPending,
    async signIn(email, password) {
      const res = await post<{ user: User; csrfToken: string }>('/api/v1/session', { email, password });
      csrf.set(res.csrfToken);
      const who = await get<Me>('/api/v1/me');
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      client.setQueryData(['me'], who);
    },
    async signOut() {
      try {
        await del('/api/v1/session');
      } finally {
        csrf.set(null);
        client.setQueryData(['me'], null);
        client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      }
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function useCan(permission: string): boolean {
  return useSession().me?.permissions.includes(permission) ?? false;
}
