/** Saved views (with ticket counts and lists) and canned responses. */
import {
  deleteCannedResponse,
  deleteView,
  listCannedResponses,
  listViewsWithCounts,
  listViewTickets,
  renderCannedResponse,
  saveCannedResponse,
  saveView,
} from '../views/service.js';
import {
  type ApiResult,
  createApiHandler,
  etag,
  ifMatchVersion,
  json,
  parseBody,
  parseQuery,
  type RequestContext,
  validate,
} from './http.js';
import {
  CannedListQuerySchema,
  CannedRequestSchema,
  ItemIdParamsSchema,
  PageQuerySchema,
  RenderCannedRequestSchema,
  ViewRequestSchema,
} from './schemas.js';

const noContent = (): ApiResult => ({ statusCode: 204, headers: { 'cache-control': 'no-store' } });

/** The id of an item being saved: letters, digits, `_` and `-` (a 400 names `id` otherwise). */
const newId = (request: RequestContext) => validate(ItemIdParamsSchema, request.params, 'query').id;

export const handler = createApiHandler({
  'GET /views': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listViewsWithCounts(request.app.views, principal) });
  },

  'PUT /views/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, ViewRequestSchema);
    const view = await saveView(
      request.app.deps,
      request.app.views,
      principal,
      newId(request),
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, view, { etag: etag(view.version as number) });
  },

  'DELETE /views/{id}': async (request) => {
    const principal = await request.principal();
    await deleteView(request.app.views, principal, request.params.id!, ifMatchVersion(request) ?? null);
    return noContent();
  },

  'GET /views/{id}/tickets': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, PageQuerySchema);
    return json(200, await listViewTickets(request.app.views, principal, request.params.id!, query));
  },

  'GET /canned-responses': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, CannedListQuerySchema);
    return json(200, { items: await listCannedResponses(request.app.views, principal, query) });
  },

  'PUT /canned-responses/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, CannedRequestSchema);
    const canned = await saveCannedResponse(
      request.app.deps,
      request.app.views,
      principal,
      newId(request),
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, canned, { etag: etag(canned.version) });
  },

  'DELETE /canned-responses/{id}': async (request) => {
    const principal = await request.principal();
    await deleteCannedResponse(
      request.app.views,
      principal,
      request.params.id!,
      ifMatchVersion(request) ?? null,
    );
    return noContent();
  },

  'POST /canned-responses/{id}/render': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, RenderCannedRequestSchema);
    const rendered = await renderCannedResponse(
      request.app.deps,
      request.app.views,
      principal,
      request.params.id!,
      body.ticketId,
      request.app.config.DESK_NAME,
    );
    return json(200, rendered);
  },
});
