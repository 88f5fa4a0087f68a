import {
  lazy,
  type MouseEvent,
  type ReactNode,
  type RefObject,
  Suspense,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, api, get, isAbort, query } from '../api/client.js';
import type { FieldError, Page, Priority, Ticket } from '../api/types.js';
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
import { useToast } from '../lib/toast.js';
import {
  canDeleteView,
  countText,
  describeFilters,
  inboxViewFilters,
  refreshViews,
  useViews,
} from '../lib/views.js';

// Saving a view is occasional: its dialog loads when first opened; the bulk tools when a ticket is selected.
const SaveViewDialog = lazy(() =>
  import('../components/SaveViewDialog.js').then((m) => ({ default: m.SaveViewDialog })),
);
const BulkActions = lazy(() =>
  import('../components/BulkActions.js').then((m) => ({ default: m.BulkActions })),
);

const PAGE_SIZE = 50;

const VIEW_STATUS: Partial<Record<ViewId, Ticket['status']>> = {
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
  all: 'No tickets yet.',
};

interface Filters {
  status: string;
  departmentId: string;
  priority: string;
  tag: string;
  /** '' anyone, 'me', 'none' (unassigned) or an agent id. */
  assignee: string;
}

const FILTER_PARAM: Record<keyof Filters, string> = {
  status: 'status',
  departmentId: 'department',
  priority: 'priority',
  tag: 'tag',
  assignee: 'assignee',
};

function readFilters(search: URLSearchParams): Filters {
  return {
    status: search.get('status') ?? '',
    departmentId: search.get('department') ?? '',
    priority: search.get('priority') ?? '',
    tag: search.get('tag') ?? '',
    assignee: search.get('assignee') ?? '',
  };
}

function apiQuery(view: ViewId, filters: Filters, meId: string): Record<string, string> {
  const params: Record<string, string> = {};
  const fixedStatus = VIEW_STATUS[view];
  if (fixedStatus) params.status = fixedStatus;
  else if (filters.status) params.status = filters.status;
  if (filters.assignee)
    params.assigneeId =
      filters.assignee === 'me' ? meId : filters.assignee === 'none' ? '_none' : filters.assignee;
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

/** Pages of tickets from `listUrl` (`/tickets?…` or `/views/{id}/tickets`), shown from cache while they refresh. */
function useTicketList(listUrl: string) {
  const [state, setState] = useState<ListState>(() => ({
    page: cachedList(listUrl),
    loading: true,
    loadingMore: false,
  }));
  const [reloads, setReloads] = useState(0);
  const pageUrl = useCallback(
    (cursor?: string) => {
      const [path, search] = listUrl.split('?');
      const params = Object.fromEntries(new URLSearchParams(search ?? ''));
      return `${path}${query({ ...params, limit: PAGE_SIZE, cursor })}`;
    },
    [listUrl],
  );

  useEffect(() => {
    void reloads;
    const controller = new AbortController();
    setState((s) => ({
      page: cachedList(listUrl) ?? (reloads ? s.page : undefined),
      loading: true,
      loadingMore: false,
    }));
    get<Page<Ticket>>(pageUrl(), controller.signal).then(
      (page) => {
        rememberList(listUrl, page);
        setState({ page, loading: false, loadingMore: false });
      },
      (error: unknown) => {
        if (isAbort(error)) return;
        setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => controller.abort();
  }, [listUrl, pageUrl, reloads]);

  const loadMore = useCallback(async () => {
    const cursor = state.page?.nextCursor;
    if (!cursor || state.loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true, error: undefined }));
    try {
      const next = await get<Page<Ticket>>(pageUrl(cursor));
      setState((s) => {
        const seen = new Set(s.page?.items.map((t) => t.id));
        const page = {
          items: [...(s.page?.items ?? []), ...next.items.filter((t) => !seen.has(t.id))],
          nextCursor: next.nextCursor,
        };
        rememberList(listUrl, page);
        return { page, loading: false, loadingMore: false };
      });
    } catch (error) {
      setState((s) => ({ ...s, loadingMore: false, error: describe(error) }));
    }
  }, [state.page?.nextCursor, state.loadingMore, pageUrl, listUrl]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  return { state, reload, loadMore };
}

function loadedText(page: Page<Ticket> | undefined): string {
  if (!page) return 'Loading tickets…';
  const n = page.items.length;
  return `${n}${page.nextCursor ? '+' : ''} ticket${n === 1 ? '' : 's'} · latest activity first`;
}

export function InboxPage({ view, search }: { view: ViewId; search: URLSearchParams }) {
  const directory = useDirectory();
  const filters = useMemo(() => readFilters(search), [search]);
  const params = useMemo(() => apiQuery(view, filters, directory.me.id), [view, filters, directory.me.id]);
  const listUrl = `/tickets${query(params)}`;
  const { state, reload, loadMore } = useTicketList(listUrl);
  const [saving, setSaving] = useState(false);
  const tagRef = useRef<HTMLInputElement>(null);
  const label = VIEWS.find((v) => v.id === view)?.label ?? 'Tickets';
  useEffect(() => setPageTitle(label), [label]);

  const setFilter = (name: keyof Filters, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(FILTER_PARAM[name], value);
    else next.delete(FILTER_PARAM[name]);
    navigate(inboxPath(view, next), { replace: true });
  };

  useHotkeys({
    '/': () => tagRef.current?.focus(),
    'shift+r': reload,
  });

  const hasFilters = Boolean(
    filters.departmentId ||
      filters.priority ||
      filters.tag ||
      filters.assignee ||
      (!VIEW_STATUS[view] && filters.status),
  );

  return (
    <div className="page inbox">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {label}
          </h1>
          <p className="page-subtitle" aria-live="polite">
            {loadedText(state.page)}
          </p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() => setSaving(true)}
            aria-haspopup="dialog"
          >
            Save as view
          </button>
          <RefreshButton onClick={reload} busy={state.loading} showSpinner={Boolean(state.page)} />
        </div>
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

      <TicketList
        state={state}
        reload={reload}
        loadMore={loadMore}
        label={label}
        resetKey={listUrl}
        empty={
          <>
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
          </>
        }
      />
      {saving ? (
        <Suspense fallback={null}>
          <SaveViewDialog
            filters={inboxViewFilters({ ...filters, status: VIEW_STATUS[view] ?? filters.status })}
            suggestedName={label === 'All tickets' && hasFilters ? '' : label}
            onClose={() => setSaving(false)}
          />
        </Suspense>
      ) : null}
    </div>
  );
}

/** A saved view: its tickets (`GET /views/{id}/tickets`), count and filters; its owner can delete it. */
export function SavedViewPage({ id }: { id: string }) {
  const directory = useDirectory();
  const notify = useToast();
  const views = useViews();
  const view = views.items?.find((v) => v.id === id);
  const listUrl = `/views/${encodeURIComponent(id)}/tickets`;
  const { state, reload, loadMore } = useTicketList(listUrl);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string>();
  const label = view?.name ?? (views.items ? 'View not found' : 'Saved view');
  useEffect(() => setPageTitle(label), [label]);

  useHotkeys({ 'shift+r': reload });

  const refresh = () => {
    reload();
    void refreshViews();
  };

  const remove = async () => {
    if (!view) return;
    setDeleteError(undefined);
    try {
      await api('DELETE', `/views/${encodeURIComponent(view.id)}`, {
        ...(view.version !== undefined ? { ifMatch: `"${view.version}"` } : {}),
      });
      notify(`View “${view.name}” deleted`);
      await refreshViews();
      navigate(inboxPath('open'));
    } catch (error) {
      setDeleteError(error instanceof Error ? error.message : String(error));
      setConfirming(false);
    }
  };

  const names = {
    agent: (agentId: string) => directory.agentName(agentId),
    department: (departmentId: string) => directory.departmentName(departmentId),
    team: (teamId: string) => directory.teamName(teamId),
  };

  return (
    <div className="page inbox">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {label}
          </h1>
          <p className="page-subtitle" aria-live="polite">
            {view
              ? `${countText(view)} ticket${view.count === 1 && !view.countIsEstimate ? '' : 's'} · ${describeFilters(view.filters, names)}${view.scope === 'personal' ? ' · personal' : ''}`
              : loadedText(state.page)}
          </p>
        </div>
        <div className="page-actions">
          {view && canDeleteView(view, directory.me) ? (
            confirming ? (
              <>
                <button type="button" className="btn btn-danger btn-sm" onClick={() => void remove()}>
                  Delete “{view.name}”
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConfirming(true)}>
                Delete view
              </button>
            )
          ) : null}
          <RefreshButton onClick={refresh} busy={state.loading} showSpinner={Boolean(state.page)} />
        </div>
      </div>
      {views.unavailable ? <Alert tone="warning">Saved views are not available on this desk.</Alert> : null}
      {deleteError ? (
        <Alert onDismiss={() => setDeleteError(undefined)}>The view was not deleted: {deleteError}</Alert>
      ) : null}
      <TicketList
        state={state}
        reload={refresh}
        loadMore={loadMore}
        label={label}
        resetKey={listUrl}
        empty={<p className="empty-title">No tickets in this view.</p>}
      />
    </div>
  );
}

function RefreshButton({
  onClick,
  busy,
  showSpinner,
}: {
  onClick(): void;
  busy: boolean;
  showSpinner: boolean;
}) {
  return (
    <button
      type="button"
      className="btn btn-secondary btn-sm"
      onClick={onClick}
      disabled={busy}
      aria-keyshortcuts="Shift+R"
    >
      {busy && showSpinner ? <Spinner size="sm" /> : null}
      Refresh
    </button>
  );
}

/**
 * The ticket table with row selection (a checkbox per row, one for the whole
 * page, `x` toggles the focused row) and, for a selection, a macro to apply
 * to each selected ticket with the outcome per ticket.
 */
function TicketList({
  state,
  reload,
  loadMore,
  label,
  resetKey,
  empty,
}: {
  state: ListState;
  reload(): void;
  loadMore(): Promise<void>;
  label: string;
  resetKey: string;
  empty: ReactNode;
}) {
  const directory = useDirectory();
  const now = useNow();
  const tableRef = useRef<HTMLTableElement>(null);
  const allRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  /** The bulk tools stay once used (their outcome outlives the selection), until the list changes. */
  const [bulkUsed, setBulkUsed] = useState(false);
  const items = state.page?.items ?? [];

  useEffect(() => {
    void resetKey;
    setSelected(new Set());
    setBulkUsed(false);
  }, [resetKey]);
  useEffect(() => {
    if (selected.size > 0) setBulkUsed(true);
  }, [selected]);

  const onPage = items.filter((t) => selected.has(t.id)).length;
  const allSelected = items.length > 0 && onPage === items.length;
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = onPage > 0 && !allSelected;
  }, [onPage, allSelected]);

  const toggle = (ticketId: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(ticketId)) next.delete(ticketId);
      else next.add(ticketId);
      return next;
    });
  const toggleAll = () => setSelected(allSelected ? new Set() : new Set(items.map((t) => t.id)));

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
    x: () => {
      const row = document.activeElement?.closest<HTMLElement>('tr[data-ticket-id]');
      if (row?.dataset.ticketId) toggle(row.dataset.ticketId);
    },
  });

  return (
    <>
      {state.error ? (
        <Alert details={state.error.details} action={<RetryButton onClick={reload} />}>
          {state.error.message}
        </Alert>
      ) : null}
      {bulkUsed ? (
        <Suspense fallback={null}>
          <BulkActions items={items} selected={selected} onSelect={setSelected} onApplied={reload} />
        </Suspense>
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
              <th scope="col" className="col-select">
                <input
                  ref={allRef}
                  type="checkbox"
                  checked={allSelected}
                  onChange={toggleAll}
                  disabled={items.length === 0}
                  aria-label="Select all tickets on this page"
                />
              </th>
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
              <TicketRow
                key={ticket.id}
                ticket={ticket}
                directory={directory}
                now={now}
                selected={selected.has(ticket.id)}
                onToggle={toggle}
              />
            ))}
          </tbody>
        </table>
        {state.page && items.length === 0 && !state.loading ? (
          <div className="empty-state">{empty}</div>
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
    </>
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

function TicketRow({
  ticket,
  directory,
  now,
  selected,
  onToggle,
}: {
  ticket: Ticket;
  directory: Directory;
  now: number;
  selected: boolean;
  onToggle(id: string): void;
}) {
  const requester = ticket.requester.name || ticket.requester.email || ticket.requester.phone || 'Unknown';
  const open = (event: MouseEvent<HTMLTableRowElement>) => {
    if ((event.target as HTMLElement).closest('a, button, input, label, .col-select')) return;
    if (window.getSelection()?.toString()) return;
    navigate(ticketPath(ticket.id));
  };
  return (
    <tr
      className={`ticket-row ${ticket.status === 'new' ? 'is-new' : ''} ${selected ? 'is-selected' : ''}`}
      onClick={open}
      data-ticket-id={ticket.id}
    >
      <td className="col-select">
        <input
          type="checkbox"
          checked={selected}
          onChange={() => onToggle(ticket.id)}
          aria-label={`Select ${ticketNumber(ticket.number)} ${ticket.subject}`}
        />
      </td>
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
          <td colSpan={8}>
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
        <label htmlFor={`${id}-assignee`}>Assignee</label>
        <select
          id={`${id}-assignee`}
          value={filters.assignee}
          onChange={(e) => onChange('assignee', e.target.value)}
        >
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Unassigned</option>
          {directory.agents
            .filter((a) => a.id !== directory.me.id && (a.active || a.id === filters.assignee))
            .map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
        </select>
      </div>
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
