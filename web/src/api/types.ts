/**
 * The SPA's view of the API: types only, taken from the server's zod models
 * so the two cannot drift. Every import here is `import type` and is erased at
 * build time, so no server code ends up in the bundle.
 */

import type { z } from 'zod';
import type {
  CustomerWithTickets,
  Me,
  ReplyRequest,
  TimelineEntryViewSchema,
  UpdateTicketRequest,
} from '../../../functions/api/schemas.js';
import type { Agent, Department, Role, Team } from '../../../functions/domain/agents/model.js';
import type { Customer, Identity } from '../../../functions/domain/customers/model.js';
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
export type { CustomerWithTickets, Me, ReplyRequest };

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
