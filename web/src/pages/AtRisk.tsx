/**
 * Tickets whose SLA clock runs, as `GET /sla/at-risk` orders them: soonest
 * due first, so breached tickets lead. Each row shows its most urgent target;
 * the badges count down between loads.
 */
import { type MouseEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get, isAbort, query } from '../api/client.js';
import type { AtRiskItem, AtRiskResult, FieldError } from '../api/types.js';
import { Avatar, PriorityTag, StatusBadge } from '../components/Badges.js';
import { Alert, Spinner } from '../components/Feedback.js';
import { SlaBadge } from '../components/SlaBadge.js';
import { type Directory, useDirectory } from '../lib/directory.js';
import { fullTime, ticketNumber } from '../lib/format.js';
import { useHotkeys } from '../lib/hotkeys.js';
import { useNow } from '../lib/now.js';
import { Link, navigate, ticketPath } from '../lib/router.js';
import { badgeState, mostUrgentTarget, SLA_KIND_LABEL } from '../lib/sla.js';
import { setPageTitle } from '../lib/title.js';

const PAGE_SIZE = 50;

interface State {
  page?: AtRiskResult;
  loading: boolean;
  loadingMore: boolean;
  error?: { message: string; details: FieldError[] };
}

function describe(error: unknown): { message: string; details: FieldError[] } {
  if (error instanceof ApiError) return { message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error), details: [] };
}

export function AtRiskPage() {
  const directory = useDirectory();
  const now = useNow();
  const [state, setState] = useState<State>({ loading: true, loadingMore: false });
  const [reloads, setReloads] = useState(0);
  const tableRef = useRef<HTMLTableElement>(null);

  useEffect(() => setPageTitle('At risk'), []);

  useEffect(() => {
    void reloads;
    const controller = new AbortController();
    setState((s) => ({ page: s.page, loading: true, loadingMore: false }));
    get<AtRiskResult>(`/sla/at-risk${query({ limit: PAGE_SIZE })}`, controller.signal).then(
      (page) => setState({ page, loading: false, loadingMore: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => controller.abort();
  }, [reloads]);

  const loadMore = useCallback(async () => {
    const cursor = state.page?.nextCursor;
    if (!cursor || state.loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true, error: undefined }));
    try {
      const next = await get<AtRiskResult>(`/sla/at-risk${query({ limit: PAGE_SIZE, cursor })}`);
      setState((s) => {
        const seen = new Set(s.page?.items.map((i) => i.ticket.id));
        return {
          page: {
            items: [...(s.page?.items ?? []), ...next.items.filter((i) => !seen.has(i.ticket.id))],
            nextCursor: next.nextCursor,
          },
          loading: false,
          loadingMore: false,
        };
      });
    } catch (error) {
      setState((s) => ({ ...s, loadingMore: false, error: describe(error) }));
    }
  }, [state.page?.nextCursor, state.loadingMore]);

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
    'shift+r': () => setReloads((n) => n + 1),
  });

  const items = state.page?.items ?? [];
  const breached = items.filter((i) => {
    const target = mostUrgentTarget(i.sla);
    return target ? badgeState(target, now).breached : false;
  }).length;

  return (
    <div className="page inbox at-risk">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            At risk
          </h1>
          <p className="page-subtitle" aria-live="polite">
            {state.page
              ? `${items.length}${state.page.nextCursor ? '+' : ''} ticket${items.length === 1 ? '' : 's'} with a running SLA clock${breached ? ` · ${breached} breached` : ''} · soonest due first`
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

      {state.error ? (
        <Alert
          details={state.error.details}
          action={
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() => setReloads((n) => n + 1)}
            >
              Retry
            </button>
          }
        >
          {state.error.message}
        </Alert>
      ) : null}

      <div className="table-card">
        <table className="ticket-table" ref={tableRef} aria-label="At-risk tickets" aria-busy={state.loading}>
          <thead>
            <tr>
              <th scope="col" className="col-number">
                Ticket
              </th>
              <th scope="col">Subject</th>
              <th scope="col" className="col-sla">
                SLA
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
            </tr>
          </thead>
          <tbody>
            {!state.page && state.loading ? <SkeletonRows /> : null}
            {items.map((item) => (
              <AtRiskRow key={item.ticket.id} item={item} directory={directory} now={now} />
            ))}
          </tbody>
        </table>
        {state.page && items.length === 0 && !state.loading ? (
          <div className="empty-state">
            <p className="empty-title">No SLA clock is running. Nothing is at risk.</p>
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

function AtRiskRow({ item, directory, now }: { item: AtRiskItem; directory: Directory; now: number }) {
  const { ticket, sla } = item;
  const target = mostUrgentTarget(sla);
  const breached = target ? badgeState(target, now).breached : false;
  const open = (event: MouseEvent<HTMLTableRowElement>) => {
    if ((event.target as HTMLElement).closest('a, button')) return;
    if (window.getSelection()?.toString()) return;
    navigate(ticketPath(ticket.id));
  };
  return (
    <tr className={`ticket-row${breached ? ' is-breached' : ''}`} onClick={open} data-breached={breached}>
      <td className="col-number mono">{ticketNumber(ticket.number)}</td>
      <td className="col-subject">
        <Link to={ticketPath(ticket.id)} className="row-link">
          {ticket.subject}
        </Link>
        <span className="row-sub cell-ellipsis">
          {ticket.requester.name || ticket.requester.email || ticket.requester.phone || 'Unknown requester'}
        </span>
      </td>
      <td className="col-sla">
        {target ? (
          <span className="sla-cell">
            {breached ? <span className="pill pill-breached">Breached</span> : null}
            <SlaBadge target={target} now={now} />
            <span className="sla-cell-kind" title={`Due ${fullTime(target.dueAt)}`}>
              {SLA_KIND_LABEL[target.kind]}
            </span>
          </span>
        ) : (
          <span className="muted">No target</span>
        )}
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
    </tr>
  );
}

function SkeletonRows() {
  return (
    <>
      {[0, 1, 2, 3].map((i) => (
        <tr key={i} className="skeleton-row">
          <td colSpan={6}>
            <span className="skeleton" aria-hidden="true" style={{ width: `${60 + ((i * 13) % 35)}%` }} />
          </td>
        </tr>
      ))}
    </>
  );
}
