/**
 * Agents' notification feed (the SPA's bell): written from the stream — a
 * ticket assigned to an agent by someone else (here), workflow rules' and
 * macros' notifications to agents (rules/engine.ts `sendPlannedNotifications`)
 * — once per stream record, and read by the signed-in agent.
 */
import type { Principal } from '../domain/agents/model.js';
import {
  type AgentNotificationFeed,
  type AgentNotificationStore,
  assignmentNotification,
} from '../domain/agents/notifications.js';
import type { Deps } from '../domain/ports.js';
import type { TimelineEntry } from '../domain/tickets/model.js';

export const DEFAULT_FEED_LIMIT = 20;
export const MAX_FEED_LIMIT = 50;

/**
 * A feed item for the agent an `event` entry assigned the ticket to, unless
 * they assigned it to themselves; once per entry (its id is the dedupe key).
 */
export async function recordAssignment(
  context: { deps: Deps; feed: AgentNotificationStore },
  entry: TimelineEntry,
): Promise<boolean> {
  if (entry.kind !== 'event' || !entry.changes.some((c) => c.field === 'assigneeId')) return false;
  const ticket = await context.deps.tickets.get(entry.ticketId);
  if (!ticket) return false;
  const notification = assignmentNotification(entry, ticket);
  if (!notification) return false;
  const agent = await context.deps.directory.getAgent(notification.agentId);
  if (!agent?.active) return false;
  return context.feed.add(notification);
}

/** The signed-in agent's newest feed items and unread count. */
export function listMyNotifications(
  deps: Deps,
  feed: AgentNotificationStore,
  principal: Principal,
  limit: number = DEFAULT_FEED_LIMIT,
): Promise<AgentNotificationFeed> {
  return feed.list(principal.agentId, Math.min(Math.max(1, limit), MAX_FEED_LIMIT), deps.clock.now());
}

/** Marks the signed-in agent's items read (all up to now when `ids` is absent); answers the unread count. */
export async function markMyNotificationsRead(
  deps: Deps,
  feed: AgentNotificationStore,
  principal: Principal,
  ids: readonly string[] | undefined,
): Promise<{ unread: number }> {
  const now = deps.clock.now();
  await feed.markRead(principal.agentId, ids ?? null, now);
  return { unread: (await feed.list(principal.agentId, 1, now)).unread };
}
