/**
 * The SPA's view of the API: types only, taken from the server's zod models
 * so the two cannot drift. Every import here is `import type` and is erased at
 * build time, so no server code ends up in the bundle.
 */

import type { z } from 'zod';
import type {
  VersionedCalendar,
  VersionedPolicy,
} from '../../../functions/adapters/dynamodb/sla-repository.js';
import type {
  CustomerWithTickets,
  Me,
  ReplyRequest,
  TimelineEntryViewSchema,
  UpdateTicketRequest,
} from '../../../functions/api/schemas.js';
import type { Agent, Department, Role, Team } from '../../../functions/domain/agents/model.js';
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
import type { SlaRecord } from '../../../functions/domain/sla/record.js';
import type {
  Attachment,
  Change,
  Channel,
  EmailMeta,
  Priority,
  Ticket,
  TicketStatus,
  TimelineEntry,
  TimelineKind,
} from '../../../functions/domain/tickets/model.js';
import type { listAtRisk } from '../../../functions/sla/admin.js';
import type { OutboxMessage } from '../../../local/outbox.js';

export type {
  Agent,
  Attachment,
  Change,
  Channel,
  Customer,
  Department,
  EmailMeta,
  Identity,
  OutboxMessage,
  Priority,
  Role,
  Team,
  Ticket,
  TicketStatus,
  TimelineEntry,
  TimelineKind,
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
