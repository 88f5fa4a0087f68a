/**
 * Saved views in the sidebar: one list for the whole app (`GET /views`, each
 * view with its ticket count), loaded after sign-in, refreshed every minute,
 * when the window gets focus, and soon after the agent changes tickets (the
 * counts come from list indexes that follow a change within moments, so a
 * second refresh catches up with them).
 */
import { useSyncExternalStore } from 'react';
import { ApiError, get } from '../api/client.js';
import type { Items, Priority, SavedViewItem, TicketStatus, ViewFilters } from '../api/types.js';

export interface ViewsState {
  items: SavedViewItem[] | undefined;
  /** The server has no saved views (older API) or they could not be loaded. */
  unavailable: boolean;
}

let state: ViewsState = { items: undefined, unavailable: false };
const listeners = new Set<() => void>();
let inFlight: Promise<void> | null = null;
let again = false;
const followUps = new Set<number>();

function set(next: ViewsState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** Loads the views and their counts now (a call during a load makes one more load after it). */
export function refreshViews(): Promise<void> {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    try {
      const result = await get<Items<SavedViewItem>>('/views');
      set({ items: result.items, unavailable: false });
    } catch (error) {
      // Keep the last counts on a passing failure; a missing endpoint hides the list.
      if (error instanceof ApiError && (error.status === 404 || error.status === 405))
        set({ items: undefined, unavailable: true });
    } finally {
      inFlight = null;
      if (again) {
        again = false;
        void refreshViews();
      }
    }
  })();
  return inFlight;
}

/** After the agent changed tickets: counts now, and once more when the list indexes have caught up. */
export function viewsChanged(): void {
  void refreshViews();
  const timer = window.setTimeout(() => {
    followUps.delete(timer);
    void refreshViews();
  }, 2000);
  followUps.add(timer);
}

export function forgetViews(): void {
  for (const timer of followUps) window.clearTimeout(timer);
  followUps.clear();
  set({ items: undefined, unavailable: false });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useViews(): ViewsState {
  return useSyncExternalStore(subscribe, () => state);
}

export function viewPath(id: string): string {
  return `/views/${encodeURIComponent(id)}`;
}

/** "12", or "99+" when the server only estimated beyond what it counted. */
export function countText(view: Pick<SavedViewItem, 'count' | 'countIsEstimate'>): string {
  return `${view.count}${view.countIsEstimate ? '+' : ''}`;
}

/** Whether the agent may delete a view: their own personal views; shared ones for supervisors and admins. */
export function canDeleteView(view: SavedViewItem, me: { id: string; role: string }): boolean {
  if (view.builtIn) return false;
  if (view.scope === 'personal') return view.ownerId === me.id;
  return me.role === 'admin' || me.role === 'supervisor';
}

/** Words for a view's filters, e.g. "Status: open, pending · Tag: billing". */
export function describeFilters(
  filters: ViewFilters,
  names: { agent(id: string): string; department(id: string): string; team(id: string): string },
): string {
  const parts: string[] = [];
  if (filters.status) parts.push(`Status: ${filters.status.join(', ').replace(/_/g, ' ')}`);
  if (filters.assigneeId)
    parts.push(
      `Assignee: ${filters.assigneeId === 'me' ? 'me' : filters.assigneeId === 'none' ? 'nobody' : names.agent(filters.assigneeId)}`,
    );
  if (filters.departmentId)
    parts.push(
      `Department: ${filters.departmentId === 'none' ? 'none' : names.department(filters.departmentId)}`,
    );
  if (filters.teamId) parts.push(`Team: ${filters.teamId === 'none' ? 'none' : names.team(filters.teamId)}`);
  if (filters.priority) parts.push(`Priority: ${filters.priority.join(', ')}`);
  if (filters.channel) parts.push(`Channel: ${filters.channel.join(', ')}`);
  if (filters.tag) parts.push(`Tag: ${filters.tag}`);
  for (const [field, value] of Object.entries(filters.fields ?? {})) parts.push(`${field}: ${String(value)}`);
  return parts.length > 0 ? parts.join(' · ') : 'Every ticket';
}

/**
 * The inbox's filters as a saved view's filters (`PUT /views/{id}`): one
 * status and one priority become lists, the inbox's "no department"
 * (`_none`) becomes the views' `none`; `assignee` is already `me`, `none` or an id.
 */
export function inboxViewFilters(inbox: {
  status: string;
  assignee: string;
  departmentId: string;
  priority: string;
  tag: string;
}): ViewFilters {
  const result: ViewFilters = {};
  if (inbox.status) result.status = [inbox.status as TicketStatus];
  if (inbox.assignee) result.assigneeId = inbox.assignee;
  if (inbox.departmentId) result.departmentId = inbox.departmentId === '_none' ? 'none' : inbox.departmentId;
  if (inbox.priority) result.priority = [inbox.priority as Priority];
  if (inbox.tag) result.tag = inbox.tag;
  return result;
}
