/**
 * Workflow rules at run time, on the pure core of `domain/rules`:
 * - the events handler calls `reactToRuleEvent` for each stream record that
 *   is a rule trigger (a new ticket after routing, a change by an agent or by
 *   rules, a customer message, an agent reply), once per record (claimed
 *   before, given back when it fails);
 * - `runTimeBasedRules` (every 15 minutes, see schedule-handler.ts, or
 *   `POST /workflow-rules/run-time-based`)
 *   evaluates the time-based rules over the open tickets, read by status.
 *
 * The matching rules of one evaluation are planned together and saved as ONE
 * system change authored by the rule (`rule:<id>`; by the rules when several
 * match), conditional on the ticket version their facts were built from and
 * carrying the chain's cause, so the `ticket_updated` event that change causes
 * never fires them again (see the loop guards in domain/rules/engine.ts).
 * Each rule then leaves its notes and a system entry saying what it did; its
 * notifications go out through `sendNotification` (and, to agents, into
 * their notification feed), once per fired key, and its webhooks are called
 * once per rule and stream record (`callWebhooks`), the outcome named on
 * that system entry.
 */
import type { Agent } from '../domain/agents/model.js';
import { type AgentNotificationStore, feedText } from '../domain/agents/notifications.js';
import type { Deps } from '../domain/ports.js';
import { ROUND_ROBIN } from '../domain/rules/actions.js';
import {
  combinedActions,
  evaluateRules,
  type RuleCause,
  type RuleMatch,
  type RulesEvaluation,
} from '../domain/rules/engine.js';
import { buildFacts, type FactsContext, type RuleFacts } from '../domain/rules/facts.js';
import type { Rule, RuleTrigger } from '../domain/rules/model.js';
import {
  type ActionPlan,
  type PlanContext,
  type PlannedNotification,
  planActions,
  type Recipient,
} from '../domain/rules/plan.js';
import type { WorkflowStore } from '../domain/rules/ports.js';
import type { WebhookSender } from '../domain/rules/webhooks.js';
import { DomainError, VersionConflict } from '../domain/shared/errors.js';
import type { SlaRecord } from '../domain/sla/record.js';
import type { Actor, Ticket, TicketStatus, TimelineEntry } from '../domain/tickets/model.js';
import { applySystemChange } from '../domain/tickets/use-cases.js';
import { AGENT_REPLY_HINT, type OutboundContext, sendNotification } from '../email/outbound.js';
import { callWebhooks } from './webhooks.js';

export interface RulesContext {
  deps: Deps;
  store: WorkflowStore;
  /** SLA records, for `resolutionOverdue`; without it no ticket is overdue. */
  sla?: { get(ticketId: string): Promise<SlaRecord | null> } | null;
  /** The mail channel; without it notifications are skipped (and said so on the timeline). */
  mail?: Omit<OutboundContext, 'deps' | 'log'> | null;
  /** Assigns by the team's strategy (`set_assignee: round_robin`), after the change. */
  assign?: (ticket: Ticket, ruleName: string) => Promise<void>;
  /** Calls webhooks (URL and address checks inside); without it webhooks are skipped, and said so. */
  webhooks?: WebhookSender | null;
  /** Agents' notification feeds: notifications to agents also land there. */
  feed?: AgentNotificationStore | null;
  log?: (event: Record<string, unknown>) => void;
}

/** The latest customer message or agent reply, as the facts need it. */
export interface RuleMessage {
  body: string | null;
  createdAt: string;
  author: { type: 'customer' | 'agent' | 'system' };
}

/** One stream record that is a rule trigger. */
export type RuleEvent =
  | { trigger: 'ticket_created'; eventId: string; ticketId: string }
  | { trigger: 'ticket_updated'; eventId: string; ticketId: string; causedBy: RuleCause | null }
  | {
      trigger: 'customer_replied' | 'agent_replied';
      eventId: string;
      ticketId: string;
      message: RuleMessage;
    };

export interface RulesOutcome {
  ticketId: string;
  fired: { ruleId: string; ruleName: string }[];
}

const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold'];
const MAX_ATTEMPTS = 4;
const MESSAGE_PAGES = 10;

const TRIGGER_LABEL: Record<RuleTrigger, string> = {
  ticket_created: 'ticket created',
  ticket_updated: 'ticket updated',
  customer_replied: 'customer replied',
  agent_replied: 'agent replied',
  time_based: 'time-based',
};

/**
 * The rule event of a new timeline entry, if it is one: an agent's reply, a
 * customer's message (not the ticket's opening one, see `runRules`), or a
 * change of the ticket made by an agent or by rules. Changes made by routing,
 * assignment, SLAs or blueprints are not rule triggers.
 */
export function ruleEventForEntry(entry: TimelineEntry, eventId: string): RuleEvent | null {
  const message = { body: entry.body, createdAt: entry.createdAt, author: { type: entry.author.type } };
  if (entry.kind === 'reply') return { trigger: 'agent_replied', eventId, ticketId: entry.ticketId, message };
  if (entry.kind === 'customer') {
    return { trigger: 'customer_replied', eventId, ticketId: entry.ticketId, message };
  }
  if (entry.kind !== 'event' || entry.changes.length === 0) return null;
  if (entry.author.type === 'agent') {
    return { trigger: 'ticket_updated', eventId, ticketId: entry.ticketId, causedBy: null };
  }
  if (entry.author.type === 'system' && entry.author.id.startsWith('rule:')) {
    const causedBy = entry.ruleCause ?? { ruleIds: entry.author.id.slice(5).split('+'), depth: 1 };
    return { trigger: 'ticket_updated', eventId, ticketId: entry.ticketId, causedBy };
  }
  return null;
}

/**
 * Evaluates the rules for one stream record, once: the record is claimed
 * first and given back when anything but a domain error stops the reaction
 * (a retried batch then evaluates it again).
 */
export async function reactToRuleEvent(context: RulesContext, event: RuleEvent): Promise<RulesOutcome> {
  const none = { ticketId: event.ticketId, fired: [] };
  const rules = activeRules(await context.store.listRules(), event.trigger);
  if (rules.length === 0) return none;
  if (!(await context.store.claimRecord(`${event.eventId}`))) return none;
  try {
    return await runRules(context, rules, event);
  } catch (error) {
    if (error instanceof DomainError) {
      context.log?.({ message: 'workflow rules skipped', ticketId: event.ticketId, error: error.message });
      return none;
    }
    await context.store.releaseRecord(event.eventId);
    throw error;
  }
}

function activeRules(stored: readonly { rule: Rule }[], trigger: RuleTrigger): Rule[] {
  return stored.map((s) => s.rule).filter((r) => r.active && r.trigger === trigger);
}

/** Evaluates `rules` (of the event's trigger) on the ticket as it is now and applies the matches. */
async function runRules(context: RulesContext, rules: Rule[], event: RuleEvent): Promise<RulesOutcome> {
  const { deps, store } = context;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const ticket = await deps.tickets.get(event.ticketId);
    if (!ticket) break;
    let message: RuleMessage | null | undefined;
    if (event.trigger === 'customer_replied' || event.trigger === 'agent_replied') {
      // The opening message is written with the ticket: that is `ticket_created`, not a reply.
      if (event.trigger === 'customer_replied' && event.message.createdAt === ticket.createdAt) break;
      message = event.message;
    } else if (event.trigger === 'ticket_created') {
      const first = (await deps.tickets.timeline(ticket.id, { limit: 1, includeNotes: false })).items[0];
      message = first ? { body: first.body, createdAt: first.createdAt, author: first.author } : null;
    }
    const facts = await factsFor(context, ticket, rules, message);
    const evaluation = evaluateRules({
      rules,
      trigger: event.trigger,
      facts,
      firedBefore: await store.firedKeys(ticket.id),
      causedBy: event.trigger === 'ticket_updated' ? event.causedBy : null,
    });
    if (evaluation.matches.length === 0) break;
    try {
      await applyMatches(context, ticket, evaluation, event.trigger, event.eventId);
      return { ticketId: ticket.id, fired: evaluation.matches.map(firedOf) };
    } catch (error) {
      // Someone changed the ticket since the facts were read: evaluate the new state.
      if (error instanceof VersionConflict) continue;
      throw error;
    }
  }
  return { ticketId: event.ticketId, fired: [] };
}

const firedOf = (m: RuleMatch) => ({ ruleId: m.ruleId, ruleName: m.ruleName });

const usesField = (rule: Rule, field: string) =>
  [...rule.conditions.all, ...rule.conditions.any].some((c) => c.field === field);

/** Facts of `ticket`, reading only what the rules' conditions need (latest message, SLA due time). */
async function factsFor(
  context: RulesContext,
  ticket: Ticket,
  rules: readonly Rule[],
  message: RuleMessage | null | undefined,
): Promise<RuleFacts> {
  const { deps } = context;
  const needsMessage =
    message === undefined &&
    rules.some((r) => usesField(r, 'body') || usesField(r, 'hoursSinceCustomerReply'));
  const latest = message !== undefined ? message : needsMessage ? await latestMessage(deps, ticket.id) : null;
  let resolutionDueAt: string | null = null;
  if (context.sla && rules.some((r) => usesField(r, 'resolutionOverdue'))) {
    const record = await context.sla.get(ticket.id);
    const target = record?.applied.targets.find((t) => t.kind === 'resolution');
    if (target && target.metAt === null) resolutionDueAt = target.dueAt;
  }
  const factsContext: FactsContext = {
    latestMessage: latest,
    customer: null,
    now: deps.clock.now(),
    resolutionDueAt,
  };
  return buildFacts(ticket, factsContext);
}

/** The latest customer message or agent reply of a ticket (the timeline reads oldest first). */
async function latestMessage(deps: Deps, ticketId: string): Promise<RuleMessage | null> {
  let latest: RuleMessage | null = null;
  let cursor: string | undefined;
  for (let page = 0; page < MESSAGE_PAGES; page++) {
    const result = await deps.tickets.timeline(ticketId, {
      limit: 100,
      includeNotes: false,
      ...(cursor ? { cursor } : {}),
    });
    for (const e of result.items) {
      if (e.kind === 'customer' || e.kind === 'reply') {
        latest = { body: e.body, createdAt: e.createdAt, author: e.author };
      }
    }
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return latest;
}

/** The author of a change made by rules: the rule, or the rules when several matched together. */
export function ruleActor(matches: readonly Pick<RuleMatch, 'ruleId' | 'ruleName'>[]): Actor {
  const [first] = matches;
  if (matches.length === 1 && first) {
    return { type: 'system', id: `rule:${first.ruleId}`, name: `Rule "${first.ruleName}"` };
  }
  return {
    type: 'system',
    id: `rule:${matches.map((m) => m.ruleId).join('+')}`,
    name: `Rules ${matches.map((m) => `"${m.ruleName}"`).join(', ')}`,
  };
}

/**
 * Applies an evaluation's matches to `ticket`: one change (the combined
 * plan's patch, conditional on `ticket.version`; throws VersionConflict when
 * the ticket moved on), the fired keys, each rule's notes, notifications,
 * webhooks and a system entry saying what it did. `origin` names the stream
 * record (or `time#<ticket>` for a time-based run): webhooks are called once
 * per rule and origin.
 */
async function applyMatches(
  context: RulesContext,
  ticket: Ticket,
  evaluation: RulesEvaluation,
  trigger: RuleTrigger,
  origin: string,
): Promise<void> {
  const { deps, store } = context;
  const customer = await deps.customers.get(ticket.customerId);
  const planContext: PlanContext = {
    customer: customer
      ? {
          id: customer.id,
          name: customer.name ?? ticket.requester.name,
          email: ticket.requester.email ?? customer.identities.find((i) => i.type === 'email')?.value ?? null,
        }
      : null,
    desk: { name: context.mail?.settings.deskName ?? null },
    // `set_field` values are checked against the ticket's (new) department layout: a bad one is
    // left out and reported on the rule's system entry, the other actions still apply.
    fields: await deps.fields.setup(),
  };
  const combined = planActions(ticket, combinedActions(evaluation), planContext);
  const actor = ruleActor(evaluation.matches);
  let after = ticket;
  let failure: string | null = null;
  if (Object.keys(combined.patch).length > 0) {
    try {
      after = await applySystemChange(deps, ticket.id, combined.patch, actor, {
        expectedVersion: ticket.version,
        ...(evaluation.cause ? { ruleCause: evaluation.cause } : {}),
      });
    } catch (error) {
      if (error instanceof VersionConflict || !(error instanceof DomainError)) throw error;
      failure = error.message;
    }
  }
  await store.addFiredKeys(ticket.id, evaluation.firedKeys);

  const names = evaluation.matches.map((m) => m.ruleName);
  if (combined.assignment === ROUND_ROBIN && failure === null && context.assign) {
    // Before the notifications and webhooks: "notify the assignee" means the one picked now.
    await context.assign(after, names.join(', '));
    after = (await deps.tickets.get(ticket.id)) ?? after;
  }
  const now = deps.clock.now().toISOString();
  const entries: TimelineEntry[] = [];
  for (const match of evaluation.matches) {
    const plan = planActions(ticket, match.actions, planContext);
    const author: Actor = ruleActor([match]);
    for (const note of plan.notes) {
      entries.push(entry(deps, ticket.id, now, author, 'note', note));
    }
    const notified = await notify(context, after, match, plan);
    const called = await callWebhooks(
      { deps, sender: context.webhooks ?? null, mail: context.mail ?? null, ...logOf(context) },
      after,
      {
        event: trigger,
        source: { kind: 'rule', id: match.ruleId, name: match.ruleName },
        webhooks: plan.webhooks,
        seed: `${match.ruleId}#${origin}`,
        customerEmail: planContext.customer?.email ?? ticket.requester.email,
      },
    );
    const did = [...describePlan(plan, failure, notified), ...called];
    entries.push(
      entry(
        deps,
        ticket.id,
        now,
        author,
        'system',
        `Rule "${match.ruleName}" (${TRIGGER_LABEL[trigger]}) ${did.length ? did.join('; ') : 'changed nothing'}.`,
      ),
    );
  }
  await deps.tickets.appendEntries(entries);
  context.log?.({
    message: 'workflow rules fired',
    ticketId: ticket.id,
    trigger,
    rules: evaluation.matches.map((m) => m.ruleId),
  });
}

function entry(
  deps: Deps,
  ticketId: string,
  at: string,
  author: Actor,
  kind: 'note' | 'system',
  body: string,
): TimelineEntry {
  return { id: deps.ids.newId(), ticketId, kind, createdAt: at, author, body, channel: null, changes: [] };
}

const show = (value: unknown) => (value === null || value === undefined ? 'none' : String(value));

/** What a rule's plan did, in words, for its system entry. */
export function describePlan(plan: ActionPlan, failure: string | null, notified: string[]): string[] {
  const did: string[] = [];
  const { patch } = plan;
  if (failure !== null) did.push(`could not change the ticket: ${failure}`);
  else {
    if (patch.status !== undefined) did.push(`set status to ${patch.status.replaceAll('_', ' ')}`);
    if (patch.priority !== undefined) did.push(`set priority to ${patch.priority}`);
    if (patch.departmentId !== undefined) did.push(`set department to ${show(patch.departmentId)}`);
    if (patch.teamId !== undefined) did.push(`set team to ${show(patch.teamId)}`);
    if (patch.assigneeId !== undefined) did.push(`set assignee to ${show(patch.assigneeId)}`);
    if (plan.assignment === ROUND_ROBIN) did.push("assigned by the team's strategy");
    if (patch.tags !== undefined) did.push(`set tags to ${patch.tags.join(', ') || 'none'}`);
    if (patch.customFields !== undefined) {
      const dropped = new Set(plan.droppedFields.map((d) => d.field));
      const set = Object.entries(patch.customFields)
        .filter(([field, value]) => !dropped.has(field) || value !== null)
        .map(([field]) => field);
      if (set.length > 0) did.push(`set fields ${set.join(', ')}`);
      if (dropped.size > 0) {
        did.push(`dropped ${[...dropped].join(', ')} (not used or not allowed in the new department)`);
      }
    }
  }
  if (plan.notes.length)
    did.push(`added ${plan.notes.length === 1 ? 'a note' : `${plan.notes.length} notes`}`);
  did.push(...notified);
  for (const e of plan.errors) did.push(`could not ${e.type.replaceAll('_', ' ')}: ${e.message}`);
  return did;
}

/** Sends a rule's notifications (once per fired key and recipient); returns what it did, in words. */
async function notify(
  context: RulesContext,
  ticket: Ticket,
  match: RuleMatch,
  plan: ActionPlan,
): Promise<string[]> {
  return sendPlannedNotifications(context, ticket, plan.notifications, {
    keyPrefix: `rule#${ticket.id}#${match.key}`,
    feedKind: 'rule',
    sourceName: `Rule "${match.ruleName}"`,
  });
}

const logOf = (context: { log?: (event: Record<string, unknown>) => void }) =>
  context.log ? { log: context.log } : {};

/**
 * Sends planned notifications (a rule's or a macro's) about `ticket`: each
 * recipient by mail (claimed once per `<keyPrefix>#<index>#<recipient>`) and
 * agents also in their notification feed (once per the same key). Returns
 * what it did, in words.
 */
export async function sendPlannedNotifications(
  context: Pick<RulesContext, 'deps' | 'mail' | 'feed' | 'log'>,
  ticket: Ticket,
  notifications: readonly PlannedNotification[],
  options: { keyPrefix: string; feedKind: 'rule' | 'macro'; sourceName: string },
): Promise<string[]> {
  if (notifications.length === 0) return [];
  const { mail, feed } = context;
  if (!mail && !feed) return ['did not notify anyone: mail is not configured'];
  const said: string[] = [];
  for (const [index, n] of notifications.entries()) {
    const to = await recipients(context, ticket, n.to);
    if (to.length === 0) {
      said.push(`found nobody to notify (${n.to.kind.replace('_', ' ')})`);
      continue;
    }
    for (const r of to) {
      const deliveryKey = `${options.keyPrefix}#${index}#${r.key}`;
      if (feed && r.audience === 'agent') {
        await feed.add({
          agentId: r.key,
          kind: options.feedKind,
          ticket,
          text: feedText(`${options.sourceName}: ${n.subject}`),
          at: context.deps.clock.now(),
          dedupeKey: deliveryKey,
        });
      }
      if (!mail) continue;
      await sendNotification({ deps: context.deps, ...mail, ...logOf(context) }, ticket, {
        deliveryKey,
        to: r.address,
        subject: `[#${ticket.number}] ${n.subject}`,
        text: r.audience === 'agent' ? `${n.body}\n\n${AGENT_REPLY_HINT}` : n.body,
        automatic: 'generated',
        audience: r.audience,
      });
    }
    said.push(
      mail
        ? `notified ${to.map((r) => r.label).join(', ')}`
        : `notified ${
            to
              .filter((r) => r.audience === 'agent')
              .map((r) => r.label)
              .join(', ') || 'nobody'
          } in the desk only (mail is not configured)`,
    );
  }
  return said;
}

interface Addressee {
  key: string;
  address: string;
  label: string;
  audience: 'agent' | 'customer';
}

const agentAddressee = (a: Agent): Addressee => ({
  key: a.id,
  address: a.email,
  label: a.name,
  audience: 'agent',
});

/** The people a planned notification goes to, resolved against the ticket after the change. */
async function recipients(
  context: Pick<RulesContext, 'deps'>,
  ticket: Ticket,
  to: Recipient,
): Promise<Addressee[]> {
  const { directory } = context.deps;
  switch (to.kind) {
    case 'agent': {
      const agent = await directory.getAgent(to.agentId);
      return agent?.active ? [agentAddressee(agent)] : [];
    }
    case 'pending_assignee': {
      const current = await context.deps.tickets.get(ticket.id);
      const agent = current?.assigneeId ? await directory.getAgent(current.assigneeId) : null;
      return agent?.active ? [agentAddressee(agent)] : [];
    }
    case 'team':
      return (await directory.listAgents())
        .filter((a) => a.active && a.teamIds.includes(to.teamId))
        .map(agentAddressee);
    case 'supervisors': {
      const agents = (await directory.listAgents()).filter((a) => a.active);
      const supervisors = agents.filter((a) => a.role === 'supervisor');
      const ofDepartment = to.departmentId
        ? supervisors.filter((a) => a.departmentIds.includes(to.departmentId as string))
        : [];
      const chosen = ofDepartment.length
        ? ofDepartment
        : supervisors.length
          ? supervisors
          : agents.filter((a) => a.role === 'admin');
      return chosen.map(agentAddressee);
    }
    case 'customer': {
      const address = to.email ?? ticket.requester.email;
      return address
        ? [{ key: 'customer', address, label: `the customer (${address})`, audience: 'customer' }]
        : [];
    }
  }
}

export interface TimeBasedOutcome {
  /** Open tickets evaluated. */
  checked: number;
  fired: RulesOutcome[];
}

/**
 * Evaluates the active time-based rules over the open tickets (new, open,
 * pending, on hold: one Query per status on the all-tickets index, page by
 * page). Each rule fires at most once per ticket (`<rule>@time`). A ticket
 * changed meanwhile is left for the next run.
 */
export async function runTimeBasedRules(
  context: RulesContext,
  options: { maxTickets?: number } = {},
): Promise<TimeBasedOutcome> {
  const { deps, store } = context;
  const rules = activeRules(await store.listRules(), 'time_based');
  const outcome: TimeBasedOutcome = { checked: 0, fired: [] };
  if (rules.length === 0) return outcome;
  const max = options.maxTickets ?? 10_000;
  for (const status of OPEN_STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await deps.tickets.list({ status, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const ticket of page.items) {
        if (outcome.checked >= max) return outcome;
        outcome.checked++;
        try {
          const facts = await factsFor(context, ticket, rules, undefined);
          // Cheap first pass without the fired keys; read them only for a ticket that matches.
          if (evaluateRules({ rules, trigger: 'time_based', facts }).matches.length === 0) continue;
          const evaluation = evaluateRules({
            rules,
            trigger: 'time_based',
            facts,
            firedBefore: await store.firedKeys(ticket.id),
          });
          if (evaluation.matches.length === 0) continue;
          await applyMatches(context, ticket, evaluation, 'time_based', `time#${ticket.id}`);
          outcome.fired.push({ ticketId: ticket.id, fired: evaluation.matches.map(firedOf) });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          context.log?.({ message: 'time-based rules skipped', ticketId: ticket.id, error: error.message });
        }
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return outcome;
}

/** `store` reading the rules once (for one stream batch); everything else goes through. */
export function withRulesListedOnce(store: WorkflowStore): WorkflowStore {
  let listed: ReturnType<WorkflowStore['listRules']> | undefined;
  return {
    listRules: () => {
      listed ??= store.listRules();
      return listed;
    },
    putRule: (...args) => store.putRule(...args),
    listMacros: () => store.listMacros(),
    getMacro: (id) => store.getMacro(id),
    putMacro: (...args) => store.putMacro(...args),
    firedKeys: (ticketId) => store.firedKeys(ticketId),
    addFiredKeys: (ticketId, keys) => store.addFiredKeys(ticketId, keys),
    claimRecord: (eventId) => store.claimRecord(eventId),
    releaseRecord: (eventId) => store.releaseRecord(eventId),
  };
}
