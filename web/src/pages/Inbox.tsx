import {
  type MouseEvent,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, get, isAbort, query } from '../api/client.js';
import type { FieldError, Page, Priority, Ticket, TicketStatus } from '../api/types.js';
import { Avatar, PriorityTag, StatusBadge } from '../components/Badges.js';
import { Alert, Spinner } from '../components/Feedback.js';
import { VIEWS } from '../components/Shell.js';
import { cachedList, rememberList } from '../lib/cache.js';
import { type Directory, useDirectory } from '../lib/directory.js';
import {
  fullTime,
  PRIORITIES,
  PRIORITY_LABEL,
  relativeTime,
  STATUS_LABEL,
  STATUSES,
  ticketNumber,
} from '../lib/format.js';
import { useHotkeys } from '../lib/hotkeys.js';
import { useNow } from '../lib/now.js';
import { inboxPath, Link, navigate, ticketPath, type ViewId } from '../lib/router.js';
import { setPageTitle } from '../lib/title.js';

const PAGE_SIZE = 50;

const VIEW_STATUS: Partial<Record<ViewId, TicketStatus>> = {
  open: 'open',
  new: 'new',
  pending: 'pending',
  on_hold: 'on_hold',
  solved: 'solved',
};

const EMPTY_TEXT: Record<ViewId, string> = {
  open: 'No open tickets. Nice work.',
  new: 'No new tickets waiting for triage.',
  pending: 'No tickets waiting on a customer.',
  on_hold: 'No tickets on hold.',
  solved: 'No solved tickets yet.',
  unassigned: 'Every ticket has an owner.',
  mine: 'Nothing assigned to you right now.',
  all: 'No tickets yet.',
};

interface Filters {
  status: string;
  departmentId: string;
  priority: string;
  tag: string;
}

function readFilters(search: URLSearchParams): Filters {
  return {
    status: search.get('status') ?? '',
    departmentId: search.get('department') ?? '',
    priority: search.get('priority') ?? '',
    tag: search.get('tag') ?? '',
  };
}

function apiQuery(view: ViewId, filters: Filters, meId: string): Record<string, string> {
  const params: Record<string, string> = {};
  const fixedStatus = VIEW_STATUS[view];
  if (fixedStatus) params.status = fixedStatus;
  else if (filters.status) params.status = filters.status;
  if (view === 'unassigned') params.assigneeId = '_none';
  if (view === 'mine') params.assigneeId = meId;
  if (filters.departmentId) params.departmentId = filters.departmentId;
  if (filters.priority) params.priority = filters.priority;
  if (filters.tag) params.tag = filters.tag;
  return params;
}

interface ListState {
  page?: Page<Ticket>;
  loading: boolean;
  loadingMore: boolean;
  error?: { message: string; details: FieldError[] };
}

export function InboxPage({ view, search }: { view: ViewId; search: URLSearchParams }) {
  const directory = useDirectory();
  const filters = useMemo(() => readFilters(search), [search]);
  const params = useMemo(() => apiQuery(view, filters, directory.me.id), [view, filters, directory.me.id]);
  const key = query(params);
  const [state, setState] = useState<ListState>(() => ({
    page: cachedList(key),
    loading: true,
    loadingMore: false,
  }));
  const [reloads, setReloads] = useState(0);
  const tableRef = useRef<HTMLTableElement>(null);
  const tagRef = useRef<HTMLInputElement>(null);
  const label = VIEWS.find((v) => v.id === view)?.label ?? 'Tickets';
  const now = useNow();
  useEffect(() => setPageTitle(label), [label]);

  useEffect(() => {
    void reloads;
    const controller = new AbortController();
    setState({ page: cachedList(key), loading: true, loadingMore: false });
    get<Page<Ticket>>(
      `/tickets${query({ ...Object.fromEntries(new URLSearchParams(key)), limit: PAGE_SIZE })}`,
      controller.signal,
    ).then(
      (page) => {
        rememberList(key, page);
        setState({ page, loading: false, loadingMore: false });
      },
      (error: unknown) => {
        if (isAbort(error)) return;
        setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => controller.abort();
  }, [key, reloads]);

  const loadMore = useCallback(async () => {
    const cursor = state.page?.nextCursor;
    if (!cursor || state.loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true, error: undefined }));
    try {
      const next = await get<Page<Ticket>>(`/tickets${query({ ...params, limit: PAGE_SIZE, cursor })}`);
      setState((s) => {
        const seen = new Set(s.page?.items.map((t) => t.id));
        const page = {
          items: [...(s.page?.items ?? []), ...next.items.filter((t) => !seen.has(t.id))],
          nextCursor: next.nextCursor,
        };
        rememberList(key, page);
        return { page, loading: false, loadingMore: false };
      });
    } catch (error) {
      setState((s) => ({ ...s, loadingMore: false, error: describe(error) }));
    }
  }, [state.page?.nextCursor, state.loadingMore, params, key]);

  const setFilter = (name: keyof Filters, value: string) => {
    const next = new URLSearchParams(search);
    const param = name === 'departmentId' ? 'department' : name;
    if (value) next.set(param, value);
    else next.delete(param);
    navigate(inboxPath(view, next), { replace: true });
  };

  const moveFocus = (delta: number) => {
    const links = Array.from(tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.row-link') ?? []);
    if (links.length === 0) return;
    const current = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next =
      current === -1
        ? delta > 0
          ? 0
          : links.length - 1
        : Math.min(links.length - 1, Math.max(0, current + delta));
    links[next]?.focus();
    links[next]?.closest('tr')?.scrollIntoView({ block: 'nearest' });
  };

  useHotkeys({
    j: () => moveFocus(1),
    arrowdown: () => moveFocus(1),
    k: () => moveFocus(-1),
    arrowup: () => moveFocus(-1),
    '/': () => tagRef.current?.focus(),
    'shift+r': () => setReloads((n) => n + 1),
  });

  const items = state.page?.items ?? [];
  const hasFilters = Boolean(
    filters.departmentId || filters.priority || filters.tag || (!VIEW_STATUS[view] && filters.status),
  );

  return (
    <div className="page inbox">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {label}
          </h1>
          <p className="page-subtitle" aria-live="polite">
            {state.page
              ? `${items.length}${state.page.nextCursor ? '+' : ''} ticket${items.length === 1 ? '' : 's'} · latest activity first`
              : 'Loading tickets…'}
          </p>
        </div>
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          onClick={() => setReloads((n) => n + 1)}
          disabled={state.loading}
          aria-keyshortcuts="Shift+R"
        >
          {state.loading && state.page ? <Spinner size="sm" /> : null}
          Refresh
        </button>
      </div>

      <FilterBar
        view={view}
        filters={filters}
        directory={directory}
        onChange={setFilter}
        onClear={() => navigate(inboxPath(view), { replace: true })}
        hasFilters={hasFilters}
        tagRef={tagRef}
      />

      {state.error ? (
        <Alert
          details={state.error.details}
          action={<RetryButton onClick={() => setReloads((n) => n + 1)} />}
        >
          {state.error.message}
        </Alert>
      ) : null}

      <div className="table-card">
        <table
          className="ticket-table"
          ref={tableRef}
          aria-label={`${label} tickets`}
          aria-busy={state.loading}
        >
          <thead>
            <tr>
              <th scope="col" className="col-number">
                Ticket
              </th>
              <th scope="col">Subject</th>
              <th scope="col" className="col-requester">
                Requester
              </th>
              <th scope="col" className="col-status">
                Status
              </th>
              <th scope="col" className="col-priority">
                Priority
              </th>
              <th scope="col" className="col-assignee">
                Assignee
              </th>
              <th scope="col" className="col-updated">
                Updated
              </th>
            </tr>
          </thead>
          <tbody>
            {!state.page && state.loading ? <SkeletonRows /> : null}
            {items.map((ticket) => (
              <TicketRow key={ticket.id} ticket={ticket} directory={directory} now={now} />
            ))}
          </tbody>
        </table>
        {state.page && items.length === 0 && !state.loading ? (
          <div className="empty-state">
            <p className="empty-title">{hasFilters ? 'No tickets match these filters' : EMPTY_TEXT[view]}</p>
            {hasFilters ? (
              <button
                type="button"
                className="btn btn-secondary btn-sm"
                onClick={() => navigate(inboxPath(view), { replace: true })}
              >
                Clear filters
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      {state.page?.nextCursor ? (
        <div className="load-more">
          <button type="button" className="btn btn-secondary" onClick={loadMore} disabled={state.loadingMore}>
            {state.loadingMore ? <Spinner size="sm" /> : null}
            {state.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function RetryButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="btn btn-secondary btn-sm" onClick={onClick}>
      Retry
    </button>
  );
}

function describe(error: unknown): { message: string; details: FieldError[] } {
  if (error instanceof ApiError) return { message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error), details: [] };
}

function TicketRow({ ticket, directory, now }: { ticket: Ticket; directory: Directory; now: number }) {
  const requester = ticket.requester.name || ticket.requester.email || ticket.requester.phone || 'Unknown';
  const open = (event: MouseEvent<HTMLTableRowElement>) => {
    if ((event.target as HTMLElement).closest('a, button')) return;
    if (window.getSelection()?.toString()) return;
    navigate(ticketPath(ticket.id));
  };
  return (
    <tr className={`ticket-row ${ticket.status === 'new' ? 'is-new' : ''}`} onClick={open}>
      <td className="col-number mono">{ticketNumber(ticket.number)}</td>
      <td className="col-subject">
        <Link to={ticketPath(ticket.id)} className="row-link">
          {ticket.subject}
        </Link>
        {ticket.tags.length > 0 ? (
          <span className="row-tags">
            {ticket.tags.slice(0, 4).map((tag) => (
              <span key={tag} className="tag tag-sm">
                {tag}
              </span>
            ))}
          </span>
        ) : null}
      </td>
      <td className="col-requester">
        <span className="cell-ellipsis" title={ticket.requester.email ?? undefined}>
          {requester}
        </span>
      </td>
      <td className="col-status">
        <StatusBadge status={ticket.status} />
      </td>
      <td className="col-priority">
        <PriorityTag priority={ticket.priority} />
      </td>
      <td className="col-assignee">
        {ticket.assigneeId ? (
          <span className="assignee">
            <Avatar name={directory.agentName(ticket.assigneeId)} id={ticket.assigneeId} size="sm" />
            <span className="cell-ellipsis">{directory.agentName(ticket.assigneeId)}</span>
          </span>
        ) : (
          <span className="muted">Unassigned</span>
        )}
      </td>
      <td className="col-updated">
        <time dateTime={ticket.updatedAt} title={fullTime(ticket.updatedAt)}>
          {relativeTime(ticket.updatedAt, now)}
        </time>
      </td>
    </tr>
  );
}

function SkeletonRows() {
  return (
    <>
      {[0, 1, 2, 3, 4, 5].map((i) => (
        <tr key={i} className="skeleton-row">
          <td colSpan={7}>
            <span className="skeleton" aria-hidden="true" style={{ width: `${60 + ((i * 13) % 35)}%` }} />
          </td>
        </tr>
      ))}
    </>
  );
}

function FilterBar({
  view,
  filters,
  directory,
  onChange,
  onClear,
  hasFilters,
  tagRef,
}: {
  view: ViewId;
  filters: Filters;
  directory: Directory;
  onChange: (name: keyof Filters, value: string) => void;
  onClear: () => void;
  hasFilters: boolean;
  tagRef: RefObject<HTMLInputElement | null>;
}) {
  const id = useId();
  const [tag, setTag] = useState(filters.tag);
  useEffect(() => setTag(filters.tag), [filters.tag]);
  const applyTag = () => {
    const value = tag.trim().toLowerCase();
    if (value !== filters.tag) onChange('tag', value);
  };
  return (
    <search className="filter-bar" aria-label="Filters">
      {VIEW_STATUS[view] ? null : (
        <div className="filter">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={filters.status}
            onChange={(e) => onChange('status', e.target.value)}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="filter">
        <label htmlFor={`${id}-department`}>Department</label>
        <select
          id={`${id}-department`}
          value={filters.departmentId}
          onChange={(e) => onChange('departmentId', e.target.value)}
        >
          <option value="">Any department</option>
          <option value="_none">No department</option>
          {directory.departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          value={filters.priority}
          onChange={(e) => onChange('priority', e.target.value)}
        >
          <option value="">Any priority</option>
          {PRIORITIES.map((p: Priority) => (
            <option key={p} value={p}>
              {PRIORITY_LABEL[p]}
            </option>
          ))}
        </select>
      </div>
      <form
        className="filter"
        onSubmit={(e) => {
          e.preventDefault();
          applyTag();
        }}
      >
        <label htmlFor={`${id}-tag`}>Tag</label>
        <input
          ref={tagRef}
          id={`${id}-tag`}
          type="search"
          placeholder="e.g. billing"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          onBlur={applyTag}
          aria-keyshortcuts="/"
          autoComplete="off"
          spellCheck={false}
        />
      </form>
      {hasFilters ? (
        <button type="button" className="btn btn-ghost btn-sm filter-clear" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </search>
  );
}
