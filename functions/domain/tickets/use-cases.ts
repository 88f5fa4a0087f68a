import { canSeeTicket, type Principal } from '../agents/model.js';
import { type Customer, type Identity, newCustomer, normaliseIdentity } from '../customers/model.js';
import { checkNewTicketFields, checkTicketFields, needsFieldCheck } from '../fields/ticket-fields.js';
import type { DroppedField, FieldError } from '../fields/values.js';
import {
  type Deps,
  type IdempotencyClaim,
  IdempotencyRace,
  IdentityTaken,
  type InboundClaim,
  type Page,
  type TicketQuery,
} from '../ports.js';
import { IdempotencyKeyReused, TicketNotFound, ValidationFailed, VersionConflict } from '../shared/errors.js';
import {
  type Actor,
  applyPatch,
  assertFreeStatus,
  type Change,
  type Channel,
  openTicket,
  type Priority,
  recordAgentReply,
  recordNote,
  type Ticket,
  type TicketPatch,
  type TicketStatus,
  type TimelineEntry,
} from './model.js';

export interface CreateTicketInput {
  subject: string;
  description: string;
  customer: { email?: string | null; phone?: string | null; name?: string | null };
  priority?: Priority;
  departmentId?: string | null;
  channel: Channel;
  /** Who created it: the customer themselves (web form, email) or an agent (phone, API). */
  createdBy: Actor | 'customer';
  idempotency?: Omit<IdempotencyClaim, 'resourceId'>;
  /** The customer the caller already found for `customer` (after merges): not looked up again. */
  knownCustomer?: Customer;
  /** Inbound mail: the message claim (a second delivery then fails with DuplicateMessage). */
  inbound?: InboundClaim;
  /** Id of the first timeline entry, when the caller needs it beforehand (attachments are stored under it). */
  entryId?: string;
  tags?: string[];
  /** Custom-field values (untrusted), checked against the department's layout. */
  customFields?: Record<string, unknown>;
  ccs?: string[];
  supportAddress?: string | null;
  followUpOf?: number | null;
  /** Mail parts of the first entry: sanitised HTML, attachments, mail facts. */
  entryExtras?: Pick<TimelineEntry, 'html' | 'attachments' | 'email'>;
}

export interface CreateTicketResult {
  ticket: Ticket;
  /** True when an earlier request with the same Idempotency-Key already created this ticket. */
  replayed: boolean;
}

/**
 * Creates a ticket for a requester, reusing the customer their email or phone
 * already belongs to (or creating one), with the description as the first
 * timeline entry. One transaction writes ticket, entry, customer, identities
 * and the idempotency claim; a retried request with the same key returns the
 * same ticket and writes nothing.
 */
export async function createTicket(deps: Deps, input: CreateTicketInput): Promise<CreateTicketResult> {
  if (input.idempotency) {
    const replay = await replayIdempotent(deps, input.idempotency);
    if (replay) return replay;
  }
  const identities = requesterIdentities(input.customer);
  if (identities.length === 0) {
    throw new ValidationFailed('A ticket needs the customer’s email or phone', { field: 'customer' });
  }
  const name = input.customer.name ?? null;
  const withFields = input.customFields !== undefined && Object.keys(input.customFields).length > 0;
  // Independent reads run together; the number is taken only once the input is known good.
  let [{ customer, isNew }, , fieldSetup] = await Promise.all([
    input.knownCustomer
      ? { customer: input.knownCustomer, isNew: false }
      : resolveCustomer(deps, identities, name, deps.clock.now()),
    input.departmentId ? requireActiveDepartment(deps, input.departmentId) : undefined,
    withFields ? deps.fields.setup() : undefined,
  ]);
  let customFields: Ticket['customFields'] = {};
  if (fieldSetup && input.customFields) {
    const checked = checkNewTicketFields(fieldSetup, input.departmentId ?? null, input.customFields);
    if (!checked.ok) throw invalidFields(checked.errors);
    customFields = checked.values;
  }
  const number = await deps.tickets.nextTicketNumber();
  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    if (attempt > 0) ({ customer, isNew } = await resolveCustomer(deps, identities, name, now));
    const ticket = openTicket({
      id: deps.ids.newId(),
      number,
      subject: input.subject,
      channel: input.channel,
      priority: input.priority ?? 'normal',
      departmentId: input.departmentId ?? null,
      ccs: input.ccs ?? [],
      supportAddress: input.supportAddress ?? null,
      followUpOf: input.followUpOf ?? null,
      customerId: customer.id,
      requester: {
        name: input.customer.name?.trim() || customer.name,
        email: identities.find((i) => i.type === 'email')?.value ?? null,
        phone: identities.find((i) => i.type === 'phone')?.value ?? null,
      },
      now,
    });
    if (input.tags?.length) ticket.tags = [...new Set(input.tags)].sort();
    ticket.customFields = { ...customFields };
    const author: Actor =
      input.createdBy === 'customer'
        ? { type: 'customer', id: customer.id, name: ticket.requester.name }
        : input.createdBy;
    const firstEntry: TimelineEntry = {
      id: input.entryId ?? deps.ids.newId(),
      ticketId: ticket.id,
      kind: 'customer',
      createdAt: ticket.createdAt,
      author,
      body: input.description,
      channel: input.channel,
      changes: [],
      ...input.entryExtras,
    };
    try {
      await deps.tickets.create({
        ticket,
        firstEntry,
        ...(isNew ? { newCustomer: customer } : {}),
        ...(input.idempotency ? { idempotency: { ...input.idempotency, resourceId: ticket.id } } : {}),
        ...(input.inbound ? { inbound: input.inbound } : {}),
      });
      return { ticket, replayed: false };
    } catch (error) {
      if (error instanceof IdempotencyRace && input.idempotency) {
        const replay = await replayIdempotent(deps, input.idempotency);
        if (replay) return replay;
      }
      // Someone created this customer a moment ago: go again, now finding them.
      if (error instanceof IdentityTaken && attempt < 2) continue;
      throw error;
    }
  }
}

async function replayIdempotent(
  deps: Deps,
  claim: Omit<IdempotencyClaim, 'resourceId'>,
): Promise<CreateTicketResult | null> {
  const record = await deps.idempotency.get(claim.scope, claim.key);
  if (!record) return null;
  if (record.fingerprint !== claim.fingerprint) {
    throw new IdempotencyKeyReused(
      'This Idempotency-Key was already used with a different request body; use a new key for a new request',
    );
  }
  const ticket = await deps.tickets.get(record.resourceId);
  if (!ticket) throw new TicketNotFound(record.resourceId);
  return { ticket, replayed: true };
}

function requesterIdentities(customer: CreateTicketInput['customer']): Identity[] {
  const identities: Identity[] = [];
  if (customer.email) identities.push(normaliseIdentity('email', customer.email));
  if (customer.phone) identities.push(normaliseIdentity('phone', customer.phone));
  return identities;
}

/**
 * Finds the customer owning the first known identity, else a new customer
 * with all of them. Identities the existing customer lacks are not attached
 * here (that would be a silent merge); agents merge customers explicitly.
 */
async function resolveCustomer(
  deps: Deps,
  identities: Identity[],
  name: string | null,
  now: Date,
): Promise<{ customer: Customer; isNew: boolean }> {
  for (const identity of identities) {
    const found = await deps.customers.findByIdentity(identity);
    if (found) return { customer: await followMerges(deps, found), isNew: false };
  }
  return { customer: newCustomer(deps.ids.newId(), name, identities, now), isNew: true };
}

/** The customer an email address belongs to (following merges), or null. */
export async function findCustomerByEmail(deps: Deps, email: string): Promise<Customer | null> {
  const found = await deps.customers.findByIdentity(normaliseIdentity('email', email));
  return found ? followMerges(deps, found) : null;
}

/**
 * Adds a message that arrived from outside (an email reply) to a ticket:
 * `build` gets the current ticket and returns the new one with its entries.
 * Retried on concurrent changes; the inbound claim makes a second delivery
 * of the same message fail with DuplicateMessage instead of writing twice.
 */
export async function appendInboundMessage(
  deps: Deps,
  ticketId: string,
  inbound: InboundClaim,
  build: (ticket: Ticket, now: Date) => { ticket: Ticket; entries: TimelineEntry[] },
): Promise<{ ticket: Ticket; entries: TimelineEntry[] }> {
  for (let attempt = 0; ; attempt++) {
    const current = await deps.tickets.get(ticketId);
    if (!current) throw new TicketNotFound(ticketId);
    const result = build(current, deps.clock.now());
    try {
      await deps.tickets.update(result.ticket, current.version, result.entries, current.tags, { inbound });
      return result;
    } catch (error) {
      if (error instanceof VersionConflict && attempt < 6) continue;
      throw error;
    }
  }
}

async function followMerges(deps: Deps, customer: Customer): Promise<Customer> {
  let current = customer;
  for (let hops = 0; current.mergedInto && hops < 10; hops++) {
    const next = await deps.customers.get(current.mergedInto);
    if (!next) break;
    current = next;
  }
  return current;
}

/** A ticket the principal may see; hidden and missing tickets look the same (404). */
export async function getTicket(deps: Deps, principal: Principal, id: string): Promise<Ticket> {
  const ticket = await deps.tickets.get(id);
  if (!ticket || !canSeeTicket(principal, ticket)) throw new TicketNotFound(id);
  return ticket;
}

export async function listTickets(
  deps: Deps,
  principal: Principal,
  query: Omit<TicketQuery, 'visibleTo'>,
): Promise<Page<Ticket>> {
  return deps.tickets.list({ ...query, visibleTo: principal });
}

/**
 * Changes status, priority, assignment, department, team, tags or custom
 * fields. Checks referenced agents/departments/teams exist, the status move
 * is allowed, custom fields follow the department layout (`applyFieldRules`:
 * a move drops what no longer applies, recorded on the event), and (with `expectedVersion`, from If-Match) that nobody changed
 * the ticket meanwhile. Every change lands as one `event` on the timeline.
 */
export async function updateTicket(
  deps: Deps,
  principal: Principal,
  id: string,
  patch: TicketPatch,
  expectedVersion?: number,
): Promise<Ticket> {
  const current = await getTicket(deps, principal, id);
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw new VersionConflict('Ticket', expectedVersion, current.version);
  }
  if (patch.status !== undefined && patch.status !== current.status) assertFreeStatus(current);
  await checkReferences(deps, patch, current);
  const fields = await applyFieldRules(deps, current, patch);
  const now = deps.clock.now();
  const { ticket, changes } = applyPatch(current, fields.patch, now);
  if (changes.length === 0) return current;
  const entry = eventEntry(deps, ticket, principal, changes, now, fields.dropped);
  await deps.tickets.update(ticket, current.version, [entry], current.tags);
  return ticket;
}

/** A ValidationFailed naming each bad custom field (`details: [{ field: 'customFields.<id>', message }]`). */
export function invalidFields(errors: readonly FieldError[]): ValidationFailed {
  const summary = errors.map((e) => e.message).join('; ');
  return new ValidationFailed(
    `Invalid custom fields: ${summary}`,
    errors.map((e) => ({ ...e })),
  );
}

/**
 * The custom-field rules of a change (see domain/fields/ticket-fields.ts):
 * values checked against the layout of the ticket's department after the
 * change and normalised, values a department move leaves behind cleared
 * (returned as `dropped`), required fields filled before solving or closing.
 * Reads the field setup only when the patch needs it. Throws ValidationFailed.
 */
export async function applyFieldRules(
  deps: Deps,
  current: Ticket,
  patch: TicketPatch,
): Promise<{ patch: TicketPatch; dropped: DroppedField[] }> {
  if (!needsFieldCheck(current, patch)) return { patch, dropped: [] };
  const result = checkTicketFields(await deps.fields.setup(), current, patch);
  if (!result.ok) throw invalidFields(result.errors);
  return { patch: result.patch, dropped: result.dropped };
}

export interface SystemChangeOptions {
  /** Apply only to this version of the ticket (VersionConflict otherwise, no retry). */
  expectedVersion?: number;
  /** Workflow rules: the cause recorded on the change's event entry (see rules/engine.ts). */
  ruleCause?: { ruleIds: string[]; depth: number };
}

/**
 * A change the desk makes by itself (an SLA escalation, a workflow rule): the
 * same checks as an agent's change, authored by `actor` on the timeline,
 * retried on concurrent changes.
 */
export async function applySystemChange(
  deps: Deps,
  ticketId: string,
  patch: TicketPatch,
  actor: Actor,
  options: SystemChangeOptions = {},
): Promise<Ticket> {
  const { expectedVersion, ruleCause } = options;
  for (let attempt = 0; ; attempt++) {
    const current = await deps.tickets.get(ticketId);
    if (!current) throw new TicketNotFound(ticketId);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new VersionConflict('Ticket', expectedVersion, current.version);
    }
    await checkReferences(deps, patch, current);
    const fields = await applyFieldRules(deps, current, patch);
    const now = deps.clock.now();
    const { ticket, changes } = applyPatch(current, fields.patch, now);
    if (changes.length === 0) return current;
    const entry: TimelineEntry = {
      id: deps.ids.newId(),
      ticketId,
      kind: 'event',
      createdAt: now.toISOString(),
      author: actor,
      body: null,
      channel: null,
      changes,
      ...(ruleCause ? { ruleCause } : {}),
      ...(fields.dropped.length > 0 ? { droppedFields: fields.dropped } : {}),
    };
    try {
      await deps.tickets.update(ticket, current.version, [entry], current.tags);
      return ticket;
    } catch (error) {
      if (error instanceof VersionConflict && expectedVersion === undefined && attempt < 5) continue;
      throw error;
    }
  }
}

/** Checks that the agents, department and team a patch names exist and fit together. */
export async function checkReferences(deps: Deps, patch: TicketPatch, current: Ticket): Promise<void> {
  if (patch.assigneeId) {
    const agent = await deps.directory.getAgent(patch.assigneeId);
    if (!agent?.active) {
      throw new ValidationFailed(`Agent ${patch.assigneeId} does not exist or is inactive`, {
        field: 'assigneeId',
      });
    }
  }
  if (patch.departmentId) await requireActiveDepartment(deps, patch.departmentId);
  if (patch.teamId) {
    const team = await deps.directory.getTeam(patch.teamId);
    if (!team?.active) {
      throw new ValidationFailed(`Team ${patch.teamId} does not exist`, { field: 'teamId' });
    }
    const departmentId = patch.departmentId !== undefined ? patch.departmentId : current.departmentId;
    if (departmentId && team.departmentId !== departmentId) {
      throw new ValidationFailed(`Team ${team.name} belongs to another department`, { field: 'teamId' });
    }
  }
}

async function requireActiveDepartment(deps: Deps, departmentId: string): Promise<void> {
  const department = await deps.directory.getDepartment(departmentId);
  if (!department) {
    throw new ValidationFailed(`Department ${departmentId} does not exist`, { field: 'departmentId' });
  }
  if (!department.active) {
    throw new ValidationFailed(`Department ${department.name} is disabled: it takes no new tickets`, {
      field: 'departmentId',
    });
  }
}

function eventEntry(
  deps: Deps,
  ticket: Ticket,
  principal: Principal,
  changes: Change[],
  now: Date,
  dropped: readonly DroppedField[] = [],
): TimelineEntry {
  return {
    id: deps.ids.newId(),
    ticketId: ticket.id,
    kind: 'event',
    createdAt: now.toISOString(),
    author: agentActor(principal),
    body: null,
    channel: null,
    changes,
    ...(dropped.length > 0 ? { droppedFields: [...dropped] } : {}),
  };
}

export function agentActor(principal: Principal): Actor {
  return { type: 'agent', id: principal.agentId, name: principal.name };
}

/**
 * Posts an agent's reply to the customer. Retries on a concurrent change
 * unless the caller pinned a version with If-Match.
 */
export async function addReply(
  deps: Deps,
  principal: Principal,
  id: string,
  input: { body: string; status?: TicketStatus },
  expectedVersion?: number,
): Promise<TimelineEntry> {
  const status = input.status;
  // Solving or closing with the reply: the layout's required fields must be filled.
  const fieldSetup = status === 'solved' || status === 'closed' ? await deps.fields.setup() : undefined;
  return appendMessage(deps, principal, id, expectedVersion, (ticket, now) => {
    if (status !== undefined && status !== ticket.status) assertFreeStatus(ticket);
    if (fieldSetup && status !== undefined) {
      const checked = checkTicketFields(fieldSetup, ticket, { status });
      if (!checked.ok) throw invalidFields(checked.errors);
    }
    const { ticket: next, changes } = recordAgentReply(ticket, now, input.status);
    const reply: TimelineEntry = {
      id: deps.ids.newId(),
      ticketId: ticket.id,
      kind: 'reply',
      createdAt: now.toISOString(),
      author: agentActor(principal),
      body: input.body,
      channel: ticket.channel,
      changes: [],
    };
    const entries = changes.length ? [reply, eventEntry(deps, next, principal, changes, now)] : [reply];
    return { ticket: next, entries, primary: reply };
  });
}

/** Adds an internal note, visible to agents only. */
export async function addNote(
  deps: Deps,
  principal: Principal,
  id: string,
  input: { body: string },
  expectedVersion?: number,
): Promise<TimelineEntry> {
  return appendMessage(deps, principal, id, expectedVersion, (ticket, now) => {
    const note: TimelineEntry = {
      id: deps.ids.newId(),
      ticketId: ticket.id,
      kind: 'note',
      createdAt: now.toISOString(),
      author: agentActor(principal),
      body: input.body,
      channel: null,
      changes: [],
    };
    return { ticket: recordNote(ticket, now), entries: [note], primary: note };
  });
}

async function appendMessage(
  deps: Deps,
  principal: Principal,
  id: string,
  expectedVersion: number | undefined,
  build: (ticket: Ticket, now: Date) => { ticket: Ticket; entries: TimelineEntry[]; primary: TimelineEntry },
): Promise<TimelineEntry> {
  for (let attempt = 0; ; attempt++) {
    const current = await getTicket(deps, principal, id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new VersionConflict('Ticket', expectedVersion, current.version);
    }
    const { ticket, entries, primary } = build(current, deps.clock.now());
    try {
      await deps.tickets.update(ticket, current.version, entries, current.tags);
      return primary;
    } catch (error) {
      if (error instanceof VersionConflict && expectedVersion === undefined && attempt < 4) continue;
      throw error;
    }
  }
}

export async function getTimeline(
  deps: Deps,
  principal: Principal,
  id: string,
  options: { limit: number; cursor?: string },
): Promise<Page<TimelineEntry>> {
  await getTicket(deps, principal, id);
  return deps.tickets.timeline(id, { ...options, includeNotes: true });
}
