/**
 * Builds the OpenAPI 3.1 document from the route table and the zod schemas
 * (zod's own JSON Schema conversion), so the document cannot drift from the
 * validation the handlers run.
 */
import { z } from 'zod';
import { ROUTES, routeKey } from './routes.js';
import * as s from './schemas.js';

interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response: z.ZodType;
  status?: number;
}

const DOCS: Record<string, RouteDoc> = {
  'GET /health': { summary: 'Liveness check', response: s.HealthSchema },
  'GET /openapi.json': { summary: 'This document', response: z.object({ openapi: z.string() }).loose() },
  'POST /public/tickets': {
    summary: 'Customer web form: open a ticket (rate-limited, no sign-in)',
    body: s.PublicTicketRequestSchema,
    response: s.PublicTicketResponseSchema,
    status: 201,
  },
  'POST /tickets': {
    summary: 'Create a ticket for a customer',
    body: s.CreateTicketRequestSchema,
    response: s.TicketSchema,
    status: 201,
  },
  'GET /tickets': { summary: 'List tickets', query: s.ListTicketsQuerySchema, response: s.TicketPageSchema },
  'GET /tickets/{id}': { summary: 'Get a ticket (ETag = version)', response: s.TicketSchema },
  'PATCH /tickets/{id}': {
    summary: 'Change a ticket (If-Match)',
    body: s.UpdateTicketRequestSchema,
    response: s.TicketSchema,
  },
  'GET /tickets/{id}/timeline': {
    summary: 'The ticket’s history',
    query: s.PageQuerySchema,
    response: s.TimelinePageSchema,
  },
  'POST /tickets/{id}/replies': {
    summary: 'Reply to the customer',
    body: s.ReplyRequestSchema,
    response: s.TimelineEntrySchema,
    status: 201,
  },
  'POST /tickets/{id}/notes': {
    summary: 'Add an internal note',
    body: s.NoteRequestSchema,
    response: s.TimelineEntrySchema,
    status: 201,
  },
  'GET /customers': {
    summary: 'Find a customer by email',
    query: s.CustomerLookupQuerySchema,
    response: s.CustomerListSchema,
  },
  'GET /customers/{id}': {
    summary: 'A customer with their tickets',
    query: s.PageQuerySchema,
    response: s.CustomerWithTicketsSchema,
  },
  'POST /customers/{id}/merge': {
    summary: 'Merge another customer into this one',
    body: s.MergeCustomerRequestSchema,
    response: s.MergeResultSchema,
  },
  'GET /me': { summary: 'The signed-in agent', response: s.MeSchema },
  'GET /me/notifications': {
    summary: 'The signed-in agent’s notification feed, newest first, and the unread count',
    query: s.NotificationsQuerySchema,
    response: s.AgentNotificationFeedSchema,
  },
  'POST /me/notifications/read': {
    summary: 'Mark the named feed items read (all of them when `ids` is absent); answers the unread count',
    body: s.MarkNotificationsReadRequestSchema,
    response: s.MarkNotificationsReadResponseSchema,
  },
  'GET /agents': { summary: 'Agents of the desk', response: z.object({ items: z.array(s.AgentSchema) }) },
  'GET /departments': { summary: 'Departments', response: z.object({ items: z.array(s.DepartmentSchema) }) },
  'POST /departments': {
    summary: 'Create a department (admins)',
    body: s.CreateDepartmentRequestSchema,
    response: s.DepartmentSchema,
    status: 201,
  },
  'GET /teams': { summary: 'Teams', response: z.object({ items: z.array(s.TeamSchema) }) },
  'PUT /agents/{id}/availability': {
    summary: 'Set an agent’s availability (the agent, supervisors, admins; If-Match optional)',
    body: s.AvailabilityRequestSchema,
    response: s.AgentSchema,
  },
  'PATCH /agents/{id}': {
    summary:
      'Change an agent’s name, role, departments, teams, enabled, capacity, skills (admins; If-Match; 409 for the last active admin)',
    body: s.UpdateAgentRequestSchema,
    response: s.AgentSchema,
  },
  'PATCH /teams/{id}': {
    summary: 'Change a team’s name, activity, department or assignment strategy (admins; If-Match)',
    body: s.UpdateTeamRequestSchema,
    response: s.TeamSchema,
  },
  'GET /departments/{id}': { summary: 'A department (ETag: its version)', response: s.DepartmentSchema },
  'PATCH /departments/{id}': {
    summary:
      'Rename, disable/enable a department, set its acknowledgement and support addresses (admins; If-Match)',
    body: s.UpdateDepartmentRequestSchema,
    response: s.DepartmentSchema,
  },
  'POST /teams': {
    summary: 'Create a team in an enabled department (admins)',
    body: s.CreateTeamRequestSchema,
    response: s.TeamSchema,
    status: 201,
  },
  'GET /teams/{id}': {
    summary: 'A team with its members (ETag: its version)',
    response: s.TeamWithMembersSchema,
  },
  'POST /agents': {
    summary: 'Create an agent and their sign-in account (admins; 409 when the email exists)',
    body: s.CreateAgentRequestSchema,
    response: s.AgentSchema,
    status: 201,
  },
  'GET /agents/{id}': { summary: 'An agent (ETag: its version)', response: s.AgentSchema },
  'GET /audit': {
    summary: 'Who changed which desk setting, newest first (supervisors, admins)',
    query: s.AuditQuerySchema,
    response: s.AuditPageSchema,
  },
  'GET /routing-rules': {
    summary: 'Routing rules in evaluation order (supervisors, admins)',
    response: z.object({ items: z.array(s.StoredRoutingRuleSchema) }),
  },
  'PUT /routing-rules/{id}': {
    summary: 'Create or change a routing rule (admins; If-Match)',
    body: s.RoutingRuleRequestSchema,
    response: s.StoredRoutingRuleSchema,
  },
  'GET /workflow-rules': {
    summary: 'Workflow rules in evaluation order (supervisors, admins)',
    response: z.object({ items: z.array(s.StoredWorkflowRuleSchema) }),
  },
  'PUT /workflow-rules/{id}': {
    summary: 'Create or change a workflow rule (admins; If-Match)',
    body: s.WorkflowRuleRequestSchema,
    response: s.StoredWorkflowRuleSchema,
  },
  'POST /workflow-rules/run-time-based': {
    summary: 'Evaluate the time-based rules over the open tickets now (admins; scheduled every 15 minutes)',
    response: s.TimeBasedRunSchema,
  },
  'GET /macros': {
    summary: 'Macros the caller may use (shared ones and their own)',
    response: z.object({ items: z.array(s.StoredMacroSchema) }),
  },
  'PUT /macros/{id}': {
    summary: 'Create or change a macro (shared: admins; personal: their owner; If-Match)',
    body: s.MacroRequestSchema,
    response: s.StoredMacroSchema,
  },
  'POST /macros/{id}/apply': {
    summary: 'Apply a macro to 1–100 tickets, each on its own; one result per ticket',
    body: s.ApplyMacroRequestSchema,
    response: s.ApplyMacroResponseSchema,
  },
  'GET /sla/policies': {
    summary: 'SLA policies in evaluation order',
    response: z.object({ items: z.array(s.VersionedPolicySchema) }),
  },
  'PUT /sla/policies/{id}': {
    summary: 'Create or change an SLA policy (admins; If-Match)',
    body: s.SlaPolicySchema,
    response: s.VersionedPolicySchema,
  },
  'GET /business-hours': {
    summary: 'Business-hours calendars',
    response: z.object({ items: z.array(s.VersionedCalendarSchema) }),
  },
  'PUT /business-hours/{id}': {
    summary: 'Create or change a business-hours calendar (admins; If-Match)',
    body: s.BusinessCalendarSchema,
    response: s.VersionedCalendarSchema,
  },
  'GET /sla/at-risk': {
    summary: 'Tickets with a running SLA clock, soonest due first',
    query: s.AtRiskQuerySchema,
    response: s.AtRiskPageSchema,
  },
  'GET /tickets/{id}/sla': { summary: 'The ticket’s SLA targets', response: s.TicketSlaResponseSchema },
  'GET /blueprints': { summary: 'Blueprints', response: z.object({ items: z.array(s.BlueprintHeadSchema) }) },
  'GET /blueprints/{id}': {
    summary: 'The latest version of a blueprint (ETag = version)',
    response: z.object({
      definition: s.BlueprintDefinitionSchema,
      updatedAt: z.string(),
      updatedBy: z.string(),
    }),
  },
  'PUT /blueprints/{id}': {
    summary: 'Publish a new version of a blueprint (admins)',
    body: s.BlueprintDefinitionSchema,
    response: z.object({ definition: s.BlueprintDefinitionSchema }),
  },
  'GET /blueprints/{id}/dashboard': {
    summary: 'Blueprint dashboard figures',
    response: s.BlueprintDashboardSchema,
  },
  'GET /tickets/{id}/blueprint': {
    summary: 'The ticket’s blueprint run and the transitions the caller may perform',
    response: s.TicketBlueprintSchema,
  },
  'POST /tickets/{id}/transitions': {
    summary: 'Perform a blueprint transition',
    body: s.TransitionRequestSchema,
    response: z.object({ ticket: s.TicketSchema, run: s.BlueprintRunSchema }),
  },
  'GET /views': {
    summary:
      'The caller’s views — built-ins, shared, their personal ones — each with the count of tickets they see in it (capped at 1,000: countIsEstimate)',
    response: s.ViewListSchema,
  },
  'PUT /views/{id}': {
    summary:
      'Create or replace a view (shared: supervisors and admins; personal: the caller’s own; If-Match; built-in ids are reserved: 409)',
    body: s.ViewRequestSchema,
    response: s.ViewItemSchema,
  },
  'DELETE /views/{id}': {
    summary: 'Delete a view (If-Match; shared: supervisors and admins)',
    response: z.null(),
    status: 204,
  },
  'GET /views/{id}/tickets': {
    summary: 'The tickets the caller sees in a view, in the view’s order',
    query: s.PageQuerySchema,
    response: s.TicketPageSchema,
  },
  'GET /canned-responses': {
    summary: 'Shared canned responses and the caller’s own; ranked by q (title, tags, body), else by title',
    query: s.CannedListQuerySchema,
    response: z.object({ items: z.array(s.CannedItemSchema) }),
  },
  'PUT /canned-responses/{id}': {
    summary:
      'Create or replace a canned response (shared: supervisors and admins; personal: the caller’s own; If-Match)',
    body: s.CannedRequestSchema,
    response: s.CannedItemSchema,
  },
  'DELETE /canned-responses/{id}': {
    summary: 'Delete a canned response (If-Match; shared: supervisors and admins)',
    response: z.null(),
    status: 204,
  },
  'POST /canned-responses/{id}/render': {
    summary: 'A canned response with its placeholders filled for a ticket the caller sees',
    body: s.RenderCannedRequestSchema,
    response: s.RenderCannedResponseSchema,
  },
  'GET /fields': {
    summary: 'Custom field definitions, inactive ones too, by label',
    response: z.object({ items: z.array(s.FieldDefinitionSchema) }),
  },
  'PUT /fields/{id}': {
    summary: 'Create or change a custom field (admins; If-Match; the type of a field never changes)',
    body: s.FieldDefinitionRequestSchema,
    response: s.FieldDefinitionSchema,
  },
  'GET /layouts': {
    summary: 'Field layouts of the departments that have one',
    response: z.object({ items: z.array(s.LayoutSchema) }),
  },
  'GET /departments/{id}/layout': {
    summary: 'A department’s field layout (ETag = version; version 0 when it has none)',
    response: s.LayoutViewSchema,
  },
  'PUT /departments/{id}/layout': {
    summary: 'Set a department’s fields, their order and which are required (admins; If-Match)',
    body: s.LayoutRequestSchema,
    response: s.LayoutSchema,
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

export function buildOpenApiDocument(title: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const doc = DOCS[routeKey(route)];
    if (!doc) throw new Error(`Route ${routeKey(route)} has no OpenAPI entry`);
    const parameters: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (doc.query) {
      for (const [name, field] of Object.entries(doc.query.shape)) {
        parameters.push({
          name,
          in: 'query',
          required: !(field as z.ZodType).safeParse(undefined).success,
          schema: jsonSchema(field as z.ZodType, 'input'),
        });
      }
    }
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/.](\w)/g, (_, c: string) => c.toUpperCase())}`,
      parameters,
      responses: {
        [String(doc.status ?? 200)]:
          doc.status === 204
            ? { description: 'No content' }
            : {
                description: 'Success',
                content: { 'application/json': { schema: jsonSchema(doc.response, 'output') } },
              },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(s.ErrorSchema, 'output') } },
        },
      },
      ...(route.auth === 'jwt' ? { security: [{ bearer: [] }] } : { security: [] }),
    };
    if (doc.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: `${title} API`, version: '1.0.0' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
