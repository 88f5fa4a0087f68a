import { useEffect } from 'react';
import type { SavedViewItem } from '../api/types.js';
import { useDirectory } from '../lib/directory.js';
import { Link } from '../lib/router.js';
import { countText, refreshViews, useViews, viewPath } from '../lib/views.js';
// The styles of the agent tools (views, selection, fields, canned responses, bell): this nav is always on screen.
import './desk-tools.css';

const REFRESH_MS = 60_000;

/** Built-in views first, then shared ones, then the agent's own, each by name. */
function ordered(items: readonly SavedViewItem[]): SavedViewItem[] {
  const rank = (v: SavedViewItem) => (v.builtIn ? 0 : v.scope === 'shared' ? 1 : 2);
  return [...items].sort((a, b) => rank(a) - rank(b) || (a.builtIn ? 0 : a.name.localeCompare(b.name)));
}

/** The saved views for the sidebar, in display order (the first two get number keys). */
export function useOrderedViews(): SavedViewItem[] | undefined {
  const { items } = useViews();
  return items ? ordered(items) : undefined;
}

/**
 * The saved views with their ticket counts, under the fixed inbox views.
 * Counts refresh every minute, when the window gets focus, and after the
 * agent changes tickets (`viewsChanged`).
 */
export function SavedViewsNav({ activeId, firstKey }: { activeId: string | null; firstKey: number }) {
  const { me } = useDirectory();
  const { unavailable } = useViews();
  const views = useOrderedViews();

  useEffect(() => {
    void refreshViews();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refreshViews();
    }, REFRESH_MS);
    const onFocus = () => void refreshViews();
    window.addEventListener('focus', onFocus);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, []);

  if (unavailable) return null;
  return (
    <>
      <h3 className="sidebar-heading sidebar-subheading">Saved views</h3>
      <ul className="view-list" aria-busy={!views}>
        {views?.map((view, i) => {
          const key = i < 2 ? String(firstKey + i) : undefined;
          const mine = view.scope === 'personal' && view.ownerId === me.id;
          return (
            <li key={view.id}>
              <Link
                to={viewPath(view.id)}
                className="view-link"
                aria-current={activeId === view.id ? 'page' : undefined}
                aria-keyshortcuts={key}
                // The name with its count, e.g. "Unassigned, 4 tickets" (the badge alone reads poorly).
                aria-label={`${view.name}, ${countText(view)} ${view.count === 1 && !view.countIsEstimate ? 'ticket' : 'tickets'}`}
                title={mine ? `${view.name} (your personal view)` : view.name}
              >
                <span className="view-label" data-key={key}>
                  <span className="view-name">{view.name}</span>
                </span>
                <span className="view-count" data-view-count={view.id} aria-hidden="true">
                  {countText(view)}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
