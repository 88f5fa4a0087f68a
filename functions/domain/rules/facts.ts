import type { Channel, CustomFieldValue, Priority, Ticket, TicketStatus } from '../tickets/model.js';

/**
 * The facts rule and routing conditions are evaluated against: a flat view of
 * one ticket at one moment, built by `buildFacts`. Condition fields address
 * it by name (`status`, `customer.email`, `cf.<fieldId>`... see
 * `FACT_FIELDS` in conditions.ts).
 */
export interface RuleFacts {
  ticketId: string;
  /** The ticket's version: rules fire at most once per version (see engine.ts). */
  ticketVersion: number;
  ticketNumber: number;
  status: TicketStatus;
  priority: Priority;
  channel: Channel;
  departmentId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  subject: string;
  /** Text of the latest message (customer message or reply); '' when there is none. */
  body: string;
  tags: string[];
  customer: { id: string; email: string | null; name: string | null };
  customFields: Record<string, CustomFieldValue>;
  /** Messages from the customer and replies from agents (`Ticket.messageCount`). */
  exchanges: number;
  hoursSinceCreated: number;
  hoursSinceUpdated: number;
  /** Hours since the customer last wrote; null when unknown. */
  hoursSinceCustomerReply: number | null;
  /** The resolution target's due time has passed and the ticket is neither solved nor closed. */
  resolutionOverdue: boolean;
}

export interface FactsContext {
  /** The latest customer message or agent reply, when known. */
  latestMessage: {
    body: string | null;
    createdAt?: string;
    author?: { type: 'customer' | 'agent' | 'system' };
  } | null;
  /** The ticket's customer; falls back to the ticket's requester for name and email. */
  customer: { id: string; name: string | null; email: string | null } | null;
  now: Date;
  /** Due time of the resolution target (from the applied SLA); null when there is none. */
  resolutionDueAt: string | Date | null;
  /** When the customer last wrote; defaults to `latestMessage.createdAt` when its author is the customer. */
  lastCustomerMessageAt?: string | Date | null;
}

const HOUR_MS = 3_600_000;

function hoursBetween(from: string | Date, now: Date): number {
  const start = typeof from === 'string' ? Date.parse(from) : from.getTime();
  return Number.isFinite(start) ? Math.max(0, (now.getTime() - start) / HOUR_MS) : 0;
}

/** Builds the facts of `ticket` at `context.now`. Pure. Hours are fractional (90 minutes = 1.5). */
export function buildFacts(ticket: Ticket, context: FactsContext): RuleFacts {
  const { now } = context;
  const lastCustomer =
    context.lastCustomerMessageAt ??
    (context.latestMessage?.author?.type === 'customer' ? (context.latestMessage.createdAt ?? null) : null);
  const due =
    context.resolutionDueAt === null
      ? null
      : typeof context.resolutionDueAt === 'string'
        ? Date.parse(context.resolutionDueAt)
        : context.resolutionDueAt.getTime();
  const finished = ticket.status === 'solved' || ticket.status === 'closed';
  return {
    ticketId: ticket.id,
    ticketVersion: ticket.version,
    ticketNumber: ticket.number,
    status: ticket.status,
    priority: ticket.priority,
    channel: ticket.channel,
    departmentId: ticket.departmentId,
    teamId: ticket.teamId,
    assigneeId: ticket.assigneeId,
    subject: ticket.subject,
    body: context.latestMessage?.body ?? '',
    tags: [...ticket.tags],
    customer: {
      id: context.customer?.id ?? ticket.customerId,
      email: context.customer?.email ?? ticket.requester.email,
      name: context.customer?.name ?? ticket.requester.name,
    },
    customFields: { ...ticket.customFields },
    exchanges: ticket.messageCount,
    hoursSinceCreated: hoursBetween(ticket.createdAt, now),
    hoursSinceUpdated: hoursBetween(ticket.updatedAt, now),
    hoursSinceCustomerReply: lastCustomer === null ? null : hoursBetween(lastCustomer, now),
    resolutionOverdue: !finished && due !== null && Number.isFinite(due) && now.getTime() > due,
  };
}
