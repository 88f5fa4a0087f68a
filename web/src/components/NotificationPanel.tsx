import { relativeTime, ticketNumber } from '../lib/format.js';
import { Link, ticketPath } from '../lib/router.js';
import type { NotificationFeed } from './NotificationBell.js';

/** The bell's list: recent notifications, newest first, each linking to its ticket; unread ones marked. */
export function NotificationPanel({
  data,
  onMarkRead,
  onOpenItem,
}: {
  data: NotificationFeed | undefined;
  /** Marks the named items read, or all of them. */
  onMarkRead(ids?: string[]): void;
  onOpenItem(): void;
}) {
  const now = Date.now();
  return (
    <>
      <div className="bell-header">
        <h2>Notifications</h2>
        <button
          type="button"
          className="link-button"
          onClick={() => onMarkRead()}
          disabled={!data || data.unread === 0}
        >
          Mark all read
        </button>
      </div>
      {!data ? (
        <p className="bell-empty muted">Loading…</p>
      ) : data.items.length === 0 ? (
        <p className="bell-empty muted">Nothing new. Assignments and alerts show up here.</p>
      ) : (
        <ul className="bell-list">
          {data.items.map((n) => (
            <li key={n.id} className={`bell-item ${n.read ? '' : 'is-unread'}`}>
              <Link
                to={ticketPath(n.ticketId)}
                className="bell-item-link"
                onClick={() => {
                  onOpenItem();
                  if (!n.read) onMarkRead([n.id]);
                }}
              >
                {n.read ? null : <span className="visually-hidden">Unread: </span>}
                <span className="bell-item-title">
                  {ticketNumber(n.ticketNumber)} {n.subject}
                </span>
                <span className="bell-item-text">{n.text}</span>
                <time className="bell-item-time" dateTime={n.at}>
                  {relativeTime(n.at, now)}
                </time>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
