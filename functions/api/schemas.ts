/**
 * Request and response schemas of the HTTP API: one zod schema each, used to
 * validate requests, to generate `GET /openapi.json`, and as the SPA's types.
 */
import { z } from 'zod';
import {
  AgentSchema,
  AutoAcknowledgementSchema,
  DepartmentSchema,
  RoleSchema,
  TeamSchema,
} from '../domain/agents/model.js';
import { AGENT_NOTIFICATION_KINDS } from '../domain/agents/notifications.js';
import { AuditEntrySchema } from '../domain/audit/model.js';
import { BlueprintDefinitionSchema } from '../domain/blueprints/definition.js';
import { BlueprintRunSchema } from '../domain/blueprints/runtime.js';
import { BusinessCalendarSchema } from '../domain/business-hours/calendar.js';
import { CustomerSchema } from '../domain/customers/model.js';
import { FieldDefinitionSchema, LayoutFieldSchema, LayoutSchema } from '../domain/fields/model.js';
import { CannedResponseSchema } from '../domain/macros/canned.js';
import { MacroSchema } from '../domain/macros/model.js';
import { AvailabilitySchema, SkillSchema, TeamAssignmentSchema } from '../domain/routing/assignment.js';
import { DeskRoutingRuleSchema } from '../domain/routing/desk-rules.js';
import { RuleSchema } from '../domain/rules/model.js';
import { SlaPolicySchema } from '../domain/sla/policy.js';
import { SlaRecordSchema } from '../domain/sla/record.js';
import {
  AttachmentSchema,
  ChannelSchema,
  CustomFieldsSchema,
  PrioritySchema,
  TagSchema,
  TagsSchema,
  TicketSchema,
  TicketStatusSchema,
  TimelineEntrySchema,
} from '../domain/tickets/model.js';
import { SavedViewSchema, VIEW_SORTS } from '../domain/views/model.js';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const SubjectSchema = text(250);
export const MessageBodySchema = text(64_000);

export const CreateTicketRequestSchema = z
  .object({
    subject: SubjectSchema,
    description: MessageBodySchema,
    customer: z
      .object({
        email: z.email('must be an email address').max(254).optional(),
        phone: z.string().trim().min(5).max(40).optional(),
        name: z.string().trim().max(200).optional(),
      })
      .strict()
      .refine((c) => c.email || c.phone, { message: 'needs an email or a phone number' }),
    priority: PrioritySchema.optional(),
    departmentId: id.optional(),
    channel: ChannelSchema.default('phone'),
    /** Values of the department layout's fields (checked like a change; required ones may wait). */
    customFields: CustomFieldsSchema.optional(),
  })
  .strict();

export const PublicTicketRequestSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    email: z.email('must be an email address').max(254),
    subject: SubjectSchema,
    description: MessageBodySchema,
    /** Honeypot: hidden in the form, left empty by people, filled in by bots. */
    website: z.string().max(500).optional(),
  })
  .strict();

export const PublicTicketResponseSchema = z.object({ number: z.number().int() });

export const UpdateTicketRequestSchema = z
  .object({
    status: TicketStatusSchema.optional(),
    priority: PrioritySchema.optional(),
    assigneeId: id.nullable().optional(),
    departmentId: id.nullable().optional(),
    teamId: id.nullable().optional(),
    tags: TagsSchema.optional(),
    customFields: CustomFieldsSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one field to change' });

export const ReplyRequestSchema = z
  .object({ body: MessageBodySchema, status: TicketStatusSchema.optional() })
  .strict();
export const NoteRequestSchema = z.object({ body: MessageBodySchema }).strict();

const limit = z.coerce.number().int().min(1).max(100).default(25);
const cursor = z.string().max(2048).optional();

export const ListTicketsQuerySchema = z
  .object({
    status: TicketStatusSchema.optional(),
    departmentId: id.optional(),
    assigneeId: id.optional(),
    customerId: id.optional(),
    tag: TagSchema.optional(),
    priority: PrioritySchema.optional(),
    limit,
    cursor,
  })
  .strict();

export const PageQuerySchema = z.object({ limit, cursor }).strict();
/** A desk setting's body (policy, calendar, rule, macro, blueprint): validated by its domain schema after. */
export const SettingBodySchema = z.record(z.string(), z.unknown());
export const TransitionRequestSchema = z
  .object({
    transition: z.string().min(1).max(100),
    fields: z.record(z.string(), z.unknown()).optional(),
    note: z.string().max(10_000).nullable().optional(),
    /** The state the agent saw: refused if the ticket moved on meanwhile. */
    expectedStateId: z.string().min(1).max(100).optional(),
  })
  .strict();
export const AtRiskQuerySchema = z
  .object({ limit, cursor, dueBefore: z.iso.datetime({ offset: true }).optional() })
  .strict();
export const CustomerLookupQuerySchema = z.object({ email: z.email('must be an email address') }).strict();
export const MergeCustomerRequestSchema = z.object({ otherCustomerId: id }).strict();
export const CreateDepartmentRequestSchema = z.object({ id: id.optional(), name: text(100) }).strict();

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const TicketPageSchema = page(TicketSchema);
/** A timeline entry as the API returns it: mail parts carry short-lived signed download links. */
export const TimelineEntryViewSchema = TimelineEntrySchema.extend({
  attachments: z.array(AttachmentSchema.extend({ url: z.string().optional() })).optional(),
  rawUrl: z.string().optional(),
});
export const TimelinePageSchema = page(TimelineEntryViewSchema);
export const CustomerWithTicketsSchema = z.object({ customer: CustomerSchema, tickets: TicketPageSchema });
export const CustomerListSchema = z.object({ items: z.array(CustomerSchema) });
export const MergeResultSchema = z.object({ customer: CustomerSchema, ticketsMoved: z.number().int() });
export const HealthSchema = z.object({ status: z.literal('ok') });
export const MeSchema = z.object({ agent: AgentSchema });

/** `GET /me/notifications?limit=` (1–50, default 20). */
export const NotificationsQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(50).optional() })
  .strict();
export const AgentNotificationSchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.enum(AGENT_NOTIFICATION_KINDS),
  ticketId: z.string(),
  ticketNumber: z.number().int(),
  subject: z.string(),
  text: z.string(),
  read: z.boolean(),
});
export const AgentNotificationFeedSchema = z.object({
  items: z.array(AgentNotificationSchema),
  /** Unread items of the last 30 days, counted up to 100. */
  unread: z.number().int(),
});
/** `POST /me/notifications/read`: the named items, or all of them when `ids` is absent. */
export const MarkNotificationsReadRequestSchema = z
  .object({
    ids: z
      .array(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a notification id'))
      .min(1)
      .max(100)
      .optional(),
  })
  .strict();
export const MarkNotificationsReadResponseSchema = z.object({ unread: z.number().int() });

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export { AgentSchema, CustomerSchema, DepartmentSchema, TeamSchema, TicketSchema, TimelineEntrySchema };

export type CreateTicketRequest = z.input<typeof CreateTicketRequestSchema>;
export type PublicTicketRequest = z.input<typeof PublicTicketRequestSchema>;
export type UpdateTicketRequest = z.input<typeof UpdateTicketRequestSchema>;
export type ReplyRequest = z.input<typeof ReplyRequestSchema>;
export type CustomerWithTickets = z.infer<typeof CustomerWithTicketsSchema>;
export type Me = z.infer<typeof MeSchema>;

/** A ticket's SLA as agents see it (without the timers' bookkeeping). */
export const SlaViewSchema = SlaRecordSchema.pick({
  ticketId: true,
  ticketNumber: true,
  applied: true,
  nextDueAt: true,
});
export const TicketSlaResponseSchema = z.object({ sla: SlaViewSchema.nullable() });
export const AtRiskPageSchema = z.object({
  items: z.array(z.object({ ticket: TicketSchema, sla: SlaViewSchema })),
  nextCursor: z.string().nullable(),
});
const audited = { version: z.number().int(), updatedAt: z.string(), updatedBy: z.string() };
export const VersionedPolicySchema = z.object({ policy: SlaPolicySchema, ...audited });
export const VersionedCalendarSchema = z.object({ calendar: BusinessCalendarSchema, ...audited });
export const BlueprintHeadSchema = z.object({
  id: z.string(),
  name: z.string(),
  departmentId: z.string(),
  latestVersion: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const BlueprintDashboardSchema = z.object({
  blueprint: z.object({
    id: z.string(),
    name: z.string(),
    version: z.number().int(),
    departmentId: z.string(),
  }),
  states: z.array(z.object({ id: z.string(), name: z.string() })),
  transitions: z.array(z.object({ id: z.string(), name: z.string() })),
  active: z.number(),
  overdueNow: z.number(),
  completed: z.number(),
  averageCompletionMinutes: z.number().nullable(),
  averageStateMinutes: z.record(z.string(), z.number()),
  transitionCounts: z.record(z.string(), z.number()),
  violations: z.record(z.string(), z.number()),
});
export const TicketBlueprintSchema = z.object({
  blueprint: z
    .object({
      run: BlueprintRunSchema,
      startedAt: z.string(),
      definition: BlueprintDefinitionSchema,
      available: z.array(z.string()),
    })
    .nullable(),
});
export { BlueprintDefinitionSchema, BlueprintRunSchema, BusinessCalendarSchema, SlaPolicySchema };

/** Routing and assignment settings. */
export const AvailabilityRequestSchema = z.object({ availability: AvailabilitySchema }).strict();
export const UpdateAgentRequestSchema = z
  .object({
    capacity: z.number().int().min(0).max(1000).optional(),
    skills: z.array(SkillSchema).max(50).optional(),
    teamIds: z.array(id).max(50).optional(),
    departmentIds: z.array(id).max(50).optional(),
    name: text(200).optional(),
    role: RoleSchema.optional(),
    /** False disables the agent: no sign-in, no API (their tickets stay). */
    active: z.boolean().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });
export const UpdateTeamRequestSchema = z
  .object({
    name: text(100).optional(),
    active: z.boolean().optional(),
    departmentId: id.optional(),
    assignment: TeamAssignmentSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });

/** Desk management by admins: departments, teams, agents, and the audit log of changes. */
export const UpdateDepartmentRequestSchema = z
  .object({
    name: text(100).optional(),
    /** False disables the department: no new tickets go into it; its tickets stay. */
    active: z.boolean().optional(),
    /** Null: back to the desk's default acknowledgement. */
    autoAcknowledgement: AutoAcknowledgementSchema.nullable().optional(),
    /** The department's own support addresses, on the desk's mail domains; the whole list. */
    supportAddresses: z.array(z.email('must be an email address').max(254)).max(20).optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });
export const CreateTeamRequestSchema = z
  .object({ id: id.optional(), name: text(100), departmentId: id })
  .strict();
export const TeamWithMembersSchema = TeamSchema.extend({
  members: z.array(z.object({ id: z.string(), name: z.string() })),
});
export const CreateAgentRequestSchema = z
  .object({
    email: z.email('must be an email address').max(254),
    name: text(200),
    role: RoleSchema,
    departmentIds: z.array(id).max(50),
    teamIds: z.array(id).max(50).default([]),
    capacity: z.number().int().min(0).max(1000).optional(),
    skills: z.array(SkillSchema).max(50).optional(),
    /** Local runtime only (its sign-in); on AWS Cognito mails a temporary password instead. */
    password: z.string().min(4, 'at least 4 characters').max(200).optional(),
  })
  .strict();
export const AuditQuerySchema = z.object({ limit, cursor }).strict();
export const AuditPageSchema = page(AuditEntrySchema);
export { AuditEntrySchema };
export const RoutingRuleRequestSchema = DeskRoutingRuleSchema.omit({ id: true, version: true });
export const StoredRoutingRuleSchema = z.object({
  rule: DeskRoutingRuleSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/** Custom fields and department layouts (the definition schema is refined, so the request is built from its shape). */
const FieldShape = FieldDefinitionSchema.shape;

export { FieldDefinitionSchema, LayoutSchema };
/** A field as sent to `PUT /fields/{id}`: the id comes from the path, the version from If-Match. */
export const FieldDefinitionRequestSchema = z.object({
  label: FieldShape.label,
  type: FieldShape.type,
  options: FieldShape.options,
  optionsByDepartment: FieldShape.optionsByDepartment,
  min: FieldShape.min,
  max: FieldShape.max,
  maxLength: FieldShape.maxLength,
  active: FieldShape.active,
});
/** `PUT /departments/{id}/layout`: the department's fields in display order. */
export const LayoutRequestSchema = z.object({ fields: z.array(LayoutFieldSchema).max(100) });
/** `GET /departments/{id}/layout`: version 0 (and no fields) when the department has no layout yet. */
export const LayoutViewSchema = z.object({
  departmentId: z.string(),
  fields: z.array(LayoutFieldSchema),
  version: z.number().int().min(0),
});

/** Workflow rules and macros (the domain schemas are refined, so requests are built from their shapes). */
const RuleShape = RuleSchema.shape;
const MacroShape = MacroSchema.shape;
export const StoredWorkflowRuleSchema = z.object({
  rule: RuleSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
});
/** A rule as sent to `PUT /workflow-rules/{id}`: the id comes from the path, the version from If-Match. */
export const WorkflowRuleRequestSchema = z.object({
  name: RuleShape.name,
  active: RuleShape.active,
  position: RuleShape.position,
  trigger: RuleShape.trigger,
  conditions: RuleShape.conditions,
  actions: RuleShape.actions,
});
export const TimeBasedRunSchema = z.object({
  checked: z.number().int(),
  fired: z.array(
    z.object({
      ticketId: z.string(),
      fired: z.array(z.object({ ruleId: z.string(), ruleName: z.string() })),
    }),
  ),
});
export const StoredMacroSchema = z.object({
  macro: MacroSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const MacroRequestSchema = z.object({
  name: MacroShape.name,
  scope: MacroShape.scope,
  ownerId: MacroShape.ownerId,
  actions: MacroShape.actions,
  reply: MacroShape.reply,
  active: MacroShape.active,
});
export const ApplyMacroRequestSchema = z
  .object({
    ticketIds: z.array(id).min(1, 'name at least one ticket').max(100, 'at most 100 tickets at once'),
  })
  .strict();
export const ApplyMacroResponseSchema = z.object({
  results: z.array(
    z.object({
      ticketId: z.string(),
      ok: z.boolean(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

/** Saved views (the domain schemas are refined, so requests are built from their shapes). */
const ViewShape = SavedViewSchema.shape;
/** The `{id}` of a view or canned response being saved. */
export const ItemIdParamsSchema = z.object({ id });
/** A view as sent to `PUT /views/{id}`: the id comes from the path, the owner is the caller, the version from If-Match. */
export const ViewRequestSchema = z.object({
  name: ViewShape.name,
  scope: ViewShape.scope,
  filters: ViewShape.filters,
  sort: ViewShape.sort,
});
export const ViewItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: ViewShape.scope,
  ownerId: z.string().optional(),
  filters: ViewShape.filters,
  sort: z.enum(VIEW_SORTS),
  /** The desk's built-in views (my open tickets, unassigned, spam) cannot be changed and have no version. */
  builtIn: z.boolean(),
  version: z.number().int().optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export const ViewListSchema = z.object({
  items: z.array(
    ViewItemSchema.extend({
      /** Tickets the caller sees in the view; a lower bound ("1,000+") when `countIsEstimate`. */
      count: z.number().int(),
      countIsEstimate: z.boolean(),
    }),
  ),
});

/** Canned responses. */
const CannedShape = CannedResponseSchema.shape;
export const CannedRequestSchema = z.object({
  title: CannedShape.title,
  body: CannedShape.body,
  tags: CannedShape.tags,
  scope: CannedShape.scope,
});
export const CannedItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  scope: CannedShape.scope,
  ownerId: z.string().optional(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const CannedListQuerySchema = z
  .object({
    /** Words to find in the title, tags or body; results are ranked. */
    q: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export const RenderCannedRequestSchema = z.object({ ticketId: id }).strict();
export const RenderCannedResponseSchema = z.object({ body: z.string() });
