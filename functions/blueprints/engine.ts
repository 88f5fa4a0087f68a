/**
 * Blueprints at run time: a ticket enters the first blueprint whose entry
 * criteria it meets (from the stream, on creation); agents move it with
 * transitions (`POST /tickets/{id}/transitions`), each checked (performer,
 * fields, note, current state), applied in one transaction with the ticket
 * (exactly one of two concurrent transitions wins) and answered to the
 * waiting state machine; the machine's task (`blueprintTask`) stores task
 * tokens and escalates overdue states. The run item is the truth; the state
 * machine (statemachines/blueprint.asl.json) only waits and re-checks.
 */
import type {
  BlueprintHead,
  DynamoBlueprintRepository,
  StoredRun,
} from '../adapters/dynamodb/blueprint-repository.js';
import type { MailRuntime } from '../composition/mail.js';
import type { Agent, Principal } from '../domain/agents/model.js';
import { canChangeSettings, canSeeTicket } from '../domain/agents/model.js';
import {
  type BlueprintDefinition,
  type BlueprintDraft,
  findEntryBlueprint,
  findState,
  publishVersion,
  transitionsFrom,
  validateBlueprint,
} from '../domain/blueprints/definition.js';
import {
  applyTransition,
  availableTransitions,
  type BlueprintRun,
  checkDeadline,
  type Performer,
  type PlannedNotification,
  startRun,
} from '../domain/blueprints/runtime.js';
import {
  acceptTaskToken,
  type BlueprintTaskRequest,
  type DeadlineTaskResult,
  deadlineTaskResult,
  type TransitionTaskOutput,
} from '../domain/blueprints/task-contract.js';
import type { BusinessCalendar } from '../domain/business-hours/calendar.js';
import type { Deps } from '../domain/ports.js';
import {
  Forbidden,
  NotFoundError,
  TicketNotFound,
  TransitionNotAllowed,
  VersionConflict,
} from '../domain/shared/errors.js';
import {
  applyPatch,
  type BlueprintSummary,
  type Ticket,
  type TimelineEntry,
} from '../domain/tickets/model.js';
import { canMoveStatus } from '../domain/tickets/status.js';
import { getTicket } from '../domain/tickets/use-cases.js';
import { AGENT_REPLY_HINT, sendNotification } from '../email/outbound.js';

/** Starts executions and answers task tokens: Step Functions on AWS, the local runner locally. */
export interface BlueprintMachine {
  start(input: { ticketId: string; blueprintId: string; version: number }): Promise<void>;
  sendTaskSuccess(taskToken: string, output: TransitionTaskOutput): Promise<void>;
}

export interface BlueprintContext {
  deps: Deps;
  store: Pick<
    DynamoBlueprintRepository,
    | 'publish'
    | 'listHeads'
    | 'getVersion'
    | 'listLatest'
    | 'getRun'
    | 'saveRun'
    | 'commit'
    | 'getMetrics'
    | 'addMetrics'
    | 'listActiveRuns'
  >;
  machine: BlueprintMachine | null;
  mail: MailRuntime | null;
  /** The calendar business-clock time limits are measured in. */
  calendar: () => Promise<BusinessCalendar>;
  log?: (event: Record<string, unknown>) => void;
}

const SYSTEM = { type: 'system' as const, id: 'blueprint', name: 'Blueprint' };

/** Who may perform one of the transitions out of the run's current state (nobody once complete). */
function actorsOf(def: BlueprintDefinition, run: BlueprintRun): BlueprintSummary['actors'] {
  const performers =
    run.completedAt === null ? transitionsFrom(def, run.stateId).map((t) => t.performers) : [];
  const union = (pick: (p: (typeof performers)[number]) => readonly string[] | undefined) =>
    [...new Set(performers.flatMap((p) => pick(p) ?? []))].sort();
  return {
    agentIds: union((p) => p.agentIds),
    teamIds: union((p) => p.teamIds),
    departmentIds: union((p) => p.departmentIds),
    roles: union((p) => p.roles),
  };
}

function summary(def: BlueprintDefinition, run: BlueprintRun): BlueprintSummary {
  return {
    blueprintId: def.id,
    version: def.version,
    name: def.name,
    stateId: run.stateId,
    stateName: findState(def, run.stateId)?.name ?? run.stateId,
    enteredAt: run.enteredAt,
    deadlineAt: run.deadlineAt,
    completed: run.completedAt !== null,
    actors: actorsOf(def, run),
  };
}

// ---------------------------------------------------------------------------
// Definitions

export async function publishBlueprint(
  context: BlueprintContext,
  principal: Principal,
  id: string,
  draft: unknown,
  /** The version the editor started from (If-Match): a newer published version refuses the publish. */
  expectedVersion?: number,
): Promise<BlueprintDefinition> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins publish blueprints');
  const heads = await context.store.listHeads();
  const head = heads.find((h) => h.id === id);
  if (expectedVersion !== undefined && expectedVersion !== (head?.latestVersion ?? 0)) {
    throw new VersionConflict('Blueprint', expectedVersion, head?.latestVersion);
  }
  const previous = head ? await context.store.getVersion(id, head.latestVersion) : null;
  const input = { ...(draft as object), id } as BlueprintDraft;
  const version = publishVersion(previous, input);
  const definition = validateBlueprint({ ...input, version });
  await context.store.publish(definition, principal.email, context.deps.clock.now());
  forgetDefinitions();
  return definition;
}

let cached: { at: number; defs: BlueprintDefinition[]; key: unknown } | undefined;
let generation = 0;

/**
 * Latest definitions, cached 30 s per process (entry checks run on every new
 * ticket): a published version reaches other processes within 30 s. A read
 * that started before a publish in this process is not cached.
 */
async function latestDefinitions(context: BlueprintContext): Promise<BlueprintDefinition[]> {
  if (cached && cached.key === context.store && Date.now() - cached.at < 30_000) return cached.defs;
  const started = generation;
  const defs = await context.store.listLatest();
  if (started === generation) cached = { at: Date.now(), defs, key: context.store };
  return defs;
}

export function forgetDefinitions(): void {
  cached = undefined;
  generation++;
}

export async function listBlueprints(context: BlueprintContext): Promise<BlueprintHead[]> {
  return (await context.store.listHeads()).sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------
// Entry

/** Enters a ticket into the first blueprint its entry criteria match (once; later calls change nothing). */
export async function enterBlueprint(
  context: BlueprintContext,
  ticketId: string,
): Promise<BlueprintRun | null> {
  const defs = await latestDefinitions(context);
  if (defs.length === 0) return null;
  for (let attempt = 0; ; attempt++) {
    const ticket = await context.deps.tickets.get(ticketId);
    if (!ticket || ticket.blueprint || ticket.status === 'closed' || ticket.status === 'solved') return null;
    const def = findEntryBlueprint(defs, ticket);
    if (!def) return null;
    const now = context.deps.clock.now();
    const run = startRun(def, now, await context.calendar());
    const start = findState(def, run.stateId);
    const statusPatch =
      start && start.status !== ticket.status && canMoveStatus(ticket.status, start.status)
        ? { status: start.status }
        : {};
    const { ticket: moved, changes } = applyPatch(ticket, statusPatch, now);
    const next: Ticket = {
      ...moved,
      blueprint: summary(def, run),
      version: ticket.version + 1,
      updatedAt: now.toISOString(),
    };
    const entries: TimelineEntry[] = [
      systemEntry(
        context,
        ticket.id,
        now,
        `Entered the blueprint "${def.name}" (version ${def.version}) in the state "${start?.name ?? run.stateId}".`,
      ),
      ...(changes.length
        ? [{ ...systemEntry(context, ticket.id, now, null), kind: 'event' as const, changes }]
        : []),
    ];
    try {
      await context.store.commit(
        next,
        ticket.version,
        { ticketId: ticket.id, run, startedAt: now.toISOString(), version: 1 },
        null,
        entries,
      );
    } catch (error) {
      if (error instanceof VersionConflict && attempt < 5) continue;
      if ((error as { name?: string }).name === 'Conflict') return null;
      throw error;
    }
    await context.machine?.start({ ticketId: ticket.id, blueprintId: def.id, version: def.version });
    return run;
  }
}

function systemEntry(
  context: BlueprintContext,
  ticketId: string,
  now: Date,
  body: string | null,
): TimelineEntry {
  return {
    id: context.deps.ids.newId(),
    ticketId,
    kind: 'system',
    createdAt: now.toISOString(),
    author: SYSTEM,
    body,
    channel: null,
    changes: [],
  };
}

// ---------------------------------------------------------------------------
// Transitions

async function performerOf(
  context: BlueprintContext,
  principal: Principal,
): Promise<{ performer: Performer; agent: Agent | null }> {
  const agent = await context.deps.directory.getAgent(principal.agentId);
  return {
    agent,
    performer: {
      agentId: principal.agentId,
      role: principal.role,
      teamIds: agent?.teamIds ?? [],
      departmentIds: agent?.departmentIds ?? [...principal.departmentIds],
    },
  };
}

async function loadRun(
  context: BlueprintContext,
  ticketId: string,
): Promise<{ stored: StoredRun; def: BlueprintDefinition }> {
  const stored = await context.store.getRun(ticketId);
  if (!stored) throw new TransitionNotAllowed('This ticket follows no blueprint');
  const def = await context.store.getVersion(stored.run.blueprintId, stored.run.version);
  if (!def) throw new NotFoundError('Blueprint', `${stored.run.blueprintId} version ${stored.run.version}`);
  return { stored, def };
}

/** The ticket's run with its definition and the transitions this agent may perform now. */
export async function ticketBlueprint(context: BlueprintContext, principal: Principal, ticketId: string) {
  const stored = await context.store.getRun(ticketId);
  if (!stored) {
    await getTicket(context.deps, principal, ticketId);
    return null;
  }
  const def = await context.store.getVersion(stored.run.blueprintId, stored.run.version);
  if (!def) return null;
  await visibleTicket(context, principal, ticketId, def, stored.run);
  const { performer } = await performerOf(context, principal);
  return {
    run: { ...stored.run, taskToken: null },
    startedAt: stored.startedAt,
    definition: def,
    available: availableTransitions(def, stored.run, performer).map((t) => t.id),
  };
}

/**
 * The ticket, if the agent may see it (`canSeeTicket`, which lets the current
 * state's actors in), judged on the summary of the run as it stands: a ticket
 * written before summaries named their actors is open to them as well.
 */
async function visibleTicket(
  context: BlueprintContext,
  principal: Principal,
  ticketId: string,
  def: BlueprintDefinition,
  run: BlueprintRun,
): Promise<Ticket> {
  const ticket = await context.deps.tickets.get(ticketId);
  if (!ticket || !canSeeTicket(principal, { ...ticket, blueprint: summary(def, run) })) {
    throw new TicketNotFound(ticketId);
  }
  return ticket;
}

export async function performTransition(
  context: BlueprintContext,
  principal: Principal,
  ticketId: string,
  input: {
    transition: string;
    fields?: Record<string, unknown>;
    note?: string | null;
    expectedStateId?: string;
  },
): Promise<{ ticket: Ticket; run: BlueprintRun }> {
  const { stored, def } = await loadRun(context, ticketId);
  const { performer } = await performerOf(context, principal);
  const ticket = await visibleTicket(context, principal, ticketId, def, stored.run);
  const now = context.deps.clock.now();
  const applied = applyTransition(
    def,
    stored.run,
    {
      transitionId: input.transition,
      performer,
      fields: input.fields ?? {},
      note: input.note ?? null,
      ...(input.expectedStateId ? { expectedStateId: input.expectedStateId } : {}),
    },
    now,
    await context.calendar(),
  );
  const patch = {
    ...(applied.ticketPatch.status !== ticket.status &&
    canMoveStatus(ticket.status, applied.ticketPatch.status)
      ? { status: applied.ticketPatch.status }
      : {}),
    ...(Object.keys(applied.ticketPatch.customFields).length
      ? { customFields: applied.ticketPatch.customFields }
      : {}),
    ...(applied.ticketPatch.priority ? { priority: applied.ticketPatch.priority } : {}),
  };
  const { ticket: changed, changes } = applyPatch(ticket, patch, now);
  const next: Ticket = {
    ...changed,
    blueprint: summary(def, applied.run),
    version: ticket.version + 1,
    updatedAt: now.toISOString(),
  };
  const from = findState(def, stored.run.stateId)?.name ?? stored.run.stateId;
  const to = findState(def, applied.run.stateId)?.name ?? applied.run.stateId;
  const author = { type: 'agent' as const, id: principal.agentId, name: principal.name };
  const entries: TimelineEntry[] = [
    {
      id: context.deps.ids.newId(),
      ticketId,
      kind: 'event',
      createdAt: now.toISOString(),
      author,
      body: `${applied.transition.name}: ${from} → ${to}${applied.completed ? ' (blueprint complete)' : ''}`,
      channel: null,
      changes,
    },
  ];
  if (applied.note) {
    entries.push({
      id: context.deps.ids.newId(),
      ticketId,
      kind: 'note',
      createdAt: now.toISOString(),
      author,
      body: applied.note,
      channel: null,
      changes: [],
    });
  }
  await context.store.commit(
    next,
    ticket.version,
    { ...stored, run: applied.run, version: stored.version + 1 },
    stored.version,
    entries,
  );
  const token = stored.run.taskToken;
  if (token && context.machine) {
    // The run is the truth: a token that expired meanwhile is caught up by the next deadline check.
    await context.machine
      .sendTaskSuccess(token, applied.output)
      .catch((error: unknown) =>
        context.log?.({ message: 'blueprint token not answered', ticketId, error: String(error) }),
      );
  }
  await notify(context, next, applied.actions, `${ticketId}#${stored.version}`);
  return { ticket: next, run: applied.run };
}

// ---------------------------------------------------------------------------
// The state machine's task

export async function blueprintTask(
  context: BlueprintContext,
  request: BlueprintTaskRequest,
): Promise<DeadlineTaskResult | Record<string, never>> {
  for (let attempt = 0; ; attempt++) {
    const stored = await context.store.getRun(request.ticketId);
    if (!stored) {
      return request.action === 'deadline'
        ? { stateId: '', completed: true, overdue: false, escalated: false, timeSliceSeconds: 1 }
        : {};
    }
    try {
      if (request.action === 'await') {
        const decision = acceptTaskToken(stored.run, request);
        if (decision.kind === 'store') {
          await context.store.saveRun(
            { ...stored, run: decision.run, version: stored.version + 1 },
            stored.version,
          );
        } else {
          await context.machine?.sendTaskSuccess(request.taskToken, decision.output);
        }
        return {};
      }
      const def = await context.store.getVersion(stored.run.blueprintId, stored.run.version);
      if (!def) throw new NotFoundError('Blueprint', stored.run.blueprintId);
      const check = checkDeadline(def, stored.run, context.deps.clock.now());
      if (check.escalation) {
        await context.store.saveRun(
          { ...stored, run: check.run, version: stored.version + 1 },
          stored.version,
        );
        const ticket = await context.deps.tickets.get(request.ticketId);
        if (ticket) {
          const state = findState(def, check.run.stateId);
          await context.deps.tickets.appendEntries([
            systemEntry(
              context,
              ticket.id,
              context.deps.clock.now(),
              `Overdue in the state "${state?.name ?? check.run.stateId}" of the blueprint "${def.name}" (time limit passed ${check.run.deadlineAt}).`,
            ),
          ]);
          await notify(
            context,
            ticket,
            [check.escalation],
            `${ticket.id}#overdue#${check.run.stateId}#${check.run.enteredAt}`,
          );
        }
      }
      return deadlineTaskResult(check);
    } catch (error) {
      if (error instanceof VersionConflict && attempt < 5) continue;
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------
// Notifications

async function notify(
  context: BlueprintContext,
  ticket: Ticket,
  actions: PlannedNotification[],
  key: string,
): Promise<void> {
  if (!context.mail || actions.length === 0) return;
  const agents = (await context.deps.directory.listAgents()).filter((a) => a.active);
  for (const [index, action] of actions.entries()) {
    const to = new Map<string, 'customer' | 'agent'>();
    for (const recipient of action.recipients) {
      if (recipient === 'customer') {
        if (ticket.requester.email) to.set(ticket.requester.email, 'customer');
      } else if (recipient === 'assignee') {
        const agent = agents.find((a) => a.id === ticket.assigneeId);
        if (agent) to.set(agent.email, 'agent');
      } else if (recipient === 'supervisor') {
        for (const a of agents.filter((x) => x.role === 'supervisor')) to.set(a.email, 'agent');
      } else if ('agentId' in recipient) {
        const agent = agents.find((a) => a.id === recipient.agentId);
        if (agent) to.set(agent.email, 'agent');
      } else if ('teamId' in recipient) {
        for (const a of agents.filter((x) => x.teamIds.includes(recipient.teamId))) to.set(a.email, 'agent');
      } else if ('departmentId' in recipient) {
        for (const a of agents.filter((x) => x.departmentIds.includes(recipient.departmentId)))
          to.set(a.email, 'agent');
      }
    }
    for (const [address, audience] of to) {
      await sendNotification({ deps: context.deps, ...context.mail }, ticket, {
        deliveryKey: `bp#${key}#${index}#${address}`,
        to: address,
        subject: `[#${ticket.number}] ${action.template.subject}`,
        text: audience === 'agent' ? `${action.template.body}\n\n${AGENT_REPLY_HINT}` : action.template.body,
        automatic: audience === 'agent' ? 'generated' : 'replied',
        audience,
      });
    }
  }
}

// ---------------------------------------------------------------------------
// Dashboard roll-ups (from the stream: old and new run item)

/** The counters one change of a run item moves (minutes and counts per state, per transition). */
export function runCounters(
  before: { run: BlueprintRun; startedAt: string } | undefined,
  after: { run: BlueprintRun; startedAt: string },
): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (name: string, value: number) => {
    out[name] = (out[name] ?? 0) + value;
  };
  if (!before) add('started', 1);
  // States left since the previous image: history entries newer than its last one (history is capped).
  const lastLeft = before?.run.history.at(-1)?.leftAt ?? '';
  for (const left of after.run.history.filter((h) => h.leftAt > lastLeft)) {
    const minutes = (Date.parse(left.leftAt) - Date.parse(left.enteredAt)) / 60_000;
    add(`stateMinutes:${left.stateId}`, minutes);
    add(`stateVisits:${left.stateId}`, 1);
    add(`transitions:${left.transitionId}`, 1);
    if (left.overdue) add(`violations:${left.stateId}`, 1);
  }
  const wasOverdue = before?.run.overdue === true && before.run.stateId === after.run.stateId;
  if (after.run.overdue && !wasOverdue) add('overdueNow', 1);
  if (before?.run.overdue && (!after.run.overdue || before.run.stateId !== after.run.stateId))
    add('overdueNow', -1);
  if (after.run.completedAt && !before?.run.completedAt) {
    add('completed', 1);
    add('completionMinutes', (Date.parse(after.run.completedAt) - Date.parse(after.startedAt)) / 60_000);
  }
  return out;
}

export async function dashboard(context: BlueprintContext, blueprintId: string) {
  const heads = await context.store.listHeads();
  const head = heads.find((h) => h.id === blueprintId);
  if (!head) throw new NotFoundError('Blueprint', blueprintId);
  const def = await context.store.getVersion(blueprintId, head.latestVersion);
  const m = await context.store.getMetrics(blueprintId);
  const per = (prefix: string) =>
    Object.fromEntries(
      Object.entries(m)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const visits = per('stateVisits:');
  const minutes = per('stateMinutes:');
  const completed = m.completed ?? 0;
  return {
    blueprint: { id: head.id, name: head.name, version: head.latestVersion, departmentId: head.departmentId },
    states: def?.states.map((s) => ({ id: s.id, name: s.name })) ?? [],
    transitions: def?.transitions.map((t) => ({ id: t.id, name: t.name })) ?? [],
    active: (m.started ?? 0) - completed,
    overdueNow: m.overdueNow ?? 0,
    completed,
    averageCompletionMinutes: completed ? (m.completionMinutes ?? 0) / completed : null,
    averageStateMinutes: Object.fromEntries(
      Object.entries(visits).map(([state, count]) => [state, count ? (minutes[state] ?? 0) / count : 0]),
    ),
    transitionCounts: per('transitions:'),
    violations: per('violations:'),
  };
}
