import { z } from 'zod';
import { DeferredActionsSchema } from '../rules/automation-entry.js';
import { TransitionNotAllowed, ValidationFailed } from '../shared/errors.js';

import { allowedNextStatuses, CHANNELS, canMoveStatus, PRIORITIES, TICKET_STATUSES } from './status.js';

export { allowedNextStatuses, CHANNELS, PRIORITIES, TICKET_STATUSES } from './status.js';

export const TicketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatusSchema>;

export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** Throws TransitionNotAllowed unless `from → to` is a legal move (same status is a no-op, allowed). */
export function assertStatusMove(from: TicketStatus, to: TicketStatus): void {
  if (!canMoveStatus(from, to)) {
    const allowed = allowedNextStatuses(from);
    throw new TransitionNotAllowed(
      `A ${from} ticket cannot become ${to}${allowed.length ? `; it can become ${allowed.join(', ')}` : '; it is closed for good'}`,
      { from, to, allowed },
    );
  }
}

export const CustomFieldValueSchema = z.union([
  z.string().max(2000),
  z.number().finite(),
  z.boolean(),
  z.array(z.string().max(200)).max(50),
  z.null(),
]);
export type CustomFieldValue = z.infer<typeof CustomFieldValueSchema>;
export const CustomFieldsSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'field keys are lower_snake_case, up to 64 characters'),
    CustomFieldValueSchema,
  )
  .refine((v) => Object.keys(v).length <= 100, 'at most 100 custom fields');

/** Tags are case-insensitive words: letters, digits, `_`, `-`, `:` and `.`. */
export const TagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(/^[\p{L}\p{N}_\-:.]+$/u, 'tags are single words of letters, digits, _ - : .');
export const TagsSchema = z
  .array(TagSchema)
  .max(30, 'at most 30 tags')
  .transform((tags) => [...new Set(tags)].sort());

export const RequesterSchema = z.object({
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});

export const BlueprintSummarySchema = z.object({
  blueprintId: z.string(),
  version: z.number().int(),
  name: z.string(),
  stateId: z.string(),
  stateName: z.string(),
  /** Entered the current state (for "time left" displays). */
  enteredAt: z.string(),
  deadlineAt: z.string().nullable(),
  completed: z.boolean(),
  /**
   * Who may perform one of the current state's transitions (the union of
   * their performers; empty once completed). They may open the ticket while
   * it waits for them (`canSeeTicket`). Items written before this field: empty.
   */
  actors: z
    .object({
      agentIds: z.array(z.string()),
      teamIds: z.array(z.string()),
      departmentIds: z.array(z.string()),
      roles: z.array(z.string()),
    })
    .default({ agentIds: [], teamIds: [], departmentIds: [], roles: [] }),
});
export type BlueprintSummary = z.infer<typeof BlueprintSummarySchema>;

export const TicketSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  subject: z.string(),
  status: TicketStatusSchema,
  priority: PrioritySchema,
  channel: ChannelSchema,
  departmentId: z.string().nullable(),
  teamId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  customerId: z.string(),
  requester: RequesterSchema,
  tags: z.array(z.string()),
  customFields: z.record(z.string(), CustomFieldValueSchema),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  firstRespondedAt: z.string().nullable(),
  solvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  /** Messages from the customer and replies from agents: the "exchanges" of the brief. */
  messageCount: z.number().int(),
  /** Other people copied on the conversation (email CC), lower-cased addresses; they may write into it. */
  ccs: z.array(z.string()).default([]),
  /** The support address the conversation runs through (email tickets); replies go out from it. */
  supportAddress: z.string().nullable().default(null),
  /** The closed ticket this one follows up (a customer wrote again after it was closed). */
  followUpOf: z.number().int().nullable().default(null),
  /** The blueprint process the ticket follows, if any (the run itself is its own item). */
  blueprint: BlueprintSummarySchema.nullable().default(null),
});
export type Ticket = z.infer<typeof TicketSchema>;

/**
 * customer: a message from the customer; reply: an agent's public reply;
 * note: internal; event: a change of the ticket's properties; notification:
 * mail the desk sent on its own (acknowledgement, assignment, solved...);
 * system: something machines reported (a bounce, a dropped attachment...).
 */
export const TIMELINE_KINDS = ['customer', 'reply', 'note', 'event', 'notification', 'system'] as const;
export const TimelineKindSchema = z.enum(TIMELINE_KINDS);
export type TimelineKind = z.infer<typeof TimelineKindSchema>;

export const ActorSchema = z.object({
  type: z.enum(['customer', 'agent', 'system']),
  id: z.string(),
  name: z.string().nullable(),
});
export type Actor = z.infer<typeof ActorSchema>;

export const CHANGE_FIELDS = [
  'status',
  'priority',
  'assigneeId',
  'departmentId',
  'teamId',
  'tags',
  'customFields',
  'customerId',
] as const;
export const ChangeSchema = z.object({
  field: z.enum(CHANGE_FIELDS),
  from: z.unknown(),
  to: z.unknown(),
});
export type Change = z.infer<typeof ChangeSchema>;

export const AttachmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  /** Where the file is stored (the mail bucket); downloads go through short-lived signed links. */
  key: z.string(),
  /** An image shown inside the HTML body (cid:) rather than a file the customer attached. */
  inline: z.boolean().default(false),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** Mail facts of a timeline entry that arrived or left by email. */
export const EmailMetaSchema = z.object({
  direction: z.enum(['in', 'out']),
  messageId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  subject: z.string(),
  /** Inbound: which threading rule put the message on this ticket ('new-ticket' when it opened one). */
  threadedBy: z.string().nullable().default(null),
  /** Inbound: what the loop rules made of it: human, auto-reply, bulk, list, bounce. */
  automation: z.string().nullable().default(null),
  /** The raw original, downloadable on its own through a signed link. */
  rawKey: z.string().nullable().default(null),
  /** Quoted history removed from the body shown on the timeline. */
  quoteStripped: z.boolean().default(false),
  /** Remote images blocked in the HTML body. */
  blockedRemoteImages: z.number().int().default(0),
  /** Files not stored, with the reason (e.g. over the size limit). */
  dropped: z.array(z.object({ name: z.string(), size: z.number(), reason: z.string() })).default([]),
  /** SES verdicts (spam, virus, spf, dkim, dmarc) as received. */
  verdicts: z.record(z.string(), z.string()).default({}),
  /** Outbound: when the mail was handed to the mail service, or why it was not. */
  sentAt: z.string().nullable().default(null),
  failure: z.string().nullable().default(null),
});
export type EmailMeta = z.infer<typeof EmailMetaSchema>;

export const TimelineEntrySchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  kind: TimelineKindSchema,
  createdAt: z.string(),
  author: ActorSchema,
  /** Plain text body for messages, replies and notes; absent on events. */
  body: z.string().nullable(),
  channel: ChannelSchema.nullable(),
  /** For `event` entries: what changed, from what to what. */
  changes: z.array(ChangeSchema),
  /** Sanitised HTML body of an email message (scripts, handlers and remote content removed). */
  html: z.string().nullable().optional(),
  attachments: z.array(AttachmentSchema).optional(),
  email: EmailMetaSchema.optional(),
  /**
   * On `event` entries made by workflow rules: the rules of the chain so far
   * and its depth (see rules/engine.ts), so the change they cause does not
   * fire them again.
   */
  ruleCause: z.object({ ruleIds: z.array(z.string()), depth: z.number().int() }).optional(),
  /** On the `system` entry of a macro's change: notifications and webhooks the events handler sends. */
  automation: DeferredActionsSchema.optional(),
  /**
   * On `event` entries that moved the ticket to another department: the
   * custom-field values that did not carry over (not used there, or not
   * allowed there), with the reason; the `customFields` change holds them too.
   */
  droppedFields: z
    .array(z.object({ field: z.string(), value: CustomFieldValueSchema, reason: z.string() }))
    .optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const FIRST_TICKET_NUMBER = 1001;

export interface NewTicketFacts {
  id: string;
  number: number;
  subject: string;
  channel: Channel;
  priority: Priority;
  departmentId: string | null;
  customerId: string;
  requester: Ticket['requester'];
  now: Date;
  ccs?: string[];
  supportAddress?: string | null;
  followUpOf?: number | null;
}

/** A fresh ticket: status `new`, version 1, unassigned. */
export function openTicket(facts: NewTicketFacts): Ticket {
  const at = facts.now.toISOString();
  const subject = facts.subject.trim();
  if (!subject) throw new ValidationFailed('A ticket needs a subject', { field: 'subject' });
  return {
    id: facts.id,
    number: facts.number,
    subject,
    status: 'new',
    priority: facts.priority,
    channel: facts.channel,
    departmentId: facts.departmentId,
    teamId: null,
    assigneeId: null,
    customerId: facts.customerId,
    requester: facts.requester,
    tags: [],
    customFields: {},
    version: 1,
    createdAt: at,
    updatedAt: at,
    firstRespondedAt: null,
    solvedAt: null,
    closedAt: null,
    messageCount: 1,
    ccs: facts.ccs ?? [],
    supportAddress: facts.supportAddress ?? null,
    followUpOf: facts.followUpOf ?? null,
    blueprint: null,
  };
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: Priority;
  assigneeId?: string | null;
  departmentId?: string | null;
  teamId?: string | null;
  tags?: string[];
  customFields?: Record<string, CustomFieldValue>;
}

/**
 * Applies a patch to a ticket (pure). Returns the new ticket and the list of
 * changes, which becomes one `event` entry on the timeline. Custom fields are
 * merged key by key; a `null` value removes the field. Assigning a `new`
 * ticket opens it; solving stamps `solvedAt`, reopening clears it.
 */
export function applyPatch(
  ticket: Ticket,
  patch: TicketPatch,
  now: Date,
): { ticket: Ticket; changes: Change[] } {
  const next: Ticket = { ...ticket, customFields: { ...ticket.customFields }, tags: [...ticket.tags] };
  const changes: Change[] = [];
  const set = <K extends 'priority' | 'assigneeId' | 'departmentId' | 'teamId'>(
    field: K,
    value: Ticket[K],
  ) => {
    if (next[field] !== value) {
      changes.push({ field, from: next[field], to: value });
      next[field] = value;
    }
  };
  if (patch.priority !== undefined) set('priority', patch.priority);
  if (patch.departmentId !== undefined) set('departmentId', patch.departmentId);
  if (patch.teamId !== undefined) set('teamId', patch.teamId);
  if (patch.assigneeId !== undefined) set('assigneeId', patch.assigneeId);

  let status = patch.status;
  if (status === undefined && ticket.status === 'new' && patch.assigneeId) status = 'open';
  if (status !== undefined && status !== ticket.status) {
    assertStatusMove(ticket.status, status);
    changes.push({ field: 'status', from: ticket.status, to: status });
    next.status = status;
    if (status === 'solved') next.solvedAt = now.toISOString();
    if (status === 'closed') next.closedAt = now.toISOString();
    if (ticket.status === 'solved' && status === 'open') next.solvedAt = null;
  }
  if (patch.tags !== undefined) {
    const tags = [...new Set(patch.tags)].sort();
    if (tags.join('\u0000') !== next.tags.join('\u0000')) {
      changes.push({ field: 'tags', from: next.tags, to: tags });
      next.tags = tags;
    }
  }
  if (patch.customFields !== undefined) {
    const before = ticket.customFields;
    for (const [key, value] of Object.entries(patch.customFields)) {
      if (value === null) delete next.customFields[key];
      else next.customFields[key] = value;
    }
    if (JSON.stringify(sortKeys(before)) !== JSON.stringify(sortKeys(next.customFields))) {
      changes.push({ field: 'customFields', from: before, to: next.customFields });
    }
  }
  if (ticket.status === 'closed' && changes.length > 0) {
    throw new TransitionNotAllowed('A closed ticket cannot be changed; open a follow-up ticket instead');
  }
  if (changes.length > 0) {
    next.version = ticket.version + 1;
    next.updatedAt = now.toISOString();
  }
  return { ticket: next, changes };
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Records an agent's public reply: the first one stamps `firstRespondedAt`;
 * a reply moves a `new` ticket to `open` unless the agent picked a status.
 */
export function recordAgentReply(
  ticket: Ticket,
  now: Date,
  statusAfter?: TicketStatus,
): { ticket: Ticket; changes: Change[] } {
  if (ticket.status === 'closed') {
    throw new TransitionNotAllowed('A closed ticket cannot be replied to; open a follow-up ticket instead');
  }
  const target = statusAfter ?? (ticket.status === 'new' ? 'open' : undefined);
  const { ticket: moved, changes } = target
    ? applyPatch(ticket, { status: target }, now)
    : { ticket, changes: [] };
  const at = now.toISOString();
  return {
    ticket: {
      ...moved,
      firstRespondedAt: ticket.firstRespondedAt ?? at,
      messageCount: ticket.messageCount + 1,
      version: ticket.version + 1,
      updatedAt: at,
    },
    changes,
  };
}

/** An internal note changes nothing on the ticket but its version and `updatedAt`. */
export function recordNote(ticket: Ticket, now: Date): Ticket {
  return { ...ticket, version: ticket.version + 1, updatedAt: now.toISOString() };
}

/**
 * Records a new message from the customer on an existing ticket: a solved
 * ticket reopens and a pending one (waiting on the customer) opens again,
 * unless the message is automatic (an out-of-office reply must not reopen
 * anything). Closed tickets take no messages: callers open a follow-up.
 */
export function recordCustomerMessage(
  ticket: Ticket,
  now: Date,
  options: { automatic: boolean; ccs?: string[] },
): { ticket: Ticket; changes: Change[] } {
  if (ticket.status === 'closed') {
    throw new TransitionNotAllowed('A closed ticket takes no new messages; open a follow-up ticket instead');
  }
  const underBlueprint = ticket.blueprint !== null && !ticket.blueprint.completed;
  const reopen =
    !options.automatic && !underBlueprint && (ticket.status === 'solved' || ticket.status === 'pending');
  const { ticket: moved, changes } = reopen
    ? applyPatch(ticket, { status: 'open' }, now)
    : { ticket, changes: [] };
  return {
    ticket: {
      ...moved,
      ccs: options.ccs ?? moved.ccs,
      messageCount: ticket.messageCount + 1,
      version: ticket.version + 1,
      updatedAt: now.toISOString(),
    },
    changes,
  };
}

/** While a ticket follows a blueprint, its status moves only through the blueprint's transitions. */
export function assertFreeStatus(ticket: Pick<Ticket, 'blueprint'>): void {
  const bp = ticket.blueprint;
  if (bp && !bp.completed) {
    throw new TransitionNotAllowed(
      `This ticket follows the blueprint "${bp.name}" and is in the state "${bp.stateName}": its status changes only through the blueprint's transitions`,
    );
  }
}
