import { useCallback, useEffect, useState } from 'react';
import { get, isAbort, messageOf } from '../../api/client.js';
import type { Items } from '../../api/types.js';
import { fullTime, relativeTime } from '../../lib/format.js';
import { Link } from '../../lib/router.js';

/** A settings list loaded from the API (`{ items }`), with a reload. */
export function useItems<T>(path: string) {
  const [items, setItems] = useState<T[]>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (signal?: AbortSignal): Promise<T[] | undefined> => {
      setLoading(true);
      try {
        const result = await get<Items<T>>(path, signal);
        setItems(result.items);
        setError(undefined);
        setLoading(false);
        return result.items;
      } catch (e) {
        if (isAbort(e)) return undefined;
        setError(messageOf(e));
        setLoading(false);
        return undefined;
      }
    },
    [path],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  return { items, error, loading, reload: load };
}

export function Updated({ version, at, by, now }: { version: number; at: string; by: string; now: number }) {
  return (
    <span className="muted small">
      Version {version} · {by} ·{' '}
      <time dateTime={at} title={fullTime(at)}>
        {relativeTime(at, now)}
      </time>
    </span>
  );
}

export function AdminOnly() {
  return (
    <div className="empty-state page-pad">
      <h1 className="empty-title" tabIndex={-1}>
        Admins only
      </h1>
      <p className="muted">Only admins change business hours, SLA policies and blueprints.</p>
      <Link to="/inbox/open" className="btn btn-primary">
        Go to the inbox
      </Link>
    </div>
  );
}

export function BackTo({ to, label }: { to: string; label: string }) {
  return (
    <Link to={to} className="back-link">
      <span aria-hidden="true">←</span> {label}
    </Link>
  );
}
