/**
 * The SPA's view of the API: types only, taken from the server's zod models
 * so the two cannot drift. Every import here is `import type` and is erased at
 * build time, so no server code ends up in the bundle.
 */

import type { z } from 'zod';
import type { BlueprintHead } from '../../../functions/adapters/dynamodb/blueprint-repository.js';
import type {
  VersionedCalendar,
  VersionedPolicy,
} from '../../../functions/adapters/dynamodb/sla-repository.js';
import type {
  CustomerWithTickets,
  Me,
  ReplyRequest,
  TimelineEntryViewSchema,
  TransitionRequestSchema,
  UpdateTicketRequest,
} from '../../../functions/api/schemas.js';
import type { dashboard, ticketBlueprint } from '../../../functions/blueprints/engine.js';
import type { Agent, Department, Role, Team } from '../../../functions/domain/agents/model.js';
import type {
  BlueprintDefinition,
  BlueprintDefinitionInput,
  BlueprintState,
  BlueprintTransition,
  EntryCondition,
  Performers,
  RequiredField,
  TimeLimit,
  TransitionAction,
} from '../../../functions/domain/blueprints/definition.js';
import type { BlueprintRun, RunHistoryEntry } from '../../../functions/domain/blueprints/runtime.js';
import type {
  BusinessCalendar,
  BusinessCalendarSchema,
  Holiday,
  OpeningInterval,
  Weekday,
} from '../../../functions/domain/business-hours/calendar.js';
import type { Customer, Identity } from '../../../functions/domain/customers/model.js';
import type { AppliedSlaTarget, SlaTargetStatus } from '../../../functions/domain/sla/applied-sla.js';
import type {
  EscalationAction,
  EscalationLevel,
  SlaConditions,
  SlaPolicy,
  SlaPolicyInput,
  SlaTargetKind,
  SlaTargetMinutes,
} from '../../../functions/domain/sla/policy.js';
import type {
  Attachment,
  BlueprintSummary,
  Change,
  Channel,
  EmailMeta,
  Priority,
  Ticket,
  TicketStatus,
  TimelineEntry,
  TimelineKind,
} from '../../../functions/domain/tickets/model.js';
import type { listAtRisk, SlaView as SlaRecord } from '../../../functions/sla/admin.js';
import type { OutboxMessage } from '../../../local/outbox.js';

export type {
  Agent,
  Attachment,
  BlueprintDefinition,
  BlueprintHead,
  BlueprintRun,
  BlueprintState,
  BlueprintSummary,
  BlueprintTransition,
  Change,
  Channel,
  Customer,
  Department,
  EmailMeta,
  EntryCondition,
  Identity,
  OutboxMessage,
  Performers,
  Priority,
  RequiredField,
  Role,
  RunHistoryEntry,
  Team,
  Ticket,
  TicketStatus,
  TimeLimit,
  TimelineEntry,
  TimelineKind,
  TransitionAction,
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Items<T> {
  items: T[];
}

/**
 * A timeline entry as `GET /tickets/{id}/timeline` returns it: mail parts carry
 * short-lived signed links (`attachments[].url`, `rawUrl`), and `html` is
 * already sanitised by the server's allow-list.
 */
export type TimelineEntryView = z.infer<typeof TimelineEntryViewSchema>;

/** `PATCH /tickets/{id}`: any subset of the request schema's fields. */
export type TicketPatch = UpdateTicketRequest;
export type {
  AppliedSlaTarget,
  BusinessCalendar,
  CustomerWithTickets,
  EscalationAction,
  EscalationLevel,
  Holiday,
  Me,
  OpeningInterval,
  ReplyRequest,
  SlaConditions,
  SlaPolicy,
  SlaRecord,
  SlaTargetKind,
  SlaTargetMinutes,
  SlaTargetStatus,
  VersionedCalendar,
  VersionedPolicy,
  Weekday,
};

/** `GET /tickets/{id}/sla`: null when no SLA policy applies to the ticket. */
export interface TicketSla {
  sla: SlaRecord | null;
}

/** `GET /sla/at-risk`: tickets with a running SLA clock, soonest due first. */
export type AtRiskResult = Awaited<ReturnType<typeof listAtRisk>>;
export type AtRiskItem = AtRiskResult['items'][number];

/** `PUT /sla/policies/{id}`: a policy as an admin writes it; the id is the path's. */
export type SlaPolicyBody = Omit<SlaPolicyInput, 'id'>;
/** `PUT /business-hours/{id}`: a calendar as an admin writes it; the id is the path's. */
export type BusinessCalendarBody = Omit<z.input<typeof BusinessCalendarSchema>, 'id'>;

/** `GET /blueprints/{id}`: the latest published version (ETag = its version). */
export interface BlueprintResult {
  definition: BlueprintDefinition;
  updatedAt: string;
  updatedBy: string;
}

/** `PUT /blueprints/{id}`: a definition as an admin writes it; the id is the path's, the version is assigned. */
export type BlueprintBody = Omit<BlueprintDefinitionInput, 'id' | 'version'>;

/** `GET /tickets/{id}/blueprint`: null when the ticket follows no blueprint. */
export interface TicketBlueprintResult {
  blueprint: Awaited<ReturnType<typeof ticketBlueprint>>;
}
export type TicketBlueprint = NonNullable<TicketBlueprintResult['blueprint']>;

/** `POST /tickets/{id}/transitions`; `expectedStateId` is the state the agent saw (409 if it moved on). */
export type TransitionRequest = z.input<typeof TransitionRequestSchema>;

/** `GET /blueprints/{id}/dashboard`: roll-ups of the blueprint's runs (minutes as fractions). */
export type BlueprintDashboard = Awaited<ReturnType<typeof dashboard>>;

export interface FieldError {
  field: string;
  message: string;
}

export type AuthConfig =
  | { mode: 'local' }
  | { mode: 'cognito'; region: string; userPoolId: string; userPoolClientId: string };

/** `/config.json`, written at deploy time (or by the local runtime). */
export interface RuntimeConfig {
  deskName: string;
  /** Base URL of the API; "" means the SPA's own origin. */
  apiUrl: string;
  auth: AuthConfig;
}

// --- Admin screens organising the desk: departments, fields, rules, teams and agents ---

export type AutoAcknowledgement = import('../../../functions/domain/agents/model.js').AutoAcknowledgement;
export type Availability = import('../../../functions/domain/routing/assignment.js').Availability;
export type TeamAssignment = import('../../../functions/domain/routing/assignment.js').TeamAssignment;
export type FieldType = import('../../../functions/domain/fields/model.js').FieldType;
/** `PUT /fields/{id}`: a field as an admin writes it; the id is the path's, the version is assigned. */
export type FieldBody = Omit<
  import('../../../functions/domain/fields/model.js').FieldDefinition,
  'id' | 'version'
>;
/** `PUT /departments/{id}/layout`. */
export interface LayoutBody {
  fields: { fieldId: string; required: boolean }[];
}
export type RuleTrigger = import('../../../functions/domain/rules/model.js').RuleTrigger;
export type WorkflowRule = import('../../../functions/domain/rules/model.js').Rule;
/** `PUT /workflow-rules/{id}`: a rule as an admin writes it; the id is the path's. */
export type WorkflowRuleBody = Omit<
  import('../../../functions/domain/rules/model.js').RuleInput,
  'id' | 'version'
>;
/** `GET /workflow-rules` item. */
export type StoredWorkflowRule = import('../../../functions/domain/rules/ports.js').StoredWorkflowRule;
export type RuleAction = import('../../../functions/domain/rules/actions.js').ActionInput;
export type NotifyTarget = import('../../../functions/domain/rules/actions.js').NotifyTarget;
export type RuleCondition = import('../../../functions/domain/rules/conditions.js').Condition;
export type ConditionGroup = import('../../../functions/domain/rules/conditions.js').ConditionGroup;
export type Operator = import('../../../functions/domain/rules/conditions.js').Operator;
export type FactType = import('../../../functions/domain/rules/conditions.js').FactType;
/** `GET /routing-rules` item. */
export type StoredRoutingRule = import('../../../functions/domain/routing/ports.js').StoredRoutingRule;
/** `PUT /routing-rules/{id}`: the id is the path's. */
export type RoutingRuleBody = Omit<
  import('../../../functions/domain/routing/desk-rules.js').DeskRoutingRule,
  'id' | 'version'
>;

// --- Organising the desk: custom fields, saved views, canned responses, macros, notifications ---

/** `GET /fields` items and `GET /layouts` items (a department's fields in order). */
export type FieldDefinition = import('../../../functions/domain/fields/model.js').FieldDefinition;
export type FieldLayout = import('../../../functions/domain/fields/model.js').Layout;
export type CustomFieldValue = import('../../../functions/domain/tickets/model.js').CustomFieldValue;

/** `GET /views` item: a saved view (built-in, shared or personal) with its ticket count. */
export type ViewFilters = import('../../../functions/domain/views/model.js').ViewFilters;
export type SavedViewItem = import('../../../functions/views/service.js').ViewWithCount;

/** `GET /canned-responses` item. */
export type CannedResponse = import('../../../functions/views/service.js').CannedItem;
/** `GET /macros` item and `POST /macros/{id}/apply` result per ticket. */
export type StoredMacro = import('../../../functions/domain/rules/ports.js').StoredMacro;
export type MacroResult = import('../../../functions/rules/admin.js').MacroResult;

/** `GET /me/notifications` item. */
export type DeskNotification = import('../../../functions/domain/agents/notifications.js').AgentNotification;
