import type { LoginResp } from '@apiary/protocol';

const KEY = 'apiary.session';

/** What the dashboard remembers about a login. The token is the only secret. */
export interface Session {
  token: string;
  expiresAt: string;
  username: string;
}

/**
 * Sessions live in sessionStorage (gone when the tab closes) unless the operator asked to stay
 * signed in, then in localStorage. Expired sessions are discarded on load.
 */
export function loadSession(now = Date.now()): Session | null {
  for (const storage of [sessionStorage, localStorage]) {
    const raw = storage.getItem(KEY);
    if (!raw) continue;
    try {
      const session = JSON.parse(raw) as Session;
      if (typeof session.token === 'string' && Date.parse(session.expiresAt) > now) return session;
    } catch {
      // Unreadable: treat as signed out.
    }
    storage.removeItem(KEY);
  }
  return null;
}

export function saveSession(login: LoginResp, remember: boolean): Session {
  const session: Session = {
    token: login.token,
    expiresAt: login.expires_at,
    username: login.user.username,
  };
  clearSession();
  (remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}
