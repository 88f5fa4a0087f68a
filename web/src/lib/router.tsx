/**
 * A tiny History API router: paths are the source of truth, `navigate()`
 * pushes a new entry, `<Link>` keeps ordinary link behaviour (middle click,
 * Ctrl+click open a new tab) and navigates in-app otherwise.
 *
 * Pages: `/inbox/<view>?department=&priority=&tag=&status=`, `/inbox/at-risk`
 * (tickets whose SLA clock runs), `/views/<id>` (a saved view; the old
 * `/inbox/unassigned` and `/inbox/mine` open the built-in views), `/tickets/<id>`, `/blueprints` and
 * `/blueprints/<id>/dashboard`, for admins
 * `/admin/business-hours[/<id>|/new]`, `/admin/sla-policies[/<id>|/new]` and
 * `/admin/blueprints[/<id>|/new]`, likewise `/admin/departments`, `/admin/fields`,
 * `/admin/workflow-rules`, `/admin/routing-rules`, `/admin/teams` and
 * `/admin/agents` (one screen lists both), and, on a local desk, `/outbox`. Locally
 * the API shares the origin; the local server gives browser navigations
 * (Accept: text/html) the SPA and API calls the API (so `/blueprints/<id>/dashboard`
 * is both), and the SPA always asks for JSON.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

export const VIEW_IDS = ['open', 'new', 'pending', 'on_hold', 'solved', 'all'] as const;
/** Older inbox views that are saved views now: `/inbox/<old>` opens `/views/<new>`. */
const MOVED_VIEWS: Record<string, string> = { unassigned: 'unassigned', mine: 'my_open' };
export type ViewId = (typeof VIEW_IDS)[number];

/** The admin screens; `teams` and `agents` are one screen (teams & agents) with an editor for each. */
export const ADMIN_SECTIONS = [
  'business-hours',
  'sla-policies',
  'blueprints',
  'departments',
  'fields',
  'workflow-rules',
  'routing-rules',
  'teams',
  'agents',
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export type Route =
  | { name: 'inbox'; view: ViewId; search: URLSearchParams }
  | { name: 'at_risk' }
  /** A saved view (`GET /views/{id}/tickets`); `moved`: reached by an old `/inbox/...` address. */
  | { name: 'view'; id: string; moved?: boolean }
  | { name: 'ticket'; id: string }
  | { name: 'outbox' }
  | { name: 'blueprints' }
  | { name: 'blueprint_dashboard'; id: string }
  /** `id`: undefined lists the section, null creates a new item. */
  | { name: 'admin'; section: AdminSection; id?: string | null }
  | { name: 'not_found'; path: string };

/** The path segment that opens the "new" form; ids created through the SPA cannot take it. */
export const NEW_ITEM = 'new';

const NAVIGATE_EVENT = 'helpdesk:navigate';

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'inbox', view: 'open', search: new URLSearchParams(search) };
  if (parts[0] === 'inbox' && parts[1] === 'at-risk' && parts.length === 2) return { name: 'at_risk' };
  if (parts[0] === 'inbox' && parts.length <= 2) {
    const view = (parts[1] ?? 'open') as ViewId;
    if (VIEW_IDS.includes(view)) return { name: 'inbox', view, search: new URLSearchParams(search) };
    const moved = MOVED_VIEWS[view];
    if (moved) return { name: 'view', id: moved, moved: true };
  }
  if (parts[0] === 'views' && parts.length === 2 && parts[1]) return { name: 'view', id: parts[1] };
  if (parts[0] === 'tickets' && parts.length === 1)
    return { name: 'inbox', view: 'open', search: new URLSearchParams(search) };
  if (parts[0] === 'tickets' && parts.length === 2 && parts[1]) return { name: 'ticket', id: parts[1] };
  if (parts[0] === 'outbox' && parts.length === 1) return { name: 'outbox' };
  if (parts[0] === 'blueprints' && parts.length === 1) return { name: 'blueprints' };
  if (parts[0] === 'blueprints' && parts.length === 3 && parts[1] && parts[2] === 'dashboard')
    return { name: 'blueprint_dashboard', id: parts[1] };
  const section = ADMIN_SECTIONS.find((s) => s === parts[1]);
  if (parts[0] === 'admin' && section && parts.length <= 3) {
    if (parts.length === 2) return { name: 'admin', section };
    if (parts[2]) return { name: 'admin', section, id: parts[2] === NEW_ITEM ? null : parts[2] };
  }
  return { name: 'not_found', path: pathname };
}

export function inboxPath(view: ViewId, search?: URLSearchParams): string {
  const text = search?.toString();
  return `/inbox/${view}${text ? `?${text}` : ''}`;
}

export function ticketPath(id: string): string {
  return `/tickets/${encodeURIComponent(id)}`;
}

export const OUTBOX_PATH = '/outbox';
export const AT_RISK_PATH = '/inbox/at-risk';
export const BLUEPRINTS_PATH = '/blueprints';

export function blueprintDashboardPath(id: string): string {
  return `/blueprints/${encodeURIComponent(id)}/dashboard`;
}

/** `/admin/<section>`, `/admin/<section>/<id>`, or with `id` null the "new" form. */
export function adminPath(section: AdminSection, id?: string | null): string {
  if (id === undefined) return `/admin/${section}`;
  return `/admin/${section}/${id === null ? NEW_ITEM : encodeURIComponent(id)}`;
}

let lastInbox = '/inbox/open';

/** The inbox the agent came from, so "Back" returns to the same view and filters. */
export function lastInboxPath(): string {
  return lastInbox;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const current = location.pathname + location.search;
  if (to === current) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(NAVIGATE_EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(NAVIGATE_EVENT, callback);
  };
}

function snapshot(): string {
  return location.pathname + location.search;
}

let cached: { key: string; route: Route } | undefined;

export function useRoute(): Route {
  const key = useSyncExternalStore(subscribe, snapshot);
  if (cached?.key !== key) {
    const route = parseRoute(location.pathname, location.search);
    if (route.name === 'inbox' || route.name === 'at_risk' || route.name === 'view')
      lastInbox = key === '/' ? '/inbox/open' : key;
    cached = { key, route };
  }
  return cached.route;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
