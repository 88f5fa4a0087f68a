/**
 * SLA at run time. Two entry points:
 *
 * - `reactToSlaTrigger` (the events handler, from the table's stream): keeps
 *   each ticket's SLA record in step with the ticket — policy matched on
 *   creation and re-matched when its fields change, clocks paused/resumed by
 *   status, targets met by replies and solving — and stops/starts the timers
 *   whose timing changed;
 * - `runTimerTick` (the SLA timer state machine's task): fires the escalation
 *   levels that are due (remind, alert, move to a higher tier, raise
 *   priority, add a note), records breaches on the timeline, and tells the
 *   timer when to wake next.
 *
 * The ticket item is the truth; SLA records and timers are derived and can
 * be rebuilt (`repairTimers`).
 */
import type { DynamoSlaRepository } from '../adapters/dynamodb/sla-repository.js';
import type { MailRuntime } from '../composition/mail.js';
import type { Agent } from '../domain/agents/model.js';
import type { Deps } from '../domain/ports.js';
import { VersionConflict } from '../domain/shared/errors.js';
import type { DueEscalation } from '../domain/sla/applied-sla.js';
import type { SlaTargetKind } from '../domain/sla/policy.js';
import {
  reconcileSla,
  type SlaEvent,
  type SlaRecord,
  type SlaSetup,
  type TickResult,
  tickTimer,
} from '../domain/sla/record.js';
import type { SlaTimerInput, SlaTimerScheduler } from '../domain/sla/timer-port.js';
import type { Actor, Ticket, TimelineEntry } from '../domain/tickets/model.js';
import { applySystemChange } from '../domain/tickets/use-cases.js';
import { AGENT_REPLY_HINT, type MailTrigger, sendNotification } from '../email/outbound.js';

export interface SlaContext {
  deps: Deps;
  store: Pick<
    DynamoSlaRepository,
    'get' | 'save' | 'delete' | 'listPolicies' | 'listCalendars' | 'listRunning'
  >;
  timers: SlaTimerScheduler | null;
  mail: MailRuntime | null;
  log?: (event: Record<string, unknown>) => void;
}

export const SLA_ACTOR: Actor = { type: 'system', id: 'sla', name: 'SLA' };

const TARGET_LABEL: Record<SlaTargetKind, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
};

const SETUP_TTL_MS = 30_000;
let cachedSetup: { at: number; setup: SlaSetup; key: unknown } | undefined;

/** Policies and calendars, cached briefly per process (they change rarely; edits show within 30 s). */
export async function loadSetup(context: SlaContext, fresh = false): Promise<SlaSetup> {
  const now = Date.now();
  if (!fresh && cachedSetup && cachedSetup.key === context.store && now - cachedSetup.at < SETUP_TTL_MS) {
    return cachedSetup.setup;
  }
  const [policies, calendars] = await Promise.all([
    context.store.listPolicies(),
    context.store.listCalendars(),
  ]);
  const setup: SlaSetup = {
    policies: policies.map((p) => p.policy),
    calendars: calendars.map((c) => c.calendar),
  };
  cachedSetup = { at: now, setup, key: context.store };
  return setup;
}

/** Forgets cached policies and calendars (after an admin saved one in this process). */
export function forgetSetup(): void {
  cachedSetup = undefined;
}

function slaEvent(trigger: MailTrigger, ticket: Ticket | null): SlaEvent | null {
  switch (trigger.type) {
    case 'ticket-created':
      return { type: 'ticket', before: null, after: trigger.ticket };
    case 'ticket-changed':
      return { type: 'ticket', before: trigger.before, after: trigger.after };
    case 'entry-added':
      if (!ticket) return null;
      if (trigger.entry.kind === 'reply') return { type: 'agent-reply', ticket };
      if (trigger.entry.kind === 'customer' && trigger.entry.email?.automation !== 'auto-reply') {
        return { type: 'customer-message', ticket };
      }
      return null;
  }
}

/**
 * When the change was written: clocks are paused, resumed and met as of then,
 * not when a lagging (or retried) stream batch delivers it. Never later than now.
 */
function happenedAt(context: SlaContext, trigger: MailTrigger): Date {
  const now = context.deps.clock.now();
  const written = Date.parse(
    trigger.type === 'ticket-created'
      ? trigger.ticket.createdAt
      : trigger.type === 'ticket-changed'
        ? trigger.after.updatedAt
        : trigger.entry.createdAt,
  );
  return Number.isNaN(written) || written > now.getTime() ? now : new Date(written);
}

export async function reactToSlaTrigger(context: SlaContext, trigger: MailTrigger): Promise<void> {
  if (trigger.type === 'entry-added' && trigger.entry.kind !== 'reply' && trigger.entry.kind !== 'customer')
    return;
  const setup = await loadSetup(context);
  if (setup.policies.length === 0) return;
  const ticket =
    trigger.type === 'entry-added' ? await context.deps.tickets.get(trigger.entry.ticketId) : null;
  const event = slaEvent(trigger, ticket);
  if (!event) return;
  const ticketId = event.type === 'ticket' ? event.after.id : event.ticket.id;
  for (let attempt = 0; ; attempt++) {
    const current = await context.store.get(ticketId);
    // A redelivered or out-of-order ticket image not newer than what the record has seen changes
    // nothing (every ticket write raises its version, so an equal version is the same image).
    if (current && event.type === 'ticket' && event.after.version <= current.ticketVersion) return;
    const { record, timers } = reconcileSla(current, setup, event, happenedAt(context, trigger));
    if (!record) {
      // No policy applies any more: the ticket has no SLA (off the at-risk view, no timers to repair).
      if (current) {
        try {
          await context.store.delete(ticketId, current.version);
        } catch (error) {
          if (error instanceof VersionConflict && attempt < 5) continue;
          throw error;
        }
      }
      for (const arn of timers.stop) await context.timers?.stop(arn);
      return;
    }
    for (const start of timers.start) {
      if (context.timers) record.executions[start.target] = context.timers.executionArn(start);
    }
    try {
      await context.store.save(record, current?.version ?? null);
    } catch (error) {
      if (error instanceof VersionConflict && attempt < 5) continue;
      throw error;
    }
    if (context.timers) {
      for (const arn of timers.stop) await context.timers.stop(arn);
      for (const start of timers.start) await context.timers.start(start);
    }
    return;
  }
}

/** The SLA timer task: one tick of one ticket's target timer. */
export async function runTimerTick(context: SlaContext, input: SlaTimerInput): Promise<TickResult> {
  const setup = await loadSetup(context);
  for (let attempt = 0; ; attempt++) {
    const current = await context.store.get(input.ticketId);
    const { record, fired, breached, result } = tickTimer(current, setup, input, context.deps.clock.now());
    if (record && current) {
      try {
        await context.store.save(record, current.version);
      } catch (error) {
        if (error instanceof VersionConflict && attempt < 5) continue;
        throw error;
      }
      // Saved first: a retried tick finds these levels fired and does not repeat them.
      await carryOut(context, input.ticketId, fired, breached);
    }
    context.log?.({ message: 'sla timer tick', ...input, ...result, fired: fired.length });
    return result;
  }
}

async function carryOut(
  context: SlaContext,
  ticketId: string,
  fired: DueEscalation[],
  breached: SlaTargetKind[],
): Promise<void> {
  const { deps } = context;
  const now = deps.clock.now();
  const entries: TimelineEntry[] = [];
  const system = (body: string): TimelineEntry => ({
    id: deps.ids.newId(),
    ticketId,
    kind: 'system',
    createdAt: now.toISOString(),
    author: SLA_ACTOR,
    body,
    channel: null,
    changes: [],
  });
  for (const kind of breached) entries.push(system(`SLA breached: ${TARGET_LABEL[kind]} target missed.`));
  if (entries.length > 0) await deps.tickets.appendEntries(entries);

  for (const level of fired) {
    const label = `${TARGET_LABEL[level.kind]} at ${level.atPercent}%`;
    for (const action of level.actions) {
      const ticket = await deps.tickets.get(ticketId);
      if (!ticket) return;
      try {
        switch (action.type) {
          case 'notify_assignee':
          case 'notify_supervisor':
          case 'notify_team': {
            const agents = await recipients(context, ticket, action);
            await notifyAgents(context, ticket, agents, level, action.type);
            await deps.tickets.appendEntries([
              system(
                `SLA ${label}: ${action.type === 'notify_assignee' ? 'reminded the assignee' : action.type === 'notify_supervisor' ? 'alerted the supervisor' : 'notified the team'}` +
                  (agents.length ? ` (${agents.map((a) => a.name).join(', ')})` : ' — nobody to notify'),
              ),
            ]);
            break;
          }
          case 'set_team': {
            const team = await deps.directory.getTeam(action.teamId);
            await applySystemChange(
              deps,
              ticketId,
              {
                teamId: action.teamId,
                ...(team && team.departmentId !== ticket.departmentId
                  ? { departmentId: team.departmentId }
                  : {}),
              },
              { ...SLA_ACTOR, name: `SLA (${label})` },
            );
            break;
          }
          case 'set_priority':
            await applySystemChange(
              deps,
              ticketId,
              { priority: action.priority },
              { ...SLA_ACTOR, name: `SLA (${label})` },
            );
            break;
          case 'add_note':
            await deps.tickets.appendEntries([{ ...system(action.body), kind: 'note' }]);
            break;
        }
      } catch (error) {
        context.log?.({
          message: 'sla escalation action failed',
          ticketId,
          action: action.type,
          error: String(error),
        });
        await deps.tickets.appendEntries([
          system(`SLA ${label}: could not ${action.type.replace('_', ' ')} (${String(error)})`),
        ]);
      }
    }
  }
}

async function recipients(
  context: SlaContext,
  ticket: Ticket,
  action: { type: 'notify_assignee' | 'notify_supervisor' | 'notify_team'; teamId?: string },
): Promise<Agent[]> {
  const { directory } = context.deps;
  if (action.type === 'notify_assignee') {
    const agent = ticket.assigneeId ? await directory.getAgent(ticket.assigneeId) : null;
    return agent?.active ? [agent] : [];
  }
  const agents = (await directory.listAgents()).filter((a) => a.active);
  if (action.type === 'notify_team') {
    const teamId = action.teamId ?? ticket.teamId;
    return teamId ? agents.filter((a) => a.teamIds.includes(teamId)) : [];
  }
  const supervisors = agents.filter((a) => a.role === 'supervisor');
  const ofDepartment = ticket.departmentId
    ? supervisors.filter((a) => a.departmentIds.includes(ticket.departmentId as string))
    : [];
  if (ofDepartment.length) return ofDepartment;
  if (supervisors.length) return supervisors;
  return agents.filter((a) => a.role === 'admin');
}

async function notifyAgents(
  context: SlaContext,
  ticket: Ticket,
  agents: Agent[],
  level: DueEscalation,
  kind: string,
): Promise<void> {
  if (!context.mail) return;
  const due = new Date(level.dueAt).toISOString().replace('T', ' ').slice(0, 16);
  for (const agent of agents) {
    await sendNotification({ deps: context.deps, ...context.mail }, ticket, {
      deliveryKey: `sla#${ticket.id}#${level.kind}#${level.level}#${kind}#${agent.id}#${level.dueAt}`,
      to: agent.email,
      subject:
        level.atPercent >= 100
          ? `[#${ticket.number}] SLA breached: ${TARGET_LABEL[level.kind]} — ${ticket.subject}`
          : `[#${ticket.number}] SLA reminder: ${TARGET_LABEL[level.kind]} at ${level.atPercent}% — ${ticket.subject}`,
      text: [
        `Hi ${agent.name},`,
        '',
        `Ticket #${ticket.number} "${ticket.subject}" has reached ${level.atPercent}% of its ${TARGET_LABEL[level.kind].toLowerCase()} target (${due} UTC).`,
        `Priority: ${ticket.priority}. Status: ${ticket.status}.`,
        '',
        AGENT_REPLY_HINT,
      ].join('\n'),
      automatic: 'generated',
      audience: 'agent',
    });
  }
}

/**
 * Rebuilds missing timers from the table: every SLA record with a running
 * target gets its current generation's timer started (names are
 * deterministic, so timers that run already are not doubled). The local
 * runtime calls it on start; on AWS it can run on a schedule.
 */
export async function repairTimers(context: SlaContext): Promise<number> {
  if (!context.timers) return 0;
  let started = 0;
  let cursor: string | undefined;
  do {
    const page = await context.store.listRunning({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const { sla } of page.items) started += await restartRecordTimers(context, sla);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return started;
}

async function restartRecordTimers(context: SlaContext, record: SlaRecord): Promise<number> {
  let started = 0;
  for (const [kind, generation] of Object.entries(record.generations) as [SlaTargetKind, number][]) {
    if (!record.timings[kind]) continue;
    await context.timers?.start({ ticketId: record.ticketId, target: kind, generation });
    started++;
  }
  return started;
}
