import { lazy, Suspense, useEffect, useRef } from 'react';
import { setToken } from '../api/client.js';
import { clearCaches } from '../lib/cache.js';
import { useDirectory } from '../lib/directory.js';
import { useHotkeys } from '../lib/hotkeys.js';
import { forgetMacros } from '../lib/macros.js';
import {
  type AdminSection,
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
import { forgetViews, viewPath } from '../lib/views.js';
import { AtRiskPage } from '../pages/AtRisk.js';
import { AdminOnly } from '../pages/admin/AdminOnly.js';
import { InboxPage, SavedViewPage } from '../pages/Inbox.js';
import { OutboxPage } from '../pages/Outbox.js';
import { TicketPage } from '../pages/TicketPage.js';
import { Avatar } from './Badges.js';
import { Spinner } from './Feedback.js';
import { NotificationBell } from './NotificationBell.js';
import { SavedViewsNav, useOrderedViews } from './SavedViewsNav.js';
import { ShortcutsDialog } from './ShortcutsDialog.js';

export const VIEWS: readonly { id: ViewId; label: string }[] = [
  { id: 'open', label: 'All open' },
  { id: 'new', label: 'New' },
  { id: 'pending', label: 'Pending' },
  { id: 'on_hold', label: 'On hold' },
  { id: 'solved', label: 'Solved' },
  { id: 'all', label: 'All tickets' },
];
// "Unassigned" and "My tickets" are saved views now (built-in, with counts): see SavedViewsNav.

/** The key after the numbered views: the tickets whose SLA clock runs. */
const AT_RISK_KEY = String(VIEWS.length + 1);
const SAVED_VIEWS_FIRST_KEY = VIEWS.length + 2;

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
const DepartmentsPage = lazy(() =>
  import('../pages/admin/Departments.js').then((m) => ({ default: m.DepartmentsPage })),
);
const FieldsPage = lazy(() => import('../pages/admin/Fields.js').then((m) => ({ default: m.FieldsPage })));
const WorkflowRulesPage = lazy(() =>
  import('../pages/admin/Rules.js').then((m) => ({ default: m.WorkflowRulesPage })),
);
const RoutingRulesPage = lazy(() =>
  import('../pages/admin/Rules.js').then((m) => ({ default: m.RoutingRulesPage })),
);
const TeamsPage = lazy(() => import('../pages/admin/TeamsAgents.js').then((m) => ({ default: m.TeamsPage })));
const AgentsPage = lazy(() =>
  import('../pages/admin/TeamsAgents.js').then((m) => ({ default: m.AgentsPage })),
);
/** The admin links under "Admin", in order; `also`: sections the link stands for too. */
const ADMIN_LINKS: readonly { section: AdminSection; label: string; also?: AdminSection }[] = [
  { section: 'departments', label: 'Departments' },
  { section: 'teams', label: 'Teams & agents', also: 'agents' },
  { section: 'fields', label: 'Custom fields' },
  { section: 'workflow-rules', label: 'Rules', also: 'routing-rules' },
  { section: 'business-hours', label: 'Business hours' },
  { section: 'sla-policies', label: 'SLA policies' },
  { section: 'blueprints', label: 'Blueprint designer' },
];
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
  // The first two saved views (the built-in "My open tickets" and "Unassigned") take the next keys.
  const savedViews = useOrderedViews();
  const savedKeys = Object.fromEntries(
    (savedViews ?? [])
      .slice(0, 2)
      .map((view, i) => [String(SAVED_VIEWS_FIRST_KEY + i), () => navigate(viewPath(view.id))]),
  );
  useHotkeys({
    '?': () => shortcuts.current?.showModal(),
    ...viewKeys,
    [AT_RISK_KEY]: () => navigate(AT_RISK_PATH),
    ...savedKeys,
  });
  // The old "Unassigned" and "My tickets" addresses show the built-in saved views under their own address.
  useEffect(() => {
    if (route.name === 'view' && route.moved) navigate(viewPath(route.id), { replace: true });
  }, [route]);

  const signOut = () => {
    clearCaches();
    forgetViews();
    forgetMacros();
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
                  : route.name === 'view'
                    ? viewPath(route.id)
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
        <NotificationBell />
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
            <SavedViewsNav
              activeId={route.name === 'view' ? route.id : null}
              firstKey={SAVED_VIEWS_FIRST_KEY}
            />
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
                {ADMIN_LINKS.map((link) => (
                  <li key={link.section}>
                    <Link
                      to={adminPath(link.section)}
                      className="view-link"
                      aria-current={
                        adminSection !== null && (adminSection === link.section || adminSection === link.also)
                          ? 'page'
                          : undefined
                      }
                    >
                      <span className="view-label">{link.label}</span>
                    </Link>
                  </li>
                ))}
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
    case 'view':
      return <SavedViewPage key={route.id} id={route.id} />;
    case 'admin':
      if (!isAdmin) return <AdminOnly />;
      return (
        <Suspense fallback={<PageLoading />}>
          <AdminScreen section={route.section} id={route.id} />
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

function AdminScreen({ section, id }: { section: AdminSection; id: string | null | undefined }) {
  switch (section) {
    case 'business-hours':
      return <BusinessHoursPage id={id} />;
    case 'sla-policies':
      return <SlaPoliciesPage id={id} />;
    case 'blueprints':
      return <BlueprintsAdminPage id={id} />;
    case 'departments':
      return <DepartmentsPage id={id} />;
    case 'fields':
      return <FieldsPage id={id} />;
    case 'workflow-rules':
      return <WorkflowRulesPage id={id} />;
    case 'routing-rules':
      return <RoutingRulesPage id={id} />;
    case 'teams':
      return <TeamsPage id={id} />;
    case 'agents':
      return <AgentsPage id={id} />;
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
