import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, get } from '../api/client.js';
import type { DeskNotification } from '../api/types.js';

// The list loads when the bell is first opened; the count is all the top bar needs.
const NotificationPanel = lazy(() =>
  import('./NotificationPanel.js').then((m) => ({ default: m.NotificationPanel })),
);

const POLL_MS = 30_000;
const LIMIT = 20;

export interface NotificationFeed {
  items: DeskNotification[];
  unread: number;
}

/**
 * The bell in the top bar: the number of unread notifications (assignments,
 * mentions, escalations…), and on click the recent ones, each linking to its
 * ticket. Polls every 30 s while the page is visible and when the window gets
 * focus. Opening a notification marks it read; "Mark all read" does the rest.
 * Hidden when the desk has no notifications API.
 */
export function NotificationBell() {
  const id = useId();
  const [data, setData] = useState<NotificationFeed>();
  const [gone, setGone] = useState(false);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);

  const load = useCallback(async () => {
    try {
      setData(await get<NotificationFeed>(`/me/notifications?limit=${LIMIT}`));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) setGone(true);
    }
  }, []);

  useEffect(() => {
    if (gone) return;
    void load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, POLL_MS);
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [load, gone]);

  // Close on Escape (focus back on the bell) and on a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('pointerdown', onPointer);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const markRead = async (ids?: string[]) => {
    setData((d) =>
      d
        ? {
            items: d.items.map((n) => (!ids || ids.includes(n.id) ? { ...n, read: true } : n)),
            unread: ids
              ? Math.max(0, d.unread - d.items.filter((n) => ids.includes(n.id) && !n.read).length)
              : 0,
          }
        : d,
    );
    try {
      await api('POST', '/me/notifications/read', { body: ids ? { ids } : {} });
    } finally {
      void load();
    }
  };

  if (gone) return null;
  const unread = data?.unread ?? 0;

  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-sm bell-button"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        aria-controls={`${id}-panel`}
        onClick={() => {
          setOpen((o) => !o);
          if (!open) void load();
        }}
      >
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
          <path
            d="M10 2.5a5 5 0 0 0-5 5v2.8L3.6 13a.8.8 0 0 0 .7 1.2h11.4a.8.8 0 0 0 .7-1.2L15 10.3V7.5a5 5 0 0 0-5-5ZM8 15.5a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinejoin="round"
          />
        </svg>
        {unread ? (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </button>
      <section
        ref={panel}
        id={`${id}-panel`}
        className="bell-panel"
        aria-label="Recent notifications"
        hidden={!open}
      >
        {open ? (
          <Suspense fallback={<p className="bell-empty muted">Loading…</p>}>
            <NotificationPanel
              data={data}
              onMarkRead={(ids) => void markRead(ids)}
              onOpenItem={() => setOpen(false)}
            />
          </Suspense>
        ) : null}
      </section>
    </div>
  );
}
