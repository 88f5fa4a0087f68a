/** Custom fields and per-department field layouts: every agent reads them, admins change them (If-Match). */
import { getLayout, listFields, listLayouts, saveField, saveLayout } from '../fields/admin.js';
import { createApiHandler, etag, ifMatchVersion, json, parseBody } from './http.js';
import { SettingBodySchema } from './schemas.js';

export const handler = createApiHandler({
  'GET /fields': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listFields(request.app.fields, principal) });
  },

  'PUT /fields/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveField(
      request.app.deps,
      request.app.fields,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, saved, { etag: etag(saved.version) });
  },

  'GET /layouts': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listLayouts(request.app.fields, principal) });
  },

  'GET /departments/{id}/layout': async (request) => {
    const principal = await request.principal();
    const layout = await getLayout(request.app.deps, request.app.fields, principal, request.params.id!);
    return json(200, layout, { etag: etag(layout.version) });
  },

  'PUT /departments/{id}/layout': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveLayout(
      request.app.deps,
      request.app.fields,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, saved, { etag: etag(saved.version) });
  },
});
