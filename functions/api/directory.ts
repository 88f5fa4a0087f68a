import { awsMailRuntime } from '../composition/mail.js';
import { canChangeSettings } from '../domain/agents/model.js';
import { createDepartment } from '../domain/agents/use-cases.js';
import {
  listRoutingRules,
  saveRoutingRule,
  setAvailability,
  updateAgentSettings,
  updateTeamSettings,
} from '../routing/admin.js';
import { applyMacro, listMacros, listWorkflowRules, saveMacro, saveWorkflowRule } from '../rules/admin.js';
import { runTimeBasedRules } from '../rules/engine.js';
import { createApiHandler, etag, HttpError, ifMatchVersion, json, parseBody } from './http.js';
import {
  ApplyMacroRequestSchema,
  AvailabilityRequestSchema,
  CreateDepartmentRequestSchema,
  SettingBodySchema,
  UpdateAgentRequestSchema,
  UpdateTeamRequestSchema,
} from './schemas.js';

export const handler = createApiHandler({
  'GET /me': async (request) => {
    const principal = await request.principal();
    const agent = await request.app.deps.directory.getAgent(principal.agentId);
    if (!agent) throw new HttpError(403, 'forbidden', 'This account is not an agent of this desk');
    return json(200, { agent });
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
    const agent = await updateAgentSettings(
      request.app.deps,
      principal,
      request.params.id!,
      body,
      ifMatchVersion(request) ?? null,
    );
    return json(200, agent, { etag: etag(agent.version) });
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
    return json(201, department);
  },

  'GET /teams': async (request) => {
    await request.principal();
    const teams = await request.app.deps.directory.listTeams();
    return json(200, { items: teams.sort((a, b) => a.name.localeCompare(b.name)) });
  },

  'PATCH /teams/{id}': async (request) => {
    const principal = await request.principal();
    const body = parseBody(request, UpdateTeamRequestSchema);
    const team = await updateTeamSettings(
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
    );
    return json(200, saved, { etag: etag(saved.rule.version) });
  },

  'POST /workflow-rules/run-time-based': async (request) => {
    const principal = await request.principal();
    if (!canChangeSettings(principal)) {
      throw new HttpError(403, 'forbidden', 'Only admins run the time-based rules by hand');
    }
    const { app } = request;
    const outcome = await runTimeBasedRules({
      deps: app.deps,
      store: app.workflow,
      sla: app.sla,
      mail: await awsMailRuntime(app),
    });
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
