/** The desk's organisation: the caller, agents, departments, teams. */
import { createDepartment } from '../domain/agents/use-cases.js';
import { createApiHandler, HttpError, json, parseBody } from './http.js';
import { CreateDepartmentRequestSchema } from './schemas.js';

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
});
