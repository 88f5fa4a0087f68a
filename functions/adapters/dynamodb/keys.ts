/**
 * Key builders for every item type in the single table. The whole key design
 * lives here; `docs/access-patterns.md` explains each pattern.
 */
import type { Identity } from '../../domain/customers/model.js';
import type { Ticket } from '../../domain/tickets/model.js';
import { listOrderKey } from '../../domain/tickets/status.js';

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
  /** A ticket's SLA record (applied SLA and its timers), next to the ticket. */
  sla: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'SLA' }),
  slaPolicy: (id: string) => ({ pk: 'ORG', sk: `SLAPOLICY#${id}` }),
  /** A published blueprint version (immutable) and the blueprint's head (latest version). */
  blueprintVersion: (id: string, version: number) => ({
    pk: 'ORG',
    sk: `BLUEPRINT#${id}#v${String(version).padStart(6, '0')}`,
  }),
  blueprintHead: (id: string) => ({ pk: 'ORG', sk: `BLUEPRINTHEAD#${id}` }),
  /** A ticket's blueprint run, next to the ticket. */
  blueprintRun: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'BLUEPRINT' }),
  blueprintMetrics: (id: string) => ({ pk: `METRIC#blueprint#${id}`, sk: 'ALL' }),
  calendar: (id: string) => ({ pk: 'ORG', sk: `CALENDAR#${id}` }),
  routingRule: (id: string) => ({ pk: 'ORG', sk: `ROUTINGRULE#${id}` }),
  workflowRule: (id: string) => ({ pk: 'ORG', sk: `WORKFLOWRULE#${id}` }),
  macro: (id: string) => ({ pk: 'ORG', sk: `MACRO#${id}` }),
  /** An agent's own items (personal views, personal canned responses) share one partition. */
  agentPartition: (agentId: string) => `AGENT#${agentId}`,
  /** A saved view: shared (`owner` null, in ORG) or personal (in its owner's partition). */
  view: (owner: string | null, id: string) => ({
    pk: owner === null ? 'ORG' : `AGENT#${owner}`,
    sk: `VIEW#${id}`,
  }),
  viewPrefix: 'VIEW#',
  /** A canned response: shared (`owner` null, in ORG) or personal (in its owner's partition). */
  canned: (owner: string | null, id: string) => ({
    pk: owner === null ? 'ORG' : `AGENT#${owner}`,
    sk: `CANNED#${id}`,
  }),
  cannedPrefix: 'CANNED#',
  /** A custom-field definition and a department's field layout. */
  fieldDefinition: (id: string) => ({ pk: 'ORG', sk: `FIELD#${id}` }),
  fieldLayout: (departmentId: string) => ({ pk: 'ORG', sk: `LAYOUT#${departmentId}` }),
  /** The workflow rules that fired for a ticket (their `firedKey`s), next to the ticket. */
  ruleState: (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'RULES' }),
  /** A team's round-robin cursor, apart from the team item so assignments never contend with settings. */
  teamRoundRobin: (teamId: string) => ({ pk: 'ORG', sk: `TEAMRR#${teamId}` }),
  /** An item of an agent's notification feed (the SPA's bell), newest last by `<ISO time>#<ulid>`. */
  agentNotification: (agentId: string, at: string, id: string) => ({
    pk: `AGENT#${agentId}`,
    sk: `NOTIF#${at}#${id}`,
  }),
  agentNotificationPrefix: 'NOTIF#',
  /** How far an agent has read their feed ("mark all read"). */
  agentNotificationState: (agentId: string) => ({ pk: `AGENT#${agentId}`, sk: 'NOTIFSTATE' }),
  /** An agent's open-ticket count, kept by the events handler. */
  agentLoad: (agentId: string) => ({ pk: `AGENTLOAD#${agentId}`, sk: 'AGENTLOAD' }),
  /** Marks a stream record as applied by one reaction (`load`, ...), so a redelivery changes nothing twice. */
  streamSeen: (reaction: string, eventId: string) => ({
    pk: `STREAMSEEN#${reaction}#${eventId}`,
    sk: 'STREAMSEEN',
  }),
  /** Inbound mail claim: one per message (Message-ID or raw hash) → ticket and entry. */
  inboundMessage: (messageKey: string) => ({ pk: `MSG#${messageKey}`, sk: 'MSG' }),
  /** Outlook conversation (Thread-Index root) → ticket. */
  threadRoot: (root: string) => ({ pk: `THREADIDX#${root}`, sk: 'THREADIDX' }),
  /** Outbound mail claim: one per mail the desk sends, so a redelivered stream record sends nothing twice. */
  delivery: (key: string) => ({ pk: `DELIVERY#${key}`, sk: 'DELIVERY' }),
  /** A message we sent, by the mail service's own id (SES rewrites Message-IDs) → ticket number. */
  sentMessage: (providerMessageId: string) => ({ pk: `SENTMSG#${providerMessageId}`, sk: 'SENTMSG' }),
  /** An address that bounced permanently or complained: the desk stops mailing it. */
  suppressedAddress: (address: string) => ({ pk: `SUPPRESS#${address}`, sk: 'SUPPRESS' }),
  /** The audit log: one partition, newest first by `<ISO time>#<ulid>`. */
  audit: 'AUDIT',
  auditEntry: (at: string, id: string) => ({ pk: 'AUDIT', sk: `${at}#${id}` }),
  /** A support address admins gave a department: unique, so an address belongs to one department. */
  departmentAddress: (address: string) => ({ pk: `SUPPORTADDR#${address}`, sk: 'SUPPORTADDR' }),
} as const;

/**
 * Index keys of a ticket item, one list pattern per index:
 * gsi1 department [+status], gsi2 every ticket [+status], gsi3 assignee
 * [+status] (`_none` = unassigned queue), gsi4 customer. The three list
 * indexes sort by the domain's list order (`listOrderKey`, read with
 * ScanIndexForward=false); "in one status" is a begins_with on
 * `statusOrderPrefix(status)`.
 */
export function ticketIndexKeys(ticket: Ticket): Record<string, string> {
  const sortKey = listOrderKey(ticket);
  return {
    gsi1pk: `TD#${ticket.departmentId ?? NONE}`,
    gsi1sk: sortKey,
    gsi2pk: 'TALL',
    gsi2sk: sortKey,
    gsi3pk: `TA#${ticket.assigneeId ?? NONE}`,
    gsi3sk: sortKey,
    gsi4pk: `TC#${ticket.customerId}`,
    gsi4sk: `${ticket.createdAt}#${ticket.id}`,
  };
}

/** Tag items index by tag on gsi4 (the customer index's key space never starts with `TG#`). */
export function tagIndexKeys(tag: string, ticket: Pick<Ticket, 'id' | 'createdAt'>): Record<string, string> {
  return { gsi4pk: `TG#${tag}`, gsi4sk: `${ticket.createdAt}#${ticket.id}` };
}
