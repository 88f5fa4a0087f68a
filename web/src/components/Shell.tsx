import { lazy, Suspense, useEffect, useRef } from 'react';
import { setToken } from '../api/client.js';
import { clearCaches } from '../lib/cache.js';
import { useDirectory } from '../lib/directory.js';
import { useHotkeys } from '../lib/hotkeys.js';
import {
  AT_RISK_PATH,
  adminPath,
  BLUEPRINTS_PATH,
  blueprintDashboardPath,
  inboxPath,
  Link,
  navigate,
  OUTBOX_PATH,
  type Route,
  useRoute,
  type ViewId,
} from '../lib/router.js';
import { AtRiskPage } from '../pages/AtRisk.js';
import { AdminOnly } from '../pages/admin/common.js';
import { InboxPage } from '../pages/Inbox.js';
import { OutboxPage } from '../pages/Outbox.js';
import { TicketPage } from '../pages/TicketPage.js';
import { Avatar } from './Badges.js';
import { Spinner } from './Feedback.js';
import { ShortcutsDialog } from './ShortcutsDialog.js';

export const VIEWS: readonly { id: ViewId; label: string }[] = [
  { id: 'open', label: 'All open' },
  { id: 'new', label: 'New' },
  { id: 'pending', label: 'Pending' },
  { id: 'on_hold', label: 'On hold' },
  { id: 'solved', label: 'Solved' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'mine', label: 'My tickets' },
  { id: 'all', label: 'All tickets' },
];

/** The key after the numbered views: the tickets whose SLA clock runs. */
const AT_RISK_KEY = String(VIEWS.length + 1);

// Admin screens are loaded when an admin opens them: agents never download them.
const BusinessHoursPage = lazy(() =>
  import('../pages/admin/BusinessHours.js').then((m) => ({ default: m.BusinessHoursPage })),
);
const SlaPoliciesPage = lazy(() =>
  import('../pages/admin/SlaPolicies.js').then((m) => ({ default: m.SlaPoliciesPage })),
);
const BlueprintsAdminPage = lazy(() =>
  import('../pages/admin/Blueprints.js').then((m) => ({ default: m.BlueprintsAdminPage })),
);
// Blueprint lists and dashboards (charts) too are loaded when first opened.
const BlueprintListPage = lazy(() =>
  import('../pages/Blueprints.js').then((m) => ({ default: m.BlueprintListPage })),
);
const BlueprintDashboardPage = lazy(() =>
  import('../pages/Blueprints.js').then((m) => ({ default: m.BlueprintDashboardPage })),
);

function clearDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage))
      if (key.startsWith('helpdesk.draft.')) sessionStorage.removeItem(key);
  } catch {
    // Nothing to clear.
  }
}

export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path
        d="M9 10.5A2.5 2.5 0 0 1 11.5 8h9A2.5 2.5 0 0 1 23 10.5v7a2.5 2.5 0 0 1-2.5 2.5H15l-4.2 3.4c-.5.4-1.3 0-1.3-.6V20A2.5 2.5 0 0 1 9 17.5z"
        fill="#fff"
      />
    </svg>
  );
}

/** `localDesk`: the desk runs on this machine (`npm start`), which adds the outbox of sent mail. */
export function Shell({ deskName, localDesk = false }: { deskName: string; localDesk?: boolean }) {
  const { me } = useDirectory();
  const route = useRoute();
  const shortcuts = useRef<HTMLDialogElement>(null);

  const viewKeys = Object.fromEntries(
    VIEWS.map((view, i) => [String(i + 1), () => navigate(inboxPath(view.id))]),
  );
  useHotkeys({
    '?': () => shortcuts.current?.showModal(),
    ...viewKeys,
    [AT_RISK_KEY]: () => navigate(AT_RISK_PATH),
  });

  const signOut = () => {
    clearCaches();
    clearDrafts();
    navigate('/', { replace: true });
    setToken(null);
  };

  // After moving to another page, put focus on its heading so keyboard and screen reader users start there.
  const pathname =
    route.name === 'ticket'
      ? `/tickets/${route.id}`
      : route.name === 'inbox'
        ? route.view
        : route.name === 'outbox'
          ? OUTBOX_PATH
          : route.name === 'at_risk'
            ? AT_RISK_PATH
            : route.name === 'admin'
              ? adminPath(route.section, route.id)
              : route.name === 'blueprints'
                ? BLUEPRINTS_PATH
                : route.name === 'blueprint_dashboard'
                  ? blueprintDashboardPath(route.id)
                  : 'other';
  const firstPath = useRef(pathname);
  useEffect(() => {
    if (pathname === firstPath.current) return;
    firstPath.current = '';
    const heading = document.querySelector<HTMLElement>('#main h1');
    (heading ?? document.getElementById('main'))?.focus({ preventScroll: true });
  }, [pathname]);

  const activeView = route.name === 'inbox' ? route.view : null;
  const isAdmin = me.role === 'admin';
  const adminSection = route.name === 'admin' ? route.section : null;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={inboxPath('open')} className="brand" aria-label={`${deskName}: inbox`}>
          <BrandMark />
          <span className="brand-name">{deskName}</span>
        </Link>
        <div className="topbar-spacer" />
        <button
          type="button"
          className="btn btn-ghost btn-sm topbar-shortcuts"
          onClick={() => shortcuts.current?.showModal()}
          aria-keyshortcuts="?"
        >
          <kbd>?</kbd> Shortcuts
        </button>
        <div className="topbar-user" title={me.email}>
          <Avatar name={me.name} id={me.id} size="sm" />
          <span className="topbar-user-text">
            <span className="topbar-user-name">{me.name}</span>
            <span className="topbar-user-role">{me.role}</span>
          </span>
        </div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={signOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <div className="sidebar">
          <nav className="sidebar-section" aria-label="Views">
            <h2 className="sidebar-heading">Views</h2>
            <ul className="view-list">
              {VIEWS.map((view, i) => (
                <li key={view.id}>
                  <Link
                    to={inboxPath(view.id)}
                    className="view-link"
                    aria-current={activeView === view.id ? 'page' : undefined}
                    aria-keyshortcuts={String(i + 1)}
                  >
                    <span className="view-label" data-key={i + 1}>
                      {view.label}
                    </span>
                  </Link>
                </li>
              ))}
              <li>
                <Link
                  to={AT_RISK_PATH}
                  className="view-link"
                  aria-current={route.name === 'at_risk' ? 'page' : undefined}
                  aria-keyshortcuts={AT_RISK_KEY}
                >
                  <span className="view-label" data-key={AT_RISK_KEY}>
                    At risk
                  </span>
                </Link>
              </li>
            </ul>
          </nav>
          <nav className="sidebar-section" aria-label="Processes">
            <h2 className="sidebar-heading">Processes</h2>
            <ul className="view-list">
              <li>
                <Link
                  to={BLUEPRINTS_PATH}
                  className="view-link"
                  aria-current={
                    route.name === 'blueprints' || route.name === 'blueprint_dashboard' ? 'page' : undefined
                  }
                >
                  <span className="view-label">Blueprints</span>
                </Link>
              </li>
            </ul>
          </nav>
          {isAdmin ? (
            <nav className="sidebar-section" aria-label="Admin">
              <h2 className="sidebar-heading">Admin</h2>
              <ul className="view-list">
                <li>
                  <Link
                    to={adminPath('business-hours')}
                    className="view-link"
                    aria-current={adminSection === 'business-hours' ? 'page' : undefined}
                  >
                    <span className="view-label">Business hours</span>
                  </Link>
                </li>
                <li>
                  <Link
                    to={adminPath('sla-policies')}
                    className="view-link"
                    aria-current={adminSection === 'sla-policies' ? 'page' : undefined}
                  >
                    <span className="view-label">SLA policies</span>
                  </Link>
                </li>
                <li>
                  <Link
                    to={adminPath('blueprints')}
                    className="view-link"
                    aria-current={adminSection === 'blueprints' ? 'page' : undefined}
                  >
                    <span className="view-label">Blueprint designer</span>
                  </Link>
                </li>
              </ul>
            </nav>
          ) : null}
          {localDesk ? (
            <nav className="sidebar-section" aria-label="Local desk">
              <h2 className="sidebar-heading">Local desk</h2>
              <ul className="view-list">
                <li>
                  <Link
                    to={OUTBOX_PATH}
                    className="view-link"
                    aria-current={route.name === 'outbox' ? 'page' : undefined}
                  >
                    <span className="view-label">Outbox</span>
                  </Link>
                </li>
              </ul>
            </nav>
          ) : null}
        </div>
        <main id="main" className="main" tabIndex={-1}>
          <RouteView route={route} localDesk={localDesk} isAdmin={isAdmin} />
        </main>
      </div>
      <ShortcutsDialog ref={shortcuts} />
    </div>
  );
}

function PageLoading() {
  return (
    <div className="page page-pad" aria-busy="true">
      <Spinner label="Loading" />
    </div>
  );
}

function RouteView({ route, localDesk, isAdmin }: { route: Route; localDesk: boolean; isAdmin: boolean }) {
  switch (route.name) {
    case 'inbox':
      return <InboxPage view={route.view} search={route.search} />;
    case 'at_risk':
      return <AtRiskPage />;
    case 'admin':
      if (!isAdmin) return <AdminOnly />;
      return (
        <Suspense fallback={<PageLoading />}>
          {route.section === 'business-hours' ? (
            <BusinessHoursPage id={route.id} />
          ) : route.section === 'sla-policies' ? (
            <SlaPoliciesPage id={route.id} />
          ) : (
            <BlueprintsAdminPage id={route.id} />
          )}
        </Suspense>
      );
    case 'blueprints':
      return (
        <Suspense fallback={<PageLoading />}>
          <BlueprintListPage admin={isAdmin} />
        </Suspense>
      );
    case 'blueprint_dashboard':
      return (
        <Suspense fallback={<PageLoading />}>
          <BlueprintDashboardPage key={route.id} id={route.id} />
        </Suspense>
      );
    case 'ticket':
      return <TicketPage key={route.id} id={route.id} />;
    case 'outbox':
      if (localDesk) return <OutboxPage />;
      return <NotFound path={OUTBOX_PATH} />;
    case 'not_found':
      return <NotFound path={route.path} />;
  }
}

function NotFound({ path }: { path: string }) {
  return (
    <div className="empty-state page-pad">
      <h1 className="empty-title">Page not found</h1>
      <p className="muted">Nothing lives at {path}.</p>
      <Link to={inboxPath('open')} className="btn btn-primary">
        Go to the inbox
      </Link>
    </div>
  );
}
