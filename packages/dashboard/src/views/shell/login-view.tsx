import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from '../../api/client.js';
import { type Session, saveSession } from '../../api/session.js';
import { errorText } from '../../state/toasts.js';
import { Button } from '../../ui/button.js';
import { Icon, LogoMark } from '../../ui/icons.js';

export function LoginView({
  notice,
  onSignedIn,
}: {
  notice: string | undefined;
  onSignedIn: (session: Session) => void;
}) {
  const api = useMemo(() => createApi(() => undefined), []);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const usernameInput = useRef<HTMLInputElement>(null);
  useEffect(() => usernameInput.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const login = await api.login({ body: { username: username.trim(), password } });
      onSignedIn(saveSession(login, remember));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} data-testid="login-form">
        <div class="login-brand">
          <LogoMark size={40} />
          <div>
            <h1>Apiary</h1>
            <p class="muted">bhyve fleet control</p>
          </div>
        </div>
        {notice ? (
          <p class="notice" role="status">
            <Icon name="info" />
            {notice}
          </p>
        ) : null}
        <div class="field">
          <label for="login-username">Username</label>
          <input
            ref={usernameInput}
            id="login-username"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={remember}
            onChange={(e) => setRemember(e.currentTarget.checked)}
          />
          Keep me signed in on this browser
        </label>
        {error ? (
          <p class="form-error" role="alert" data-testid="login-error">
            <Icon name="alert" />
            {error}
          </p>
        ) : null}
        <Button type="submit" variant="primary" busy={busy} class="btn-block">
          Sign in
        </Button>
        <p class="login-help muted">
          First sign-in: the <span class="mono">admin</span> password is in{' '}
          <span class="mono">bootstrap.json</span> in the controller's data directory.
        </p>
      </form>
    </main>
  );
}
