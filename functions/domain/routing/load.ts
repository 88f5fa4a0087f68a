import type { TicketStatus } from '../tickets/model.js';

/**
 * Agents' open-ticket counts (capacity and least load), kept from ticket
 * changes rather than counted by reading tickets. Pure.
 */

/** Statuses that count against an agent's capacity. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];

interface TicketFacts {
  status?: unknown;
  assigneeId?: unknown;
  updatedAt?: unknown;
}

export interface LoadChange {
  agentId: string;
  /** +1 or -1 open tickets. */
  delta: number;
  /** Set when the ticket was just given to this agent (round-robin start, reports). */
  assignedAt?: string;
}

function holder(ticket: TicketFacts | undefined): string | null {
  if (!ticket || typeof ticket.assigneeId !== 'string' || !ticket.assigneeId) return null;
  return OPEN_STATUSES.includes(ticket.status as TicketStatus) ? ticket.assigneeId : null;
}

/**
 * How one ticket change (old and new image; either may be absent) moves the
 * open counts: the agent holding it open before loses one, the agent holding
 * it open after gains one; nothing when both are the same agent.
 */
export function loadChangesFor(
  before: TicketFacts | undefined,
  after: TicketFacts | undefined,
): LoadChange[] {
  const from = holder(before);
  const to = holder(after);
  const changes: LoadChange[] = [];
  if (from !== to) {
    if (from) changes.push({ agentId: from, delta: -1 });
    if (to) changes.push({ agentId: to, delta: 1 });
  }
  const newAssignee = typeof after?.assigneeId === 'string' ? after.assigneeId : null;
  if (newAssignee && newAssignee !== before?.assigneeId && typeof after?.updatedAt === 'string') {
    const existing = changes.find((c) => c.agentId === newAssignee);
    if (existing) existing.assignedAt = after.updatedAt;
    else changes.push({ agentId: newAssignee, delta: 0, assignedAt: after.updatedAt });
  }
  return changes;
}
