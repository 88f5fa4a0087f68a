import {
  type AgentNotification,
  type AgentNotificationFeed,
  type AgentNotificationStore,
  MAX_UNREAD_COUNT,
  type NewAgentNotification,
  NOTIFICATION_TTL_DAYS,
} from '../../domain/agents/notifications.js';
import { deterministicUlid } from '../ids.js';

/** Agents' notification feeds in memory, with the same once-per-dedupe-key and read rules as DynamoDB. */
export class MemoryAgentNotificationStore implements AgentNotificationStore {
  readonly items = new Map<string, (AgentNotification & { agentId: string })[]>();
  readonly readUpTo = new Map<string, string>();
  private readonly keys = new Set<string>();

  async add(n: NewAgentNotification): Promise<boolean> {
    if (this.keys.has(n.dedupeKey)) return false;
    this.keys.add(n.dedupeKey);
    const list = this.items.get(n.agentId) ?? [];
    list.push({
      agentId: n.agentId,
      id: deterministicUlid(n.at, n.dedupeKey),
      at: n.at.toISOString(),
      kind: n.kind,
      ticketId: n.ticket.id,
      ticketNumber: n.ticket.number,
      subject: n.ticket.subject,
      text: n.text,
      read: false,
    });
    this.items.set(n.agentId, list);
    return true;
  }

  async list(agentId: string, limit: number, now: Date): Promise<AgentNotificationFeed> {
    const cutoff = new Date(now.getTime() - NOTIFICATION_TTL_DAYS * 86_400_000).toISOString();
    const upTo = this.readUpTo.get(agentId) ?? null;
    const all = (this.items.get(agentId) ?? [])
      .filter((n) => n.at >= cutoff)
      .map(({ agentId: _agent, ...n }) => ({ ...n, read: n.read || (upTo !== null && n.at <= upTo) }))
      .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    return {
      items: all.slice(0, limit),
      unread: Math.min(MAX_UNREAD_COUNT, all.filter((n) => !n.read).length),
    };
  }

  async markRead(agentId: string, ids: readonly string[] | null, now: Date): Promise<void> {
    if (ids === null) {
      const current = this.readUpTo.get(agentId);
      if (!current || current < now.toISOString()) this.readUpTo.set(agentId, now.toISOString());
      return;
    }
    for (const n of this.items.get(agentId) ?? []) if (ids.includes(n.id)) n.read = true;
  }
}
