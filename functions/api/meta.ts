/** Unauthenticated service routes: health and the OpenAPI document. No table access. */
import { deskName } from '../composition/config.js';
import { createApiHandler, json } from './http.js';
import { buildOpenApiDocument } from './openapi.js';

let document: Record<string, unknown> | undefined;

export const handler = createApiHandler({
  'GET /health': async () => json(200, { status: 'ok' }),
  'GET /openapi.json': async () => {
    document ??= buildOpenApiDocument(deskName());
    return json(200, document, { 'cache-control': 'public, max-age=300' });
  },
});
