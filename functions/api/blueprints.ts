import {
  dashboard,
  listBlueprints,
  performTransition,
  publishBlueprint,
  ticketBlueprint,
} from '../blueprints/engine.js';
import { blueprintContext } from '../composition/blueprints.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { createApiHandler, etag, ifMatchVersion, json, parseBody } from './http.js';
import { SettingBodySchema, TransitionRequestSchema } from './schemas.js';

export const handler = createApiHandler({
  'GET /blueprints': async (request) => {
    await request.principal();
    return json(200, { items: await listBlueprints(blueprintContext(request.app)) });
  },

  'GET /blueprints/{id}': async (request) => {
    await request.principal();
    const context = blueprintContext(request.app);
    const head = (await context.store.listHeads()).find((h) => h.id === request.params.id);
    const definition = head ? await context.store.getVersion(head.id, head.latestVersion) : null;
    if (!head || !definition) throw new NotFoundError('Blueprint', request.params.id!);
    return json(
      200,
      { definition, updatedAt: head.updatedAt, updatedBy: head.updatedBy },
      { etag: etag(head.latestVersion) },
    );
  },

  'PUT /blueprints/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const definition = await publishBlueprint(
      blueprintContext(request.app),
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request),
    );
    return json(200, { definition }, { etag: etag(definition.version) });
  },

  'GET /blueprints/{id}/dashboard': async (request) => {
    await request.principal();
    return json(200, await dashboard(blueprintContext(request.app), request.params.id!));
  },

  'GET /tickets/{id}/blueprint': async (request) => {
    const principal = await request.principal();
    return json(200, {
      blueprint: await ticketBlueprint(blueprintContext(request.app), principal, request.params.id!),
    });
  },

  'POST /tickets/{id}/transitions': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, TransitionRequestSchema);
    const result = await performTransition(
      blueprintContext(request.app),
      principal,
      request.params.id!,
      body,
    );
    return json(
      200,
      { ticket: result.ticket, run: { ...result.run, taskToken: null } },
      { etag: etag(result.ticket.version) },
    );
  },
});
