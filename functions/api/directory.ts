import { agentAccounts } from '../composition/accounts.js';
import { configuredSupportAddresses } from '../composition/mail.js';
import { canChangeSettings } from '../domain/agents/model.js';
import {
  createAgent,
  createDepartment,
  createTeam,
  updateAgent,
  updateDepartment,
  updateTeam,
} from '../domain/agents/use-cases.js';
import { listAuditEntries } from '../domain/audit/use-cases.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { listMyNotifications, markMyNotificationsRead } from '../notifications/feed.js';
import { listRoutingRules, saveRoutingRule, setAvailability } from '../routing/admin.js';
import { applyMacro, listMacros, listWorkflowRules, saveMacro, saveWorkflowRule } from '../rules/admin.js';
import { runScheduledRules } from '../rules/schedule-handler.js';
import { createApiHandler, etag, HttpError, ifMatchVersion, json, parseBody, parseQuery } from './http.js';
import {
  ApplyMacroRequestSchema,
  AuditQuerySchema,
  AvailabilityRequestSchema,
  CreateAgentRequestSchema,
  CreateDepartmentRequestSchema,
  CreateTeamRequestSchema,
  MarkNotificationsReadRequestSchema,
  NotificationsQuerySchema,
  SettingBodySchema,
  UpdateAgentRequestSchema,
  UpdateDepartmentRequestSchema,
  UpdateTeamRequestSchema,
} from './schemas.js';

export const handler = createApiHandler({
  'GET /me': async (request) => {
    const principal = await request.principal();
    const agent = await request.app.deps.directory.getAgent(principal.agentId);
    if (!agent) throw new HttpError(403, 'forbidden', 'This account is not an agent of this desk');
    return json(200, { agent });
  },

  'GET /me/notifications': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, NotificationsQuerySchema);
    const feed = await listMyNotifications(
      request.app.deps,
      request.app.notifications,
      principal,
      query.limit,
    );
    return json(200, feed);
  },

  'POST /me/notifications/read': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, MarkNotificationsReadRequestSchema);
    const result = await markMyNotificationsRead(
      request.app.deps,
      request.app.notifications,
      principal,
      body.ids,
    );
    return json(200, result);
  },

  'GET /agents': async (request) => {
    await request.principal();
    const agents = await request.app.deps.directory.listAgents();
    return json(200, { items: agents.sort((a, b) => a.name.localeCompare(b.name)) });
  },

  'PUT /agents/{id}/availability': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, AvailabilityRequestSchema);
    const agent = await setAvailability(
      request.app.deps,
      principal,
      request.params.id!,
      body.availability,
      ifMatchVersion(request) ?? null,
    );
    return json(200, agent, { etag: etag(agent.version) });
  },

  'PATCH /agents/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, UpdateAgentRequestSchema);
    const agent = await updateAgent(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
      body.role !== undefined ? agentAccounts(request.app) : undefined,
    );
    return json(200, agent, { etag: etag(agent.version) });
  },

  'GET /agents/{id}': async (request) => {
    await request.principal();
    const agent = await request.app.deps.directory.getAgent(request.params.id!);
    if (!agent) throw new NotFoundError('Agent', request.params.id!);
    return json(200, agent, { etag: etag(agent.version) });
  },

  'POST /agents': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, CreateAgentRequestSchema);
    const accounts = agentAccounts(request.app);
    if (!accounts) {
      throw new HttpError(
        501,
        'not_configured',
        'This deployment cannot create sign-in accounts (no user pool configured): use npm run create-agent',
      );
    }
    const agent = await createAgent(request.app.deps, accounts, principal, body);
    return json(201, agent, { etag: etag(agent.version), location: `/agents/${agent.id}` });
  },

  'GET /departments': async (request) => {
    await request.principal();
    const departments = await request.app.deps.directory.listDepartments();
    return json(200, { items: departments.sort((a, b) => a.name.localeCompare(b.name)) });
  },

  'POST /departments': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, CreateDepartmentRequestSchema);
    const department = await createDepartment(request.app.deps, principal, body);
    return json(201, department, {
      etag: etag(department.version),
      location: `/departments/${department.id}`,
    });
  },

  'GET /departments/{id}': async (request) => {
    await request.principal();
    const department = await request.app.deps.directory.getDepartment(request.params.id!);
    if (!department) throw new NotFoundError('Department', request.params.id!);
    return json(200, department, { etag: etag(department.version) });
  },

  'PATCH /departments/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, UpdateDepartmentRequestSchema);
    const department = await updateDepartment(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
      { configuredAddresses: configuredSupportAddresses(request.app) },
    );
    return json(200, department, { etag: etag(department.version) });
  },

  'GET /teams': async (request) => {
    await request.principal();
    const teams = await request.app.deps.directory.listTeams();
    return json(200, { items: teams.sort((a, b) => a.name.localeCompare(b.name)) });
  },

  'POST /teams': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, CreateTeamRequestSchema);
    const team = await createTeam(request.app.deps, principal, body);
    return json(201, team, { etag: etag(team.version), location: `/teams/${team.id}` });
  },

  'GET /teams/{id}': async (request) => {
    await request.principal();
    const { directory } = request.app.deps;
    const team = await directory.getTeam(request.params.id!);
    if (!team) throw new NotFoundError('Team', request.params.id!);
    const members = (await directory.listAgents())
      .filter((a) => a.teamIds.includes(team.id))
      .map((a) => ({ id: a.id, name: a.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return json(200, { ...team, members }, { etag: etag(team.version) });
  },

  'GET /audit': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, AuditQuerySchema);
    return json(200, await listAuditEntries(request.app.audit, principal, query));
  },

  'PATCH /teams/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, UpdateTeamRequestSchema);
    const team = await updateTeam(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, team, { etag: etag(team.version) });
  },

  'GET /routing-rules': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listRoutingRules(request.app.routing, principal) });
  },

  'PUT /routing-rules/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveRoutingRule(
      request.app.deps,
      request.app.routing,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, saved, { etag: etag(saved.rule.version) });
  },

  'GET /workflow-rules': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listWorkflowRules(request.app.workflow, principal) });
  },

  'PUT /workflow-rules/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveWorkflowRule(
      request.app.deps,
      request.app.workflow,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
      { webhooks: request.app.webhookPolicy },
    );
    return json(200, saved, { etag: etag(saved.rule.version) });
  },

  'POST /workflow-rules/run-time-based': async (request) => {
    const principal = await request.principal();
    if (!canChangeSettings(principal)) {
      throw new HttpError(403, 'forbidden', 'Only admins run the time-based rules by hand');
    }
    // The scheduled run itself (mail, webhooks, feed and round-robin assignment), on demand.
    const outcome = await runScheduledRules(request.app, () => undefined);
    return json(200, outcome);
  },

  'GET /macros': async (request) => {
    const principal = await request.principal();
    return json(200, { items: await listMacros(request.app.workflow, principal) });
  },

  'PUT /macros/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, SettingBodySchema);
    const saved = await saveMacro(
      request.app.deps,
      request.app.workflow,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
      { webhooks: request.app.webhookPolicy },
    );
    return json(200, saved, { etag: etag(saved.macro.version) });
  },

  'POST /macros/{id}/apply': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, ApplyMacroRequestSchema);
    const results = await applyMacro(
      request.app.deps,
      request.app.workflow,
      principal,
      request.params.id!,
      body.ticketIds,
      { deskName: request.app.config.DESK_NAME },
    );
    return json(200, { results });
  },
});
