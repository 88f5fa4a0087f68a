/**
 * The local desk's outbox: every mail the desk sent while running on this
 * machine (acknowledgements, replies, notifications) is written to a folder
 * instead of leaving it; `GET /local/outbox` lists them, newest first. Each
 * message expands to the headers that matter for threading and loop
 * prevention, and its text.
 */
import { useCallback, useEffect, useState } from 'react';
import { get, isAbort, messageOf } from '../api/client.js';
import type { Items, OutboxMessage } from '../api/types.js';
import { Alert, Spinner } from '../components/Feedback.js';
import { fullTime, relativeTime } from '../lib/format.js';
import { useHotkeys } from '../lib/hotkeys.js';
import { useNow } from '../lib/now.js';
import { setPageTitle } from '../lib/title.js';

export function OutboxPage() {
  const now = useNow();
  const [items, setItems] = useState<OutboxMessage[]>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (signal?: AbortSignal) => {
    setLoading(true);
    try {
      const result = await get<Items<OutboxMessage>>('/local/outbox', signal);
      setItems(result.items);
      setError(undefined);
    } catch (e) {
      if (isAbort(e)) return;
      setError(messageOf(e));
    }
    setLoading(false);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  useEffect(() => {
    setPageTitle('Outbox');
  }, []);

  useHotkeys({ 'shift+r': () => void load() });

  return (
    <div className="page outbox">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            Outbox
          </h1>
          <p className="page-subtitle" aria-live="polite">
            {items
              ? `${items.length} message${items.length === 1 ? '' : 's'} sent by this local desk · newest first`
              : 'Loading the outbox…'}
          </p>
        </div>
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          onClick={() => void load()}
          disabled={loading}
          aria-keyshortcuts="Shift+R"
        >
          {loading && items ? <Spinner size="sm" /> : null}
          Refresh
        </button>
      </div>

      {error ? (
        <Alert
          action={
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void load()}>
              Retry
            </button>
          }
        >
          The outbox could not be loaded: {error}
        </Alert>
      ) : null}

      {!items ? (
        error ? null : (
          <div className="timeline-loading">
            <Spinner label="Loading the outbox" />
          </div>
        )
      ) : items.length === 0 ? (
        <div className="empty-state outbox-empty">
          <h2 className="empty-title">No mail sent yet</h2>
          <p className="muted">
            When the desk runs locally, nothing leaves this machine: every mail it sends (acknowledgements of
            new tickets, replies to customers, notifications) appears here instead, with its headers and text.
          </p>
        </div>
      ) : (
        <ul className="outbox-list" aria-label="Sent mail" aria-busy={loading}>
          {items.map((message) => (
            <li key={message.file}>
              <OutboxItem message={message} now={now} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function bracketed(id: string | null): string | null {
  return id ? `<${id}>` : null;
}

function OutboxItem({ message, now }: { message: OutboxMessage; now: number }) {
  const recipients = message.to.length > 0 ? message.to : message.envelopeTo;
  const headers: [string, string | null][] = [
    ['From', message.from],
    ['Reply-To', message.replyTo],
    ['To', message.to.join(', ') || null],
    ['Cc', message.cc.join(', ') || null],
    ['Envelope-To', message.envelopeTo.join(', ') || null],
    ['Date', message.date ? fullTime(message.date) : null],
    ['Message-ID', bracketed(message.messageId)],
    ['In-Reply-To', bracketed(message.inReplyTo)],
    ['References', message.references.map((r) => `<${r}>`).join(' ') || null],
    ['Auto-Submitted', message.autoSubmitted],
    ['X-Auto-Response-Suppress', message.autoResponseSuppress],
  ];
  return (
    <details className="outbox-item">
      <summary className="outbox-summary">
        <span className="outbox-subject">{message.subject || '(no subject)'}</span>
        <span className="outbox-to">
          <span className="visually-hidden">to </span>
          <span aria-hidden="true">→ </span>
          {recipients.join(', ') || 'no recipients'}
        </span>
        {message.autoSubmitted ? <span className="pill pill-auto">Automatic</span> : null}
        {message.date ? (
          <time className="outbox-time" dateTime={message.date} title={fullTime(message.date)}>
            {relativeTime(message.date, now)}
          </time>
        ) : null}
      </summary>
      <div className="outbox-detail">
        <dl className="mail-headers">
          {headers.map(([name, value]) => (
            <div key={name} className="mail-header">
              <dt>{name}:</dt> <dd className={value ? undefined : 'muted'}>{value ?? '(none)'}</dd>
            </div>
          ))}
        </dl>
        <pre className="mail-text">{message.text || '(no text)'}</pre>
      </div>
    </details>
  );
}
