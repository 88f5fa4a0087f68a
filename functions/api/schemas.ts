/**
 * Request and response schemas of the HTTP API: one zod schema each, used to
 * validate requests, to generate `GET /openapi.json`, and as the SPA's types.
 */
import { z } from 'zod';
import { AgentSchema, DepartmentSchema, TeamSchema } from '../domain/agents/model.js';
import { BlueprintDefinitionSchema } from '../domain/blueprints/definition.js';
import { BlueprintRunSchema } from '../domain/blueprints/runtime.js';
import { BusinessCalendarSchema } from '../domain/business-hours/calendar.js';
import { CustomerSchema } from '../domain/customers/model.js';
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
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });
export const UpdateTeamRequestSchema = z
  .object({
    name: text(100).optional(),
    active: z.boolean().optional(),
    assignment: TeamAssignmentSchema.optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });
export const RoutingRuleRequestSchema = DeskRoutingRuleSchema.omit({ id: true, version: true });
export const StoredRoutingRuleSchema = z.object({
  rule: DeskRoutingRuleSchema,
  updatedAt: z.string(),
  updatedBy: z.string(),
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
