import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api } from "./api/endpoints";
import { ApiError, setUnauthorizedHandler } from "./api/client";
import type { Me } from "./api/types";

interface AuthState {
  /** undefined while the first /me is in flight; null when logged out. */
  me: Me | null | undefined;
  canEdit: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Tests and the header use this to set a known user without a round trip. */
  setMe: (me: Me | null) => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children, initial }: { children: ReactNode; initial?: Me | null }) {
  const [me, setMe] = useState<Me | null | undefined>(initial);

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    if (initial !== undefined) return;
    let cancelled = false;
    api
      .me()
      .then((m) => !cancelled && setMe(m))
      .catch((e) => {
        if (!cancelled) setMe(e instanceof ApiError && e.status === 401 ? null : null);
      });
    return () => {
      cancelled = true;
    };
  }, [initial]);

  const login = useCallback(async (username: string, password: string) => {
    await api.login(username, password);
    setMe(await api.me());
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setMe(null);
    }
  }, []);

  return (
    <AuthContext.Provider value={{ me, canEdit: me?.role === "ADMIN", login, logout, setMe }}>
      {children}
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
