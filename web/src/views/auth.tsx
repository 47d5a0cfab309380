/** Sign up or log in. */
import { useEffect, useState } from 'preact/hooks';
import { ParleyError } from '@parley/client';
import type { Session } from '../session.js';

/** The message to show for a failed request. */
export function describe(error: unknown): string {
  if (error instanceof ParleyError) {
    const fields = error.invalidParameters.map((p) => `${p.name}: ${p.reason}`).join('; ');
    return fields || error.detail || error.title;
  }
  return error instanceof Error ? error.message : String(error);
}

export function Auth({ session, onDone }: { session: Session; onDone: () => void }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // Single sign-on, when the server has a provider configured (`GET /auth/oidc`).
  const [sso, setSso] = useState<string | null>(null);
  useEffect(() => {
    fetch('/auth/oidc')
      .then((res) => (res.ok ? res.json() : null))
      .then((info: { enabled?: boolean; name?: string | null } | null) => setSso(info?.enabled ? (info.name ?? 'single sign-on') : null))
      .catch(() => setSso(null));
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError('');
    try {
      if (mode === 'register') await session.client.register({ username, password, name: String(form.get('name') ?? '').trim() || username });
      else await session.client.login(username.includes('@') ? { email: username, password } : { username, password });
      await session.begin();
      onDone();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="auth card" onSubmit={submit}>
      <h1>Parley</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => setMode('login')}>
          Log in
        </button>
        <button type="button" role="tab" aria-selected={mode === 'register'} onClick={() => setMode('register')}>
          Sign up
        </button>
      </div>
      {mode === 'register' && (
        <label>
          Display name
          <input name="name" autocomplete="name" maxLength={64} />
        </label>
      )}
      <label>
        Username{mode === 'login' ? ' or email' : ''}
        <input name="username" required autocomplete="username" />
      </label>
      <label>
        Password
        <input name="password" type="password" required minLength={8} autocomplete={mode === 'login' ? 'current-password' : 'new-password'} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {mode === 'login' ? 'Log in' : 'Create account'}
      </button>
      {sso !== null && (
        <a class="button sso" href={`/auth/oidc/start?redirect=${encodeURIComponent(location.pathname)}`}>
          Sign in with {sso}
        </a>
      )}
    </form>
  );
}
