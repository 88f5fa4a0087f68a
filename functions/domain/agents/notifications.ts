import type { Ticket, TimelineEntry } from '../tickets/model.js';

/**
 * The agent notification feed (the SPA's bell): what happened that concerns
 * one agent — a ticket assigned to them by someone else, a workflow rule or
 * a macro notifying them. Items are written from the stream, once each (a
 * `dedupeKey` per item), kept 30 days, and read newest first.
 */

export const AGENT_NOTIFICATION_KINDS = ['assigned', 'rule', 'macro'] as const;
export type AgentNotificationKind = (typeof AGENT_NOTIFICATION_KINDS)[number];

/** Items older than this are gone (TTL) and never listed. */
export const NOTIFICATION_TTL_DAYS = 30;
export const MAX_NOTIFICATION_TEXT = 500;
/** `unread` is counted up to this many. */
export const MAX_UNREAD_COUNT = 100;

/** One item as the API shows it. */
export interface AgentNotification {
  /** A ULID: sorts by `at`. */
  id: string;
  at: string;
  kind: AgentNotificationKind;
  ticketId: string;
  ticketNumber: number;
  subject: string;
  text: string;
  read: boolean;
}

/** An item to write; `dedupeKey` makes writing it twice (a redelivered stream record) write it once. */
export interface NewAgentNotification {
  agentId: string;
  kind: AgentNotificationKind;
  ticket: Pick<Ticket, 'id' | 'number' | 'subject'>;
  text: string;
  at: Date;
  dedupeKey: string;
}

export interface AgentNotificationFeed {
  items: AgentNotification[];
  /** Unread items of the last 30 days, counted up to MAX_UNREAD_COUNT. */
  unread: number;
}

/** Storage of the feed (DynamoDB: `DynamoAgentNotificationRepository`). */
export interface AgentNotificationStore {
  /** Writes an item unless one with the same `dedupeKey` was written; true when written now. */
  add(notification: NewAgentNotification): Promise<boolean>;
  /** The newest `limit` items and the unread count. */
  list(agentId: string, limit: number, now: Date): Promise<AgentNotificationFeed>;
  /** Marks the named items read, or every item up to `now` when `ids` is null. */
  markRead(agentId: string, ids: readonly string[] | null, now: Date): Promise<void>;
}

/** Cuts a text to the feed's length, on a word when it can. */
export function feedText(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_NOTIFICATION_TEXT) return flat;
  const cut = flat.slice(0, MAX_NOTIFICATION_TEXT - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_NOTIFICATION_TEXT / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * The feed item an `event` entry calls for: the ticket was assigned to an
 * agent by someone else (another agent, routing, a rule...). Null for any
 * other entry, and when the agent assigned the ticket to themselves.
 */
export function assignmentNotification(
  entry: TimelineEntry,
  ticket: Pick<Ticket, 'id' | 'number' | 'subject'>,
): NewAgentNotification | null {
  if (entry.kind !== 'event') return null;
  const change = entry.changes.find((c) => c.field === 'assigneeId');
  const to = change?.to;
  if (typeof to !== 'string' || to === '' || to === change?.from) return null;
  if (entry.author.type === 'agent' && entry.author.id === to) return null;
  const by = entry.author.name ?? (entry.author.type === 'agent' ? 'an agent' : 'the desk');
  return {
    agentId: to,
    kind: 'assigned',
    ticket,
    text: feedText(`Assigned to you by ${by}.`),
    at: new Date(entry.createdAt),
    dedupeKey: `assign#${entry.id}`,
  };
}
