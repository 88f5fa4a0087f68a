/**
 * The HTTP API's route table: which handler module serves each route and
 * whether it needs an agent's JWT. The CDK api construct creates one Lambda per
 * group and one API Gateway route per entry (with the JWT authorizer unless
 * `auth` is 'none'); the local server dispatches with the same table. Pure
 * data, safe to import from CDK code.
 */
export type RouteGroup =
  | 'meta'
  | 'public'
  | 'tickets'
  | 'customers'
  | 'directory'
  | 'sla'
  | 'blueprints'
  | 'fields'
  | 'views';

export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `{name}` marks a path parameter. */
  readonly path: string;
  readonly group: RouteGroup;
  /** 'jwt': an agent's token is required (API Gateway JWT authorizer on AWS). */
  readonly auth: 'jwt' | 'none';
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health', group: 'meta', auth: 'none' },
  { method: 'GET', path: '/openapi.json', group: 'meta', auth: 'none' },
  { method: 'POST', path: '/public/tickets', group: 'public', auth: 'none' },
  { method: 'POST', path: '/tickets', group: 'tickets', auth: 'jwt' },
  { method: 'GET', path: '/tickets', group: 'tickets', auth: 'jwt' },
  { method: 'GET', path: '/tickets/{id}', group: 'tickets', auth: 'jwt' },
  { method: 'PATCH', path: '/tickets/{id}', group: 'tickets', auth: 'jwt' },
  { method: 'GET', path: '/tickets/{id}/timeline', group: 'tickets', auth: 'jwt' },
  { method: 'POST', path: '/tickets/{id}/replies', group: 'tickets', auth: 'jwt' },
  { method: 'POST', path: '/tickets/{id}/notes', group: 'tickets', auth: 'jwt' },
  { method: 'GET', path: '/customers', group: 'customers', auth: 'jwt' },
  { method: 'GET', path: '/customers/{id}', group: 'customers', auth: 'jwt' },
  { method: 'POST', path: '/customers/{id}/merge', group: 'customers', auth: 'jwt' },
  { method: 'GET', path: '/me', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/me/notifications', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/me/notifications/read', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/agents', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/departments', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/departments', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/teams', group: 'directory', auth: 'jwt' },
  { method: 'PUT', path: '/agents/{id}/availability', group: 'directory', auth: 'jwt' },
  { method: 'PATCH', path: '/agents/{id}', group: 'directory', auth: 'jwt' },
  { method: 'PATCH', path: '/teams/{id}', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/departments/{id}', group: 'directory', auth: 'jwt' },
  { method: 'PATCH', path: '/departments/{id}', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/teams', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/teams/{id}', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/agents', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/agents/{id}', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/audit', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/routing-rules', group: 'directory', auth: 'jwt' },
  { method: 'PUT', path: '/routing-rules/{id}', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/workflow-rules', group: 'directory', auth: 'jwt' },
  { method: 'PUT', path: '/workflow-rules/{id}', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/workflow-rules/run-time-based', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/macros', group: 'directory', auth: 'jwt' },
  { method: 'PUT', path: '/macros/{id}', group: 'directory', auth: 'jwt' },
  { method: 'POST', path: '/macros/{id}/apply', group: 'directory', auth: 'jwt' },
  { method: 'GET', path: '/sla/policies', group: 'sla', auth: 'jwt' },
  { method: 'PUT', path: '/sla/policies/{id}', group: 'sla', auth: 'jwt' },
  { method: 'GET', path: '/business-hours', group: 'sla', auth: 'jwt' },
  { method: 'PUT', path: '/business-hours/{id}', group: 'sla', auth: 'jwt' },
  { method: 'GET', path: '/sla/at-risk', group: 'sla', auth: 'jwt' },
  { method: 'GET', path: '/tickets/{id}/sla', group: 'sla', auth: 'jwt' },
  { method: 'GET', path: '/blueprints', group: 'blueprints', auth: 'jwt' },
  { method: 'GET', path: '/blueprints/{id}', group: 'blueprints', auth: 'jwt' },
  { method: 'PUT', path: '/blueprints/{id}', group: 'blueprints', auth: 'jwt' },
  { method: 'GET', path: '/blueprints/{id}/dashboard', group: 'blueprints', auth: 'jwt' },
  { method: 'GET', path: '/tickets/{id}/blueprint', group: 'blueprints', auth: 'jwt' },
  { method: 'POST', path: '/tickets/{id}/transitions', group: 'blueprints', auth: 'jwt' },
  { method: 'GET', path: '/views', group: 'views', auth: 'jwt' },
  { method: 'PUT', path: '/views/{id}', group: 'views', auth: 'jwt' },
  { method: 'DELETE', path: '/views/{id}', group: 'views', auth: 'jwt' },
  { method: 'GET', path: '/views/{id}/tickets', group: 'views', auth: 'jwt' },
  { method: 'GET', path: '/canned-responses', group: 'views', auth: 'jwt' },
  { method: 'PUT', path: '/canned-responses/{id}', group: 'views', auth: 'jwt' },
  { method: 'DELETE', path: '/canned-responses/{id}', group: 'views', auth: 'jwt' },
  { method: 'POST', path: '/canned-responses/{id}/render', group: 'views', auth: 'jwt' },
  { method: 'GET', path: '/fields', group: 'fields', auth: 'jwt' },
  { method: 'PUT', path: '/fields/{id}', group: 'fields', auth: 'jwt' },
  { method: 'GET', path: '/layouts', group: 'fields', auth: 'jwt' },
  { method: 'GET', path: '/departments/{id}/layout', group: 'fields', auth: 'jwt' },
  { method: 'PUT', path: '/departments/{id}/layout', group: 'fields', auth: 'jwt' },
];

/** The module under `functions/api/` whose `handler` export serves a group. */
export const ROUTE_GROUP_ENTRY: Record<RouteGroup, string> = {
  meta: 'functions/api/meta.ts',
  public: 'functions/api/public.ts',
  tickets: 'functions/api/tickets.ts',
  customers: 'functions/api/customers.ts',
  directory: 'functions/api/directory.ts',
  sla: 'functions/api/sla.ts',
  blueprints: 'functions/api/blueprints.ts',
  fields: 'functions/api/fields.ts',
  views: 'functions/api/views.ts',
};

/** `GET /tickets/{id}` → API Gateway route key. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
