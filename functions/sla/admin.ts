/**
 * SLA settings and views: admins edit business-hours calendars and SLA
 * policies (validated, versioned, audited with who and when); agents read the
 * at-risk / breached view and a ticket's SLA.
 */
import type {
  DynamoSlaRepository,
  VersionedCalendar,
  VersionedPolicy,
} from '../adapters/dynamodb/sla-repository.js';
import { canChangeSettings, canListTicket, type Principal } from '../domain/agents/model.js';
import { parseBusinessCalendar } from '../domain/business-hours/calendar.js';
import type { Deps } from '../domain/ports.js';
import { Forbidden, ValidationFailed } from '../domain/shared/errors.js';
import { expectedVersionFor } from '../domain/shared/versions.js';
import { parseSlaPolicy } from '../domain/sla/policy.js';
import type { SlaRecord } from '../domain/sla/record.js';
import type { Ticket } from '../domain/tickets/model.js';
import { getTicket } from '../domain/tickets/use-cases.js';
import { forgetSetup } from './engine.js';

type Store = Pick<
  DynamoSlaRepository,
  'get' | 'listPolicies' | 'listCalendars' | 'putPolicy' | 'putCalendar' | 'listRunning'
>;

function requireAdmin(principal: Principal): void {
  if (!canChangeSettings(principal))
    throw new Forbidden('Only admins change SLA policies and business hours');
}

export async function saveCalendar(
  deps: Deps,
  store: Store,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
): Promise<VersionedCalendar> {
  requireAdmin(principal);
  const calendar = parseBusinessCalendar({ ...(input as object), id });
  const existing = (await store.listCalendars()).find((c) => c.calendar.id === id);
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const now = deps.clock.now();
  const version = await store.putCalendar(calendar, expected, principal.email, now);
  forgetSetup();
  return { calendar, version, updatedAt: now.toISOString(), updatedBy: principal.email };
}

export async function savePolicy(
  deps: Deps,
  store: Store,
  principal: Principal,
  id: string,
  input: unknown,
  expectedVersion: number | null,
): Promise<VersionedPolicy> {
  requireAdmin(principal);
  const policy = parseSlaPolicy({ ...(input as object), id });
  if (policy.calendarId) {
    const calendars = await store.listCalendars();
    if (!calendars.some((c) => c.calendar.id === policy.calendarId)) {
      throw new ValidationFailed(`Business-hours calendar ${policy.calendarId} does not exist`, {
        field: 'calendarId',
      });
    }
  }
  const existing = (await store.listPolicies()).find((p) => p.policy.id === id);
  const expected = expectedVersionFor(expectedVersion, existing?.version);
  const now = deps.clock.now();
  const version = await store.putPolicy(policy, expected, principal.email, now);
  forgetSetup();
  return { policy, version, updatedAt: now.toISOString(), updatedBy: principal.email };
}

/** Tickets whose SLA clocks run, soonest due first (breached ones first of all), as far as the agent may see them. */
export async function listAtRisk(
  store: Store,
  principal: Principal,
  query: { limit: number; cursor?: string; dueBefore?: string },
): Promise<{ items: { ticket: Ticket; sla: SlaView }[]; nextCursor: string | null }> {
  const page = await store.listRunning(query);
  return {
    items: page.items
      .filter(({ ticket }) => canListTicket(principal, ticket))
      .map(({ ticket, sla }) => ({ ticket, sla: slaView(sla) })),
    nextCursor: page.nextCursor,
  };
}

/** What agents see of an SLA record: targets and due times, not the timers' bookkeeping. */
export type SlaView = Pick<
  SlaRecord,
  'ticketId' | 'ticketNumber' | 'applied' | 'nextDueAt' | 'ticketVersion'
>;

export function slaView(record: SlaRecord): SlaView {
  return {
    ticketId: record.ticketId,
    ticketNumber: record.ticketNumber,
    applied: record.applied,
    nextDueAt: record.nextDueAt,
    ticketVersion: record.ticketVersion,
  };
}

export async function getTicketSla(
  deps: Deps,
  store: Store,
  principal: Principal,
  ticketId: string,
): Promise<SlaView | null> {
  await getTicket(deps, principal, ticketId);
  const record = await store.get(ticketId);
  return record ? slaView(record) : null;
}
