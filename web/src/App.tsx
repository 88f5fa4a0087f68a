import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { configureApi, getToken, readJson, subscribeSession } from './api/client.js';
import type { RuntimeConfig } from './api/types.js';
import { ErrorState, FullPageSpinner } from './components/Feedback.js';
import { Shell } from './components/Shell.js';
import { DirectoryProvider } from './lib/directory.js';
import { setDeskName } from './lib/title.js';
import { ToastProvider } from './lib/toast.js';
import { LoginPage } from './pages/Login.js';

async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', {
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  });
  const config = (await readJson(response)) as Partial<RuntimeConfig> | null;
  if (!response.ok || !config || typeof config !== 'object') {
    throw new Error(`/config.json could not be loaded (${response.status})`);
  }
  const auth = config.auth ?? { mode: 'local' };
  if (auth.mode !== 'local' && auth.mode !== 'cognito')
    throw new Error('/config.json has an unknown auth mode');
  return { deskName: config.deskName || 'Help desk', apiUrl: config.apiUrl ?? '', auth };
}

export function App() {
  const [config, setConfig] = useState<RuntimeConfig>();
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const token = useSyncExternalStore(subscribeSession, getToken);

  useEffect(() => {
    void attempt;
    loadConfig().then(
      (loaded) => {
        configureApi(loaded.apiUrl);
        setDeskName(loaded.deskName);
        setConfig(loaded);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [attempt]);

  const retry = useCallback(() => {
    setError(undefined);
    setAttempt((n) => n + 1);
  }, []);

  if (error) return <ErrorState title="The help desk is not reachable" message={error} onRetry={retry} />;
  if (!config) return <FullPageSpinner label="Starting…" />;
  return (
    <ToastProvider>
      {token ? (
        <DirectoryProvider key={token}>
          <Shell deskName={config.deskName} localDesk={config.auth.mode === 'local'} />
        </DirectoryProvider>
      ) : (
        <LoginPage config={config} />
      )}
    </ToastProvider>
  );
}
