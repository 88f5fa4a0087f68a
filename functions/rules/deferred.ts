/**
 * Side effects a macro leaves to the events handler. Applying a macro (an
 * API request) saves its change with a `system` entry carrying the planned
 * notifications and webhooks (`TimelineEntry.automation`); the events
 * handler, reading that entry from the stream, sends the notifications (mail
 * and agents' notification feeds, the same path as workflow rules) and calls
 * the webhooks, once: the entry is claimed first (`DELIVERY#macro#<entry>`),
 * each mail, feed item and webhook call is claimed on its own too, and a
 * `system` entry naming the macro says what came of it.
 */
import { deterministicUlid } from '../adapters/ids.js';
import type { Macro } from '../domain/macros/model.js';
import type { Deps } from '../domain/ports.js';
import type { DeferredActions, Recipient } from '../domain/rules/automation-entry.js';
import type { ActionPlan } from '../domain/rules/plan.js';
import type { Actor, TimelineEntry } from '../domain/tickets/model.js';
import { type RulesContext, sendPlannedNotifications } from './engine.js';
import { callWebhooks } from './webhooks.js';

function describeRecipient(to: Recipient): string {
  switch (to.kind) {
    case 'agent':
      return `agent ${to.agentId}`;
    case 'pending_assignee':
      return 'the new assignee';
    case 'team':
      return `team ${to.teamId}`;
    case 'supervisors':
      return 'the supervisors';
    case 'customer':
      return 'the customer';
  }
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/**
 * The `system` entry that hands a macro's notifications and webhooks to the
 * events handler, or null when the plan has none.
 */
export function deferredActionsEntry(
  deps: Pick<Deps, 'ids'>,
  base: { ticketId: string; createdAt: string; author: Actor },
  macro: Pick<Macro, 'id' | 'name'>,
  plan: Pick<ActionPlan, 'notifications' | 'webhooks'>,
): TimelineEntry | null {
  if (plan.notifications.length === 0 && plan.webhooks.length === 0) return null;
  const parts = [
    ...(plan.notifications.length
      ? [`notifies ${plan.notifications.map((n) => describeRecipient(n.to)).join(', ')}`]
      : []),
    ...(plan.webhooks.length
      ? [`calls ${plan.webhooks.map((w) => `webhook ${hostOf(w.url)}`).join(', ')}`]
      : []),
  ];
  const automation: DeferredActions = {
    source: { kind: 'macro', id: macro.id, name: macro.name },
    notifications: plan.notifications.map((n) => ({ ...n })),
    webhooks: plan.webhooks.map((w) => ({ ...w })),
  };
  return {
    id: deps.ids.newId(),
    ...base,
    kind: 'system',
    body: `Macro "${macro.name}" ${parts.join('; ')}.`,
    channel: null,
    changes: [],
    automation,
  };
}

/**
 * Sends what a macro's entry left to do (see the module comment). Entries
 * without `automation` are ignored; a redelivered entry does nothing.
 */
export async function reactToDeferredActions(
  context: Pick<RulesContext, 'deps' | 'mail' | 'feed' | 'webhooks' | 'log'>,
  entry: TimelineEntry,
): Promise<void> {
  const automation = entry.automation;
  if (!automation) return;
  const { deps, mail } = context;
  const claim = `macro#${entry.id}`;
  if (mail && !(await mail.ledger.claimDelivery(claim, deps.clock.now()))) return;
  try {
    const ticket = await deps.tickets.get(entry.ticketId);
    if (!ticket) return;
    const { source } = automation;
    const name = `Macro "${source.name}"`;
    const notified = await sendPlannedNotifications(context, ticket, automation.notifications, {
      keyPrefix: `macro#${entry.id}`,
      feedKind: 'macro',
      sourceName: name,
    });
    const called = await callWebhooks(
      {
        deps,
        sender: context.webhooks ?? null,
        mail: mail ?? null,
        ...(context.log ? { log: context.log } : {}),
      },
      ticket,
      {
        event: 'macro_applied',
        source,
        webhooks: automation.webhooks,
        seed: `macro#${entry.id}`,
        customerEmail: ticket.requester.email,
      },
    );
    const said = [...notified, ...called];
    if (said.length === 0) return;
    const now = deps.clock.now();
    await deps.tickets.appendEntries([
      {
        id: deterministicUlid(now, `${claim}#outcome`),
        ticketId: ticket.id,
        kind: 'system',
        createdAt: now.toISOString(),
        author: { type: 'system', id: `macro:${source.id}`, name },
        body: `${name} (applied by ${entry.author.name ?? entry.author.id}) ${said.join('; ')}.`,
        channel: null,
        changes: [],
      },
    ]);
  } catch (error) {
    // Each mail, feed item and call has its own claim: a retry repeats nothing that was done.
    if (mail) await mail.ledger.releaseDelivery(claim).catch(() => undefined);
    throw error;
  }
}
