/**
 * Blueprints for every agent: the list of processes (admins also reach the
 * designer from it) and each blueprint's dashboard: cards for active,
 * overdue, completed runs and the average completion time, and bar charts
 * (SVG) of the average time per state, the transitions performed and the
 * time-limit violations per state. Each chart names its values in its
 * accessible name and can be shown as a table.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, get, isAbort, messageOf } from '../api/client.js';
import type { BlueprintDashboard, BlueprintHead } from '../api/types.js';
import { Alert, Spinner } from '../components/Feedback.js';
import { useDirectory } from '../lib/directory.js';
import { useNow } from '../lib/now.js';
import { adminPath, BLUEPRINTS_PATH, blueprintDashboardPath, Link } from '../lib/router.js';
import { duration } from '../lib/sla.js';
import { setPageTitle } from '../lib/title.js';
import { BackTo, Updated, useItems } from './admin/common.js';

/**
 * `designer`: the admins' entry to the designer (`/admin/blueprints`), with
 * "New blueprint" and names that open the editor; otherwise names open the
 * dashboard and admins get an edit link.
 */
export function BlueprintListPage({ admin, designer = false }: { admin: boolean; designer?: boolean }) {
  const now = useNow();
  const directory = useDirectory();
  const list = useItems<BlueprintHead>('/blueprints');
  const title = designer ? 'Blueprint designer' : 'Blueprints';
  useEffect(() => setPageTitle(title), [title]);
  const items = list.items;

  return (
    <div className="page admin-page">
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {title}
          </h1>
          <p className="page-subtitle">
            Multi-step processes across teams: a department's new tickets that meet a blueprint's entry
            conditions follow its states and transitions.
          </p>
        </div>
        {designer ? (
          <Link to={adminPath('blueprints', null)} className="btn btn-primary btn-sm">
            New blueprint
          </Link>
        ) : null}
      </div>
      {list.error ? (
        <Alert
          action={
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => void list.reload()}>
              Retry
            </button>
          }
        >
          The blueprints could not be loaded: {list.error}
        </Alert>
      ) : null}
      <div className="table-card">
        <table className="admin-table" aria-label="Blueprints" aria-busy={list.loading}>
          <thead>
            <tr>
              <th scope="col">Blueprint</th>
              <th scope="col">Department</th>
              <th scope="col">Last published</th>
              <th scope="col">
                <span className="visually-hidden">Links</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items?.map((b) => (
              <tr key={b.id}>
                <td>
                  <Link
                    to={designer ? adminPath('blueprints', b.id) : blueprintDashboardPath(b.id)}
                    className="admin-name"
                  >
                    {b.name}
                  </Link>
                  <span className="admin-id">
                    <span className="mono muted small">{b.id}</span>
                  </span>
                </td>
                <td className="small">{directory.departmentName(b.departmentId)}</td>
                <td>
                  <Updated version={b.latestVersion} at={b.updatedAt} by={b.updatedBy} now={now} />
                </td>
                <td className="row-links">
                  {designer ? (
                    <Link to={blueprintDashboardPath(b.id)} aria-label={`Dashboard of ${b.name}`}>
                      Dashboard
                    </Link>
                  ) : admin ? (
                    <Link to={adminPath('blueprints', b.id)} aria-label={`Edit ${b.name} in the designer`}>
                      Edit
                    </Link>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!items && list.loading ? (
          <div className="timeline-loading">
            <Spinner label="Loading blueprints" />
          </div>
        ) : null}
        {items && items.length === 0 ? (
          <div className="empty-state">
            <p className="empty-title">No blueprints yet</p>
            <p className="muted">
              {admin ? 'Design one to guide tickets through a process.' : 'Admins design blueprints.'}
            </p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** The dashboard refreshes itself this often while open (its roll-ups follow the stream). */
const REFRESH_MS = 30_000;

export function BlueprintDashboardPage({ id }: { id: string }) {
  const directory = useDirectory();
  const [data, setData] = useState<BlueprintDashboard>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(true);
  const path = `/blueprints/${encodeURIComponent(id)}/dashboard`;

  const load = useCallback(
    async (signal?: AbortSignal) => {
      setLoading(true);
      try {
        setData(await get<BlueprintDashboard>(path, signal));
        setError(undefined);
      } catch (e) {
        if (isAbort(e)) return;
        setError(e instanceof Error ? e : new Error(messageOf(e)));
      }
      setLoading(false);
    },
    [path],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    const timer = window.setInterval(() => void load(controller.signal), REFRESH_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [load]);

  const name = data?.blueprint.name;
  useEffect(() => setPageTitle(name ? `${name}: dashboard` : 'Blueprint dashboard'), [name]);

  if (!data) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <div className="page admin-page" aria-busy={!error}>
        <BackTo to={BLUEPRINTS_PATH} label="Blueprints" />
        {error ? (
          <div className="empty-state">
            <h1 className="empty-title" tabIndex={-1}>
              {notFound ? 'Blueprint not found' : 'The dashboard could not be loaded'}
            </h1>
            <p className="muted">{notFound ? `There is no blueprint with the id “${id}”.` : error.message}</p>
            {notFound ? null : (
              <button type="button" className="btn btn-primary" onClick={() => void load()}>
                Try again
              </button>
            )}
          </div>
        ) : (
          <Spinner label="Loading dashboard" />
        )}
      </div>
    );
  }

  const stateTime = data.states.map((s) => ({
    label: s.name,
    value: data.averageStateMinutes[s.id] ?? null,
  }));
  const transitions = data.transitions.map((t) => ({
    label: t.name,
    value: data.transitionCounts[t.id] ?? 0,
  }));
  const violations = data.states.map((s) => ({ label: s.name, value: data.violations[s.id] ?? 0 }));
  const count = (n: number) => String(Math.round(n));
  const minutes = (n: number | null) => (n === null ? 'no data' : minutesText(n));

  return (
    <div className="page admin-page bp-dashboard">
      <BackTo to={BLUEPRINTS_PATH} label="Blueprints" />
      <div className="page-header">
        <div>
          <h1 className="page-title" tabIndex={-1}>
            {data.blueprint.name}
          </h1>
          <p className="page-subtitle">
            Dashboard · version {data.blueprint.version} ·{' '}
            {directory.departmentName(data.blueprint.departmentId)}
          </p>
        </div>
        <div className="page-actions">
          {directory.me.role === 'admin' ? (
            <Link to={adminPath('blueprints', data.blueprint.id)} className="btn btn-secondary btn-sm">
              Edit in the designer
            </Link>
          ) : null}
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() => void load()}
            disabled={loading}
          >
            {loading ? <Spinner size="sm" /> : null}
            Refresh
          </button>
        </div>
      </div>
      {error ? <Alert tone="warning">Could not refresh the dashboard: {error.message}</Alert> : null}
      <dl className="bp-cards" aria-label="Runs">
        <Card label="Active" value={count(data.active)} hint="Tickets under way" />
        <Card
          label="Overdue now"
          value={count(data.overdueNow)}
          hint="Past their state's time limit"
          alarm={data.overdueNow > 0}
        />
        <Card label="Completed" value={count(data.completed)} hint="Reached a final state" />
        <Card
          label="Average completion time"
          value={data.averageCompletionMinutes === null ? '—' : minutesText(data.averageCompletionMinutes)}
          hint="From entering to the final state"
        />
      </dl>
      <div className="bp-charts">
        <BarChart title="Average time per state" rows={stateTime} format={minutes} />
        <BarChart title="Transitions performed" rows={transitions} format={count} />
        <BarChart title="Time-limit violations per state" rows={violations} format={count} tone="danger" />
      </div>
    </div>
  );
}

function Card({
  label,
  value,
  hint,
  alarm,
}: {
  label: string;
  value: string;
  hint: string;
  alarm?: boolean;
}) {
  return (
    <div className={`bp-card${alarm ? ' is-alarm' : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="bp-card-value">{value}</span>
        <span className="muted small">{hint}</span>
      </dd>
    </div>
  );
}

interface Row {
  label: string;
  /** null: no data yet. */
  value: number | null;
}

const LABEL_WIDTH = 130;
const BAR_WIDTH = 220;
const VALUE_WIDTH = 100;
const ROW_HEIGHT = 30;

/** Minutes as the dashboard shows them: "< 1 min", "12 min", "3 h 5 min". */
function minutesText(minutes: number): string {
  return minutes < 1 ? '< 1 min' : duration(minutes);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A horizontal bar chart. The SVG's accessible name lists every value; the
 * "Show as table" button swaps it for a table of the same numbers.
 */
function BarChart({
  title,
  rows,
  format,
  tone = 'primary',
}: {
  title: string;
  rows: Row[];
  format(value: number | null): string;
  tone?: 'primary' | 'danger';
}) {
  const id = useId();
  const [asTable, setAsTable] = useState(false);
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0));
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const height = rows.length * ROW_HEIGHT + 8;
  const summary = `${title}: ${rows.map((r) => `${r.label} ${format(r.value)}`).join(', ')}`;

  return (
    <section className="panel bp-chart" aria-labelledby={`${id}-title`}>
      <div className="panel-header">
        <h2 className="bp-chart-title" id={`${id}-title`}>
          {title}
        </h2>
        <button
          type="button"
          className="link-button"
          aria-pressed={asTable}
          onClick={() => setAsTable((v) => !v)}
        >
          Show as table
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="muted small">Nothing to show.</p>
      ) : asTable ? (
        <table className="admin-table bp-chart-table" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td className="mono">{format(r.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <svg
          className={`bp-bars bp-bars-${tone}`}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={summary}
          preserveAspectRatio="xMinYMin meet"
        >
          {rows.map((r, i) => {
            const w = max > 0 && r.value ? Math.max(2, (r.value / max) * BAR_WIDTH) : 0;
            const y = i * ROW_HEIGHT + 4;
            return (
              <g key={r.label} transform={`translate(0 ${y})`}>
                <text className="bp-bar-label" x={LABEL_WIDTH - 10} y={ROW_HEIGHT / 2} dy="0.35em">
                  {clip(r.label, 18)}
                  <title>{r.label}</title>
                </text>
                <rect
                  className="bp-bar-track"
                  x={LABEL_WIDTH}
                  y={6}
                  width={BAR_WIDTH}
                  height={ROW_HEIGHT - 12}
                />
                <rect className="bp-bar" x={LABEL_WIDTH} y={6} width={w} height={ROW_HEIGHT - 12} />
                <text
                  className="bp-bar-value"
                  x={LABEL_WIDTH + BAR_WIDTH + 10}
                  y={ROW_HEIGHT / 2}
                  dy="0.35em"
                >
                  {format(r.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </section>
  );
}
