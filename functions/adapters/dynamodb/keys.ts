/**
 * Key builders for every item type in the single table. The whole key design
 * lives here; `docs/access-patterns.md` explains each pattern.
 */
import type { Identity } from '../../domain/customers/model.js';
import type { Ticket } from '../../domain/tickets/model.js';

/** Stands in for "no department" / "unassigned" in index keys. */
export const NONE = '_none';

export const keys = {
  ticket: (id: string) => ({ pk: `TICKET#${id}`, sk: 'TICKET' }),
  timelineEntry: (ticketId: string, entryId: string) => ({ pk: `TICKET#${ticketId}`, sk: `TL#${entryId}` }),
  timelinePrefix: 'TL#',
  ticketTag: (ticketId: string, tag: string) => ({ pk: `TICKET#${ticketId}`, sk: `TAG#${tag}` }),
  ticketNumber: (number: number) => ({ pk: `TICKETNO#${number}`, sk: 'TICKETNO' }),
  ticketCounter: () => ({ pk: 'COUNTER#ticket', sk: 'COUNTER' }),
  customer: (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'CUSTOMER' }),
  identity: (identity: Identity) => ({ pk: `IDENTITY#${identity.type}#${identity.value}`, sk: 'IDENTITY' }),
  agentEmail: (email: string) => ({ pk: `AGENTEMAIL#${email}`, sk: 'AGENTEMAIL' }),
  agentCredential: (id: string) => ({ pk: `AGENT#${id}`, sk: 'CREDENTIAL' }),
  /** Departments, teams and agents are listed from one small "organisation" partition. */
  org: 'ORG',
  department: (id: string) => ({ pk: 'ORG', sk: `DEPT#${id}` }),
  team: (id: string) => ({ pk: 'ORG', sk: `TEAM#${id}` }),
  agentInOrg: (id: string) => ({ pk: 'ORG', sk: `AGENT#${id}` }),
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'IDEMPOTENCY' }),
  rateWindow: (bucket: string, window: number) => ({ pk: `RATE#${bucket}#${window}`, sk: 'RATE' }),
  metric: (name: string, day: string) => ({ pk: `METRIC#${name}`, sk: day }),
} as const;

/** Sort key shared by the ticket list indexes: newest activity first with ScanIndexForward=false. */
function activity(ticket: Pick<Ticket, 'updatedAt' | 'id'>): string {
  return `${ticket.updatedAt}#${ticket.id}`;
}

/**
 * Index keys of a ticket item, one list pattern per index:
 * gsi1 department+status, gsi2 status, gsi3 assignee (sorted by status then
 * activity, so status is a begins_with), gsi4 customer, gsi5 department,
 * gsi6 every ticket.
 */
export function ticketIndexKeys(ticket: Ticket): Record<string, string> {
  const department = ticket.departmentId ?? NONE;
  return {
    gsi1pk: `TDS#${department}#${ticket.status}`,
    gsi1sk: activity(ticket),
    gsi2pk: `TS#${ticket.status}`,
    gsi2sk: activity(ticket),
    gsi3pk: `TA#${ticket.assigneeId ?? NONE}`,
    gsi3sk: `${ticket.status}#${activity(ticket)}`,
    gsi4pk: `TC#${ticket.customerId}`,
    gsi4sk: `${ticket.createdAt}#${ticket.id}`,
    gsi5pk: `TD#${department}`,
    gsi5sk: activity(ticket),
    gsi6pk: 'TALL',
    gsi6sk: activity(ticket),
  };
}

/** Tag items index by tag on gsi4 (the customer index's key space never starts with `TG#`). */
export function tagIndexKeys(tag: string, ticket: Pick<Ticket, 'id' | 'createdAt'>): Record<string, string> {
  return { gsi4pk: `TG#${tag}`, gsi4sk: `${ticket.createdAt}#${ticket.id}` };
}
