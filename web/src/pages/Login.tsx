import { type FormEvent, useEffect, useRef, useState } from 'react';
import { signIn } from '../api/auth.js';
import { messageOf, sessionExpired, setToken } from '../api/client.js';
import type { RuntimeConfig } from '../api/types.js';
import { Alert } from '../components/Feedback.js';
import { BrandMark } from '../components/Shell.js';

export function LoginPage({ config }: { config: RuntimeConfig }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [expired] = useState(sessionExpired);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    emailRef.current?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      setToken(await signIn(config, email.trim(), password));
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
      passwordRef.current?.select();
    }
  };

  return (
    <main className="login-page">
      <div className="login-card">
        <div className="login-brand">
          <BrandMark />
          <span className="login-desk">{config.deskName}</span>
        </div>
        <h1 className="login-title">Sign in to your desk</h1>
        {expired && !error ? <Alert tone="info">Your session ended. Sign in again to continue.</Alert> : null}
        {error ? <Alert>{error}</Alert> : null}
        <form onSubmit={submit} className="form-stack" noValidate={false}>
          <div className="field">
            <label htmlFor="login-email">Email</label>
            <input
              ref={emailRef}
              id="login-email"
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              ref={passwordRef}
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {config.auth.mode === 'local' ? (
          <p className="login-hint">
            Local demo: <code>admin@demo.local</code> / <code>demo</code>
          </p>
        ) : null}
      </div>
    </main>
  );
}
