import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { ApiError, api, get, isAbort, messageOf } from '../api/client.js';
import type {
  FieldError,
  Page,
  StoredMacro,
  Ticket,
  TicketPatch,
  TicketStatus,
  TimelineEntryView,
} from '../api/types.js';
import { PriorityTag, StatusBadge } from '../components/Badges.js';
import { BlueprintPanel } from '../components/BlueprintPanel.js';
import { Composer, type ComposerHandle } from '../components/Composer.js';
import { CustomerPanel } from '../components/CustomerPanel.js';
import { Alert, Spinner } from '../components/Feedback.js';
import { MacroPicker } from '../components/MacroPicker.js';
import { SlaPanel } from '../components/SlaPanel.js';
import { TicketProperties } from '../components/TicketProperties.js';
import { Timeline } from '../components/Timeline.js';
import { cachedTicket, updateCachedTicket } from '../lib/cache.js';
import { useDirectory } from '../lib/directory.js';
import { CHANNEL_LABEL, fullTime, relativeTime, ticketNumber } from '../lib/format.js';
import { useHotkeys } from '../lib/hotkeys.js';
import { applyMacro } from '../lib/macros.js';
import { useNow } from '../lib/now.js';
import { Link, lastInboxPath, navigate } from '../lib/router.js';
import { setPageTitle } from '../lib/title.js';
import { useToast } from '../lib/toast.js';
import { viewsChanged } from '../lib/views.js';

const TIMELINE_PAGE = 100;
const MAX_TIMELINE_PAGES = 20;

interface Banner {
  tone: 'error' | 'warning';
  message: string;
  details?: FieldError[];
}

const CONFLICT_MESSAGE =
  'This ticket was changed by someone else. It has been reloaded: check it and make your change again.';

const FIELD_PREFIX = 'customFields.';

/** Custom-field problems of a 400 (`details: [{ field: 'customFields.<id>' }]`), by field id. */
function customFieldErrors(error: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!(error instanceof ApiError) || error.status !== 400) return result;
  for (const d of error.details) {
    if (d.field.startsWith(FIELD_PREFIX)) result[d.field.slice(FIELD_PREFIX.length)] ??= d.message;
  }
  return result;
}

/** The ticket with a change applied before the server confirms it (custom fields merge, null clears). */
function applyLocally(ticket: Ticket, change: TicketPatch): Ticket {
  const { customFields, ...rest } = change;
  const next: Ticket = { ...ticket, ...rest };
  if (customFields) {
    const values = { ...ticket.customFields };
    for (const [key, value] of Object.entries(customFields)) {
      if (value === null) delete values[key];
      else values[key] = value;
    }
    next.customFields = values;
  }
  return next;
}

export function TicketPage({ id }: { id: string }) {
  const directory = useDirectory();
  const notify = useToast();
  const now = useNow();
  const path = `/tickets/${encodeURIComponent(id)}`;

  const [ticket, setTicketState] = useState<Ticket | undefined>(() => cachedTicket(id));
  const [loadError, setLoadError] = useState<ApiError | Error>();
  const [entries, setEntries] = useState<TimelineEntryView[]>();
  const [timelineError, setTimelineError] = useState<string>();
  const [banner, setBanner] = useState<Banner>();
  const [saving, setSaving] = useState(false);
  /** Custom-field errors from the server, by field id, shown next to each field. */
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  /** The last ticket the server confirmed: its version goes into If-Match. */
  const confirmed = useRef<Ticket | undefined>(undefined);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const composer = useRef<ComposerHandle>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const acceptTicket = useCallback((next: Ticket) => {
    confirmed.current = next;
    setTicketState(next);
    updateCachedTicket(next);
  }, []);

  const loadTicket = useCallback(
    async (signal?: AbortSignal) => {
      try {
        acceptTicket(await get<Ticket>(path, signal));
        setLoadError(undefined);
      } catch (error) {
        if (!isAbort(error)) setLoadError(error as Error);
      }
    },
    [path, acceptTicket],
  );

  const loadTimeline = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const all: TimelineEntryView[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < MAX_TIMELINE_PAGES; i++) {
          const page: Page<TimelineEntryView> = await get<Page<TimelineEntryView>>(
            `${path}/timeline?limit=${TIMELINE_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            signal,
          );
          all.push(...page.items);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        setEntries(all);
        setTimelineError(undefined);
      } catch (error) {
        if (!isAbort(error)) setTimelineError(messageOf(error));
      }
    },
    [path],
  );

  const reload = useCallback(() => Promise.all([loadTicket(), loadTimeline()]), [loadTicket, loadTimeline]);

  useEffect(() => {
    const controller = new AbortController();
    void loadTicket(controller.signal);
    void loadTimeline(controller.signal);
    return () => controller.abort();
  }, [loadTicket, loadTimeline]);

  const titleText = ticket ? `${ticketNumber(ticket.number)} ${ticket.subject}` : null;
  useEffect(() => {
    setPageTitle(titleText);
  }, [titleText]);

  // Keep the newest entries in view, unless the agent scrolled up to read.
  useLayoutEffect(() => {
    void entries;
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [entries]);

  const onScroll = () => {
    const el = scroller.current;
    if (el) stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const handleFailure = useCallback(
    async (error: unknown) => {
      if (error instanceof ApiError && error.status === 412) {
        setBanner({ tone: 'warning', message: CONFLICT_MESSAGE });
      } else if (error instanceof ApiError) {
        setBanner({ tone: 'error', message: error.message, details: error.details });
      } else {
        setBanner({ tone: 'error', message: messageOf(error) });
      }
      await reload();
    },
    [reload],
  );

  /**
   * Changes apply optimistically and are sent one after another, each with the latest confirmed version.
   * Resolves true when saved. Custom-field problems go next to their fields; a change of custom fields
   * alone shows nothing else.
   */
  const save = useCallback(
    (change: TicketPatch): Promise<boolean> => {
      setTicketState((t) => (t ? applyLocally(t, change) : t));
      setBanner(undefined);
      setSaving(true);
      const onlyFields = Object.keys(change).every((key) => key === 'customFields');
      const done = queue.current.then(async () => {
        if (!confirmed.current) await loadTicket();
        const base = confirmed.current;
        if (!base) {
          setSaving(false);
          setBanner({ tone: 'error', message: 'The change was not saved: the ticket could not be loaded.' });
          return false;
        }
        try {
          const updated = await api<Ticket>('PATCH', path, { body: change, ifMatch: `"${base.version}"` });
          acceptTicket(updated);
          setFieldErrors((errors) => {
            if (change.departmentId !== undefined || change.status !== undefined) return {};
            const next = { ...errors };
            for (const key of Object.keys(change.customFields ?? {})) delete next[key];
            return next;
          });
          viewsChanged();
          stickToBottom.current = true;
          await loadTimeline();
          return true;
        } catch (error) {
          const byField = customFieldErrors(error);
          if (Object.keys(byField).length > 0) {
            setFieldErrors((errors) => ({ ...errors, ...byField }));
            if (onlyFields) await reload();
            else await handleFailure(error);
          } else if (onlyFields && error instanceof ApiError && error.status === 400) {
            // A problem the server did not pin on one field: show it next to each field changed.
            const keys = Object.keys(change.customFields ?? {});
            setFieldErrors((errors) => ({
              ...errors,
              ...Object.fromEntries(keys.map((k) => [k, error.message])),
            }));
            await reload();
          } else {
            await handleFailure(error);
          }
          return false;
        } finally {
          setSaving(false);
        }
      });
      queue.current = done.then(() => undefined);
      return done;
    },
    [path, acceptTicket, loadTicket, loadTimeline, handleFailure, reload],
  );
  const patch = useCallback((change: TicketPatch) => void save(change), [save]);

  /** Shows the new entry at once, then refreshes the ticket (version, status) and the timeline (events). */
  const afterMessage = async (entry: TimelineEntryView) => {
    stickToBottom.current = true;
    setEntries((all) => (all ? [...all, entry] : [entry]));
    await reload();
  };

  const reply = async (body: string, status: TicketStatus | undefined) => {
    let entry: TimelineEntryView;
    try {
      entry = await api<TimelineEntryView>('POST', `${path}/replies`, {
        body: status ? { body, status } : { body },
      });
    } catch (error) {
      // Solving with required fields left empty: point at the fields too.
      const byField = customFieldErrors(error);
      if (Object.keys(byField).length > 0) setFieldErrors((errors) => ({ ...errors, ...byField }));
      throw error;
    }
    notify('Reply sent');
    if (status) viewsChanged();
    void afterMessage(entry);
  };

  const runMacro = async (macro: StoredMacro['macro']) => {
    try {
      const [result] = await applyMacro(macro.id, [id]);
      if (result?.ok) {
        setBanner(undefined);
        notify(`Macro “${macro.name}” applied`);
        viewsChanged();
      } else {
        setBanner({
          tone: 'error',
          message: `The macro “${macro.name}” was not applied: ${result?.error?.message ?? 'unknown error'}`,
        });
      }
    } catch (error) {
      const err = error instanceof ApiError ? error : null;
      setBanner({
        tone: 'error',
        message: `The macro “${macro.name}” was not applied: ${messageOf(error)}`,
        ...(err ? { details: err.details } : {}),
      });
    }
    stickToBottom.current = true;
    await reload();
  };

  /** A blueprint transition was performed: take the ticket the server answered with, then the new timeline entries. */
  const afterTransition = async (next: Ticket, message: string) => {
    acceptTicket(next);
    setBanner(undefined);
    notify(message);
    stickToBottom.current = true;
    await loadTimeline();
  };

  const note = async (body: string) => {
    const entry = await api<TimelineEntryView>('POST', `${path}/notes`, { body: { body } });
    notify('Internal note added');
    void afterMessage(entry);
  };

  useHotkeys({
    r: () => composer.current?.focus('reply'),
    n: () => composer.current?.focus('note'),
    escape: () => navigate(lastInboxPath()),
  });

  if (!ticket) {
    if (loadError) {
      const notFound = loadError instanceof ApiError && loadError.status === 404;
      return (
        <div className="page page-pad">
          <BackLink />
          <div className="empty-state">
            <h1 className="empty-title">
              {notFound ? 'Ticket not found' : 'The ticket could not be loaded'}
            </h1>
            <p className="muted">
              {notFound
                ? 'It may have been removed, or it belongs to a department you cannot see.'
                : loadError.message}
            </p>
            {notFound ? null : (
              <button type="button" className="btn btn-primary" onClick={() => void reload()}>
                Try again
              </button>
            )}
          </div>
        </div>
      );
    }
    return (
      <div className="page page-pad" aria-busy="true">
        <BackLink />
        <Spinner label="Loading ticket" />
      </div>
    );
  }

  const requesterName =
    ticket.requester.name ?? ticket.requester.email ?? ticket.requester.phone ?? 'the customer';
  // Under a blueprint the status moves only through its transitions (the server refuses other changes).
  const statusLock =
    ticket.blueprint && !ticket.blueprint.completed
      ? `The status follows the blueprint “${ticket.blueprint.name}”: use its transitions.`
      : undefined;

  return (
    <div className="ticket-page">
      <div className="ticket-main">
        <header className="ticket-header">
          <div className="ticket-topline">
            <BackLink />
            <div className="ticket-tools">
              <MacroPicker onApply={runMacro} disabled={ticket.status === 'closed'} />
            </div>
          </div>
          <div className="ticket-heading">
            <span className="ticket-number mono">{ticketNumber(ticket.number)}</span>
            <h1 className="ticket-subject" tabIndex={-1}>
              {ticket.subject}
            </h1>
          </div>
          <p className="ticket-meta">
            <StatusBadge status={ticket.status} />
            <PriorityTag priority={ticket.priority} />
            <span>via {CHANNEL_LABEL[ticket.channel]}</span>
            <span aria-hidden="true">·</span>
            <span>
              opened <time title={fullTime(ticket.createdAt)}>{relativeTime(ticket.createdAt, now)}</time> by{' '}
              {requesterName}
            </span>
          </p>
        </header>
        <div className="ticket-scroll" ref={scroller} onScroll={onScroll}>
          {banner ? (
            <Alert tone={banner.tone} details={banner.details} onDismiss={() => setBanner(undefined)}>
              {banner.message}
            </Alert>
          ) : null}
          {loadError && ticket ? (
            <Alert tone="warning">Could not refresh this ticket: {loadError.message}</Alert>
          ) : null}
          {timelineError ? (
            <Alert
              action={
                <button
                  type="button"
                  className="btn btn-secondary btn-sm"
                  onClick={() => void loadTimeline()}
                >
                  Retry
                </button>
              }
            >
              The timeline could not be loaded: {timelineError}
            </Alert>
          ) : null}
          {entries ? (
            <Timeline entries={entries} directory={directory} now={now} />
          ) : timelineError ? null : (
            <div className="timeline-loading">
              <Spinner label="Loading timeline" />
            </div>
          )}
        </div>
        <Composer
          ref={composer}
          ticketId={ticket.id}
          status={ticket.status}
          requesterName={requesterName}
          disabled={ticket.status === 'closed' ? 'This ticket is closed. ' : undefined}
          statusLock={statusLock}
          onReply={reply}
          onNote={note}
        />
      </div>
      <aside className="ticket-side" aria-label="Ticket details and customer">
        {ticket.blueprint ? (
          <BlueprintPanel ticket={ticket} now={now} onMoved={afterTransition} onStale={() => void reload()} />
        ) : null}
        <SlaPanel ticket={ticket} now={now} />
        <TicketProperties
          ticket={ticket}
          directory={directory}
          saving={saving}
          onPatch={patch}
          onSaveFields={(customFields) => save({ customFields })}
          fieldErrors={fieldErrors}
          statusLock={statusLock}
        />
        <CustomerPanel ticket={ticket} now={now} />
      </aside>
    </div>
  );
}

function BackLink() {
  return (
    <Link to={lastInboxPath()} className="back-link" aria-keyshortcuts="Escape">
      <span aria-hidden="true">←</span> Back to inbox
    </Link>
  );
}
