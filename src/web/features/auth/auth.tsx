// Who is signed in (GET /auth/me), shared by every page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, type Me } from '../../lib/api';

interface AuthState {
  me: Me | null;
  loading: boolean;
  refresh(): Promise<void>;
  login(identifier: string, password: string): Promise<Me>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

// Who is signed in is asked as the entry loads, not after the first render: every page waits for it.
let firstCheck: Promise<Me> | null = api.get<Me>('/auth/me');
firstCheck.catch(() => undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    try {
      const check = firstCheck ?? api.get<Me>('/auth/me');
      firstCheck = null;
      setMe(await check);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn(err);
      setMe(null);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const login = useCallback(async (identifier: string, password: string) => {
    const m = await api.post<Me>('/auth/login', { identifier, password });
    setMe(m);
    return m;
  }, []);
  const logout = useCallback(async () => {
    await api.post('/auth/logout').catch(() => undefined);
    setMe(null);
  }, []);
  return <AuthContext.Provider value={{ me, loading, refresh, login, logout }}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

const staffRoles = ['admin', 'leader', 'dispatcher', 'operator', 'handler', 'community_worker', 'grid_worker'];
export const isStaff = (me: Me | null) => !!me?.grants.some((g) => staffRoles.includes(g.role));
export const hasRole = (me: Me | null, ...roles: string[]) => !!me?.grants.some((g) => roles.includes(g.role));
