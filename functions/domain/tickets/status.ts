/**
 * Ticket vocabularies and the status lifecycle, with no dependencies at all,
 * so the agent SPA bundles the very same rules the server enforces.
 */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CHANNELS = ['email', 'web', 'chat', 'phone', 'social', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Allowed status moves. A ticket never goes back to `new`; `closed` only
 * follows `solved` (a closed ticket is archived: follow-ups open a new ticket).
 */
const ALLOWED_MOVES: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export function allowedNextStatuses(from: TicketStatus): readonly TicketStatus[] {
  return ALLOWED_MOVES[from];
}

/** True when `from → to` is a legal move; staying put is always allowed. */
export function canMoveStatus(from: TicketStatus, to: TicketStatus): boolean {
  return from === to || ALLOWED_MOVES[from].includes(to);
}

/**
 * Triage order of lists that span statuses: new first, then open, pending,
 * on hold, solved, closed. Higher rank comes first.
 */
export const STATUS_RANK: Record<TicketStatus, number> = {
  new: 6,
  open: 5,
  pending: 4,
  on_hold: 3,
  solved: 2,
  closed: 1,
};

/** `new` → `6new#`: the prefix of one status in the list order key. */
export function statusOrderPrefix(status: TicketStatus): string {
  return `${STATUS_RANK[status]}${status}#`;
}

/**
 * The order of ticket lists, as one string compared in DESCENDING order:
 * status in triage order, then newest activity first.
 */
export function listOrderKey(ticket: { status: TicketStatus; updatedAt: string; id: string }): string {
  return `${statusOrderPrefix(ticket.status)}${ticket.updatedAt}#${ticket.id}`;
}
