/**
 * Settings and hand-applied actions of workflow automation: workflow rules
 * (admins), macros (shared ones by admins, personal ones by their owner), and
 * applying a macro to a list of tickets (each ticket on its own: one change
 * with the macro's actions, notes and templated reply; one failure does not
 * stop the others). Saves are version-checked (If-Match) and record who
 * changed what and when.
 */
import { canChangeSettings, canSuperviseDesk, type Principal } from '../domain/agents/model.js';
import type { DroppedField } from '../domain/fields/values.js';
import { canUse, type Macro, type MacroPlan, parseMacro, planMacro } from '../domain/macros/model.js';
import type { Deps } from '../domain/ports.js';
import { parseRule, sortRules } from '../domain/rules/model.js';
import type { StoredMacro, StoredWorkflowRule, WorkflowStore } from '../domain/rules/ports.js';
import type { WebhookPolicy } from '../domain/rules/webhooks.js';
import {
  DomainError,
  Forbidden,
  NotFoundError,
  ValidationFailed,
  VersionConflict,
} from '../domain/shared/errors.js';
import { expectedVersionFor } from '../domain/shared/versions.js';
import {
  applyPatch,
  assertFreeStatus,
  recordAgentReply,
  type Ticket,
  type TimelineEntry,
} from '../domain/tickets/model.js';
import { agentActor, applyFieldRules, checkReferences, getTicket } from '../domain/tickets/use-cases.js';
import { deferredActionsEntry } from './deferred.js';

const MacroNotFound = (id: string) => new NotFoundError('Macro', id);

export async function listWorkflowRules(
  store: WorkflowStore,
  principal: Principal,
): Promise<StoredWorkflowRule[]> {
  if (!canSuperviseDesk(principal)) throw new Forbidden('Only supervisors and admins see workflow rules');
  const stored = await store.listRules();
  const order = sortRules(stored.map((s) => s.rule)).map((r) => r.id);
  return stored.sort((a, b) => order.indexOf(a.rule.id) - order.indexOf(b.rule.id));
}

/**
 * Creates or changes a workflow rule (admins), validated with the domain
 * schema; webhook URLs must pass `options.webhooks` (default: https to public hosts).
 */
export async function saveWorkflowRule(
  deps: Deps,
  store: WorkflowStore,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
  options: { webhooks?: WebhookPolicy } = {},
): Promise<StoredWorkflowRule> {
  if (!canChangeSettings(principal)) throw new Forbidden('Only admins change workflow rules');
  const existing = (await store.listRules()).find((r) => r.rule.id === id);
  const rule = parseRule(
    { ...(input as object), id, version: existing?.rule.version ?? 1 },
    options.webhooks ? { webhooks: options.webhooks } : {},
  );
  const expected = expectedVersionFor(expectedVersion, existing?.rule.version);
  const now = deps.clock.now();
  const version = await store.putRule(rule, expected, principal.email, now);
  return { rule: { ...rule, version }, updatedAt: now.toISOString(), updatedBy: principal.email };
}

/** The macros an agent may use: shared ones and their own personal ones, by name. */
export async function listMacros(store: WorkflowStore, principal: Principal): Promise<StoredMacro[]> {
  return (await store.listMacros())
    .filter((m) => canUse(m.macro, principal.agentId))
    .sort((a, b) => a.macro.name.localeCompare(b.macro.name) || a.macro.id.localeCompare(b.macro.id));
}

/**
 * Creates or changes a macro: shared macros by admins, personal ones by
 * their owner (a personal macro always belongs to whoever saves it first;
 * nobody else may change it). Webhook URLs must pass `options.webhooks`
 * (default: https to public hosts).
 */
export async function saveMacro(
  deps: Deps,
  store: WorkflowStore,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
  options: { webhooks?: WebhookPolicy } = {},
): Promise<StoredMacro> {
  const existing = await store.getMacro(id);
  const body = { ...(input as Record<string, unknown>) };
  if (body.scope === 'personal' && body.ownerId === undefined) {
    body.ownerId = existing?.macro.ownerId ?? principal.agentId;
  }
  const macro = parseMacro(
    { ...body, id, version: existing?.macro.version ?? 1 },
    options.webhooks ? { webhooks: options.webhooks } : {},
  );
  const owns = (m: Macro) => m.scope === 'personal' && m.ownerId === principal.agentId;
  if (macro.scope === 'shared' || existing?.macro.scope === 'shared') {
    if (!canChangeSettings(principal)) throw new Forbidden('Only admins change shared macros');
  }
  if (!owns(macro) && macro.scope === 'personal') {
    throw new Forbidden('A personal macro belongs to the agent who saves it');
  }
  if (existing && existing.macro.scope === 'personal' && !owns(existing.macro)) {
    throw new Forbidden('This personal macro belongs to another agent');
  }
  const expected = expectedVersionFor(expectedVersion, existing?.macro.version);
  const now = deps.clock.now();
  const version = await store.putMacro(macro, expected, principal.email, now);
  return { macro: { ...macro, version }, updatedAt: now.toISOString(), updatedBy: principal.email };
}

export interface MacroResult {
  ticketId: string;
  ok: boolean;
  error?: { code: string; message: string };
}

/** Tickets a macro is applied to at once. */
export const MAX_MACRO_TICKETS = 100;
const CONCURRENCY = 8;

/**
 * Applies a macro to each ticket independently (each visibility-checked, each
 * its own version-checked change, retried on concurrent changes). Answers one
 * result per ticket, in the order given; duplicates are applied once.
 */
export async function applyMacro(
  deps: Deps,
  store: WorkflowStore,
  principal: Principal,
  macroId: string,
  ticketIds: readonly string[],
  options: { deskName?: string | null } = {},
): Promise<MacroResult[]> {
  if (ticketIds.length === 0 || ticketIds.length > MAX_MACRO_TICKETS) {
    throw new ValidationFailed(`Apply a macro to 1 to ${MAX_MACRO_TICKETS} tickets`, { field: 'ticketIds' });
  }
  const stored = await store.getMacro(macroId);
  if (!stored || !canUse(stored.macro, principal.agentId)) throw MacroNotFound(macroId);
  const { macro } = stored;
  if (!macro.active)
    throw new ValidationFailed(`The macro "${macro.name}" is not active`, { field: 'macroId' });

  const unique = [...new Set(ticketIds)];
  const results = new Map<string, MacroResult>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const ticketId = unique[next++] as string;
      try {
        await applyMacroToTicket(deps, principal, macro, ticketId, options.deskName ?? null);
        results.set(ticketId, { ticketId, ok: true });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.set(ticketId, { ticketId, ok: false, error: { code: error.code, message: error.message } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  return unique.map((id) => results.get(id) as MacroResult);
}

/**
 * One ticket: the macro's planned patch, notes and rendered reply saved as
 * one change by the agent (one event entry, the notes, the reply, and a
 * `system` entry with its notifications and webhooks, which the events
 * handler sends: rules/deferred.ts). Throws
 * a domain error when the ticket is hidden, closed, or the change illegal.
 */
export async function applyMacroToTicket(
  deps: Deps,
  principal: Principal,
  macro: Macro,
  ticketId: string,
  deskName: string | null = null,
): Promise<Ticket> {
  const touchesFields = macro.actions.some((a) => a.type === 'set_field' || a.type === 'set_department');
  for (let attempt = 0; ; attempt++) {
    const current = await getTicket(deps, principal, ticketId);
    const plan = planMacro(macro, current, {
      agent: { id: principal.agentId, name: principal.name },
      desk: { name: deskName },
      // Field values are checked against the ticket's (new) department layout, like an agent's change.
      ...(touchesFields ? { fields: await deps.fields.setup() } : {}),
    });
    const [planError] = plan.errors;
    if (planError) {
      throw new ValidationFailed(`Macro "${macro.name}": ${planError.message}`, { field: planError.type });
    }
    if (plan.patch.status !== undefined && plan.patch.status !== current.status) assertFreeStatus(current);
    await checkReferences(deps, plan.patch, current);
    const fields = await applyFieldRules(deps, current, plan.patch);
    const built = buildMacroChange(
      deps,
      principal,
      current,
      { ...plan, patch: fields.patch },
      fields.dropped,
      macro,
    );
    if (!built) return current;
    try {
      await deps.tickets.update(built.ticket, current.version, built.entries, current.tags);
      return built.ticket;
    } catch (error) {
      if (error instanceof VersionConflict && attempt < 4) continue;
      throw error;
    }
  }
}

function buildMacroChange(
  deps: Deps,
  principal: Principal,
  current: Ticket,
  plan: MacroPlan,
  dropped: readonly DroppedField[],
  macro: Pick<Macro, 'id' | 'name'>,
): { ticket: Ticket; entries: TimelineEntry[] } | null {
  const now = deps.clock.now();
  const at = now.toISOString();
  const actor = agentActor(principal);
  const base = { ticketId: current.id, createdAt: at, author: actor };
  const patched = applyPatch(current, plan.patch, now);
  let ticket = patched.ticket;
  const entries: TimelineEntry[] = [];
  if (patched.changes.length > 0) {
    entries.push({
      id: deps.ids.newId(),
      ...base,
      kind: 'event',
      body: null,
      channel: null,
      changes: patched.changes,
      ...(dropped.length > 0 ? { droppedFields: [...dropped] } : {}),
    });
  }
  for (const note of plan.notes) {
    entries.push({ id: deps.ids.newId(), ...base, kind: 'note', body: note, channel: null, changes: [] });
  }
  if (plan.reply !== null) {
    const replied = recordAgentReply(ticket, now);
    ticket = replied.ticket;
    entries.push({
      id: deps.ids.newId(),
      ...base,
      kind: 'reply',
      body: plan.reply,
      channel: current.channel,
      changes: [],
    });
    if (replied.changes.length > 0) {
      entries.push({
        id: deps.ids.newId(),
        ...base,
        kind: 'event',
        body: null,
        channel: null,
        changes: replied.changes,
      });
    }
  }
  // Notifications and webhooks go out from the stream, once each (rules/deferred.ts).
  const deferred = deferredActionsEntry(deps, base, macro, plan);
  if (deferred) entries.push(deferred);
  if (entries.length === 0) return null;
  // One saved change, however many steps built it.
  return { ticket: { ...ticket, version: current.version + 1, updatedAt: at }, entries };
}
