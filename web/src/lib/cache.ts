/**
 * In-memory caches that make navigation feel instant: the inbox shows the
 * last list it had while it refreshes, and a ticket opened from the list
 * renders at once from the row's data while the full ticket loads.
 */
import type { Page, Ticket } from '../api/types.js';
import { forgetSlaPolicies } from './sla.js';

const tickets = new Map<string, Ticket>();
const lists = new Map<string, Page<Ticket>>();

export function rememberTickets(items: Iterable<Ticket>): void {
  for (const ticket of items) {
    const known = tickets.get(ticket.id);
    if (!known || known.version <= ticket.version) tickets.set(ticket.id, ticket);
  }
}

export function cachedTicket(id: string): Ticket | undefined {
  return tickets.get(id);
}

export function cachedList(key: string): Page<Ticket> | undefined {
  return lists.get(key);
}

export function rememberList(key: string, page: Page<Ticket>): void {
  lists.set(key, page);
  rememberTickets(page.items);
}

/** After a change to a ticket, lists that show it may be stale: update the row in place. */
export function updateCachedTicket(ticket: Ticket): void {
  tickets.set(ticket.id, ticket);
  for (const [key, page] of lists) {
    if (page.items.some((t) => t.id === ticket.id)) {
      lists.set(key, { ...page, items: page.items.map((t) => (t.id === ticket.id ? ticket : t)) });
    }
  }
}

export function clearCaches(): void {
  tickets.clear();
  lists.clear();
  forgetSlaPolicies();
}
