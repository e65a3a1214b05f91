import { ApiError, type WhoAmI } from '@apiary/protocol';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { createApi } from './api/client.js';
import { clearSession, loadSession, type Session } from './api/session.js';
import { AppContext, type AppServices } from './state/app-context.js';
import { QueryCache } from './state/query-cache.js';
import { ToastHost } from './ui/toast-host.js';
import { AppShell } from './views/shell/app-shell.js';
import { LoginView } from './views/shell/login-view.js';
import { useLiveUpdates } from './views/shell/use-live-updates.js';

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [notice, setNotice] = useState<string | undefined>();
  const signOut = useCallback((reason?: string) => {
    clearSession();
    setNotice(reason);
    setSession(null);
  }, []);
  return (
    <>
      {session ? (
        <SignedIn key={session.token} session={session} signOut={signOut} />
      ) : (
        <LoginView
          notice={notice}
          onSignedIn={(s) => {
            setNotice(undefined);
            setSession(s);
          }}
        />
      )}
      <ToastHost />
    </>
  );
}

function SignedIn({ session, signOut }: { session: Session; signOut: (reason?: string) => void }) {
  const expired = useCallback(
    () => signOut('Your session has ended. Sign in again to continue.'),
    [signOut],
  );
  const api = useMemo(() => createApi(() => session.token), [session.token]);
  // A fresh cache per session: one operator never sees what the previous one loaded.
  const cache = useMemo(
    () =>
      new QueryCache((error) => {
        if (error instanceof ApiError && error.code === 'unauthenticated') expired();
      }),
    [expired],
  );
  const [whoami, setWhoami] = useState<WhoAmI | undefined>();
  useEffect(() => {
    api.whoami().then(setWhoami, (error: unknown) => {
      if (error instanceof ApiError && error.code === 'unauthenticated') expired();
    });
  }, [api, expired]);
  const live = useLiveUpdates(cache, session.token, expired);
  // One value while nothing in it changes: every view reading the context renders again when
  // it does, and a fleet page has a thousand of them.
  const services: AppServices = useMemo(
    () => ({
      api,
      cache,
      session,
      whoami,
      live,
      signOut: (reason?: string) => {
        // End the session on the server too; sign out locally whatever it answers.
        void api.logout().catch(() => {});
        signOut(reason);
      },
    }),
    [api, cache, session, whoami, live, signOut],
  );
  return (
    <AppContext.Provider value={services}>
      <AppShell />
    </AppContext.Provider>
  );
}
