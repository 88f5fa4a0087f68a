/** Agent ticket routes: create, list, read, update, timeline, reply, note. */
import {
  addNote,
  addReply,
  agentActor,
  createTicket,
  getTicket,
  getTimeline,
  listTickets,
  updateTicket,
} from '../domain/tickets/use-cases.js';
import { withDownloadLinks } from '../email/links.js';
import {
  createApiHandler,
  etag,
  idempotencyKey,
  ifMatchVersion,
  json,
  parseBody,
  parseQuery,
} from './http.js';
import {
  CreateTicketRequestSchema,
  ListTicketsQuerySchema,
  NoteRequestSchema,
  PageQuerySchema,
  ReplyRequestSchema,
  UpdateTicketRequestSchema,
} from './schemas.js';

export const handler = createApiHandler({
  'POST /tickets': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, CreateTicketRequestSchema);
    const idempotency = idempotencyKey(request, `tickets:${principal.agentId}`);
    const { ticket, replayed } = await createTicket(request.app.deps, {
      ...body,
      createdBy: agentActor(principal),
      ...(idempotency ? { idempotency } : {}),
    });
    return json(201, ticket, {
      etag: etag(ticket.version),
      location: `/tickets/${ticket.id}`,
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  },

  'GET /tickets': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, ListTicketsQuerySchema);
    return json(200, await listTickets(request.app.deps, principal, query));
  },

  'GET /tickets/{id}': async (request) => {
    const ticket = await getTicket(request.app.deps, await request.principal(), request.params.id!);
    return json(200, ticket, { etag: etag(ticket.version) });
  },

  'PATCH /tickets/{id}': async (request) => {
    const principal = await request.principal();
    const patch = parseBody(request, UpdateTicketRequestSchema);
    const ticket = await updateTicket(
      request.app.deps,
      principal,
      request.params.id!,
      patch,
      ifMatchVersion(request),
    );
    return json(200, ticket, { etag: etag(ticket.version) });
  },

  'GET /tickets/{id}/timeline': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, PageQuerySchema);
    const page = await getTimeline(request.app.deps, principal, request.params.id!, query);
    return json(200, { ...page, items: await withDownloadLinks(page.items, request.app.blobs) });
  },

  'POST /tickets/{id}/replies': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, ReplyRequestSchema);
    const entry = await addReply(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request),
    );
    return json(201, entry);
  },

  'POST /tickets/{id}/notes': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, NoteRequestSchema);
    const entry = await addNote(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request),
    );
    return json(201, entry);
  },
});
