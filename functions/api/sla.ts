import { getTicketSla, listAtRisk, saveCalendar, savePolicy } from '../sla/admin.js';
import { createApiHandler, etag, ifMatchVersion, json, parseBody, parseQuery } from './http.js';
import { AtRiskQuerySchema, SettingBodySchema } from './schemas.js';

export const handler = createApiHandler({
  'GET /sla/policies': async (request) => {
    await request.principal();
    const items = await request.app.sla.listPolicies();
    return json(200, {
      items: items.sort(
        (a, b) => a.policy.position - b.policy.position || a.policy.id.localeCompare(b.policy.id),
      ),
    });
  },

  'PUT /sla/policies/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await savePolicy(
      request.app.deps,
      request.app.sla,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, saved, { etag: etag(saved.version) });
  },

  'GET /business-hours': async (request) => {
    await request.principal();
    const items = await request.app.sla.listCalendars();
    return json(200, { items: items.sort((a, b) => a.calendar.name.localeCompare(b.calendar.name)) });
  },

  'PUT /business-hours/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveCalendar(
      request.app.deps,
      request.app.sla,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, saved, { etag: etag(saved.version) });
  },

  'GET /sla/at-risk': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, AtRiskQuerySchema);
    return json(200, await listAtRisk(request.app.sla, principal, query));
  },

  'GET /tickets/{id}/sla': async (request) => {
    const principal = await request.principal();
    const sla = await getTicketSla(request.app.deps, request.app.sla, principal, request.params.id!);
    return json(200, { sla });
  },
});
