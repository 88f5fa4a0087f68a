/**
 * The shared HTTP layer of every API handler: a middy chain that routes an
 * API Gateway v2 event to its route function, authenticates the agent from
 * the JWT claims, validates input with zod, and turns domain errors into the
 * one JSON error shape `{ error: { code, message, details? } }`.
 */
import { createHash } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { type AppContext, appContext } from '../composition/deps.js';
import { type Principal, RoleSchema } from '../domain/agents/model.js';
import {
  Conflict,
  DomainError,
  Forbidden,
  IdempotencyKeyReused,
  NotFoundError,
  RateLimited,
  TransitionNotAllowed,
  ValidationFailed,
  VersionConflict,
} from '../domain/shared/errors.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** A client error raised by the HTTP layer itself (bad JSON, bad header, missing token). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RequestContext {
  event: ApiEvent;
  app: AppContext;
  params: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The calling agent; throws 401/403 when the route needs one and there is none. */
  principal(): Promise<Principal>;
}

export type RouteHandler = (request: RequestContext) => Promise<ApiResult>;

const MAX_BODY_BYTES = 256 * 1024;

/** Builds a Lambda handler serving the given routes (keys like `GET /tickets/{id}`). */
export function createApiHandler(routes: Record<string, RouteHandler>) {
  const dispatch = async (event: ApiEvent): Promise<ApiResult> => {
    const route = routes[event.routeKey];
    if (!route) throw new HttpError(404, 'route_not_found', `No route for ${event.routeKey}`);
    const headers = lowerCaseHeaders(event.headers);
    let cachedPrincipal: Promise<Principal> | undefined;
    return route({
      event,
      // Lazy: routes that never touch the table (health, OpenAPI) need no table configuration.
      get app() {
        return appContext();
      },
      headers,
      params: Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
      principal: () => {
        cachedPrincipal ??= resolvePrincipal(event, appContext());
        return cachedPrincipal;
      },
    });
  };
  return middy<ApiEvent, ApiResult>()
    .use({
      onError: async (request) => {
        request.response = errorResponse(request.error, request.event);
      },
    })
    .handler(dispatch);
}

function lowerCaseHeaders(headers: ApiEvent['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** Claims arrive as real arrays locally and as "[a b]" strings from API Gateway's JWT authorizer. */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    const trimmed = value.replace(/^\[|\]$/g, '').trim();
    return trimmed ? trimmed.split(/[\s,]+/) : [];
  }
  return [];
}

const ROLE_ORDER = ['admin', 'supervisor', 'agent'] as const;
const principalCache = new Map<string, { principal: Principal; expires: number }>();
const PRINCIPAL_TTL_MS = 30_000;

/**
 * The agent behind a verified JWT (API Gateway's authorizer on AWS, the local
 * server locally): role from the `cognito:groups` claim, departments and teams from
 * the agent's item. Cached for 30 s per warm instance.
 */
async function resolvePrincipal(event: ApiEvent, app: AppContext): Promise<Principal> {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string') {
    throw new HttpError(401, 'unauthorized', 'Sign in first: this route needs an agent’s bearer token');
  }
  const cached = principalCache.get(sub);
  if (cached && cached.expires > Date.now()) return cached.principal;
  const groups = claimList(claims['cognito:groups']);
  const tokenRole = ROLE_ORDER.find((r) => groups.includes(r));
  const agent = await app.deps.directory.getAgent(sub);
  if (!agent?.active || !tokenRole) {
    throw new HttpError(403, 'forbidden', 'This account is not an active agent of this desk');
  }
  // The lesser of the token's role and the directory's: a demotion by an admin applies at once,
  // without waiting for the agent's token (issued with the old group) to expire.
  const role = ROLE_ORDER[Math.max(ROLE_ORDER.indexOf(tokenRole), ROLE_ORDER.indexOf(agent.role))]!;
  const principal: Principal = {
    agentId: agent.id,
    email: agent.email,
    name: agent.name,
    role: RoleSchema.parse(role),
    departmentIds: agent.departmentIds,
    teamIds: agent.teamIds,
  };
  principalCache.set(sub, { principal, expires: Date.now() + PRINCIPAL_TTL_MS });
  return principal;
}

/** Parses the JSON body and validates it; a 400 names each bad field. */
export function parseBody<S extends z.ZodType>(request: RequestContext, schema: S): z.output<S> {
  const { body, isBase64Encoded } = request.event;
  if (body === undefined || body === null || body === '') {
    throw new HttpError(400, 'invalid_request', 'The request needs a JSON body');
  }
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
  return validate(schema, data, 'body');
}

/** Validates query string parameters. */
export function parseQuery<S extends z.ZodType>(request: RequestContext, schema: S): z.output<S> {
  return validate(schema, request.event.queryStringParameters ?? {}, 'query');
}

export function validate<S extends z.ZodType>(
  schema: S,
  data: unknown,
  where: 'body' | 'query',
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || where,
    message:
      issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
        ? 'is required'
        : issue.message,
  }));
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new HttpError(400, 'invalid_request', `Invalid ${where}: ${summary}`, details);
}

/** `If-Match: "3"` (or W/"3") → 3; absent → undefined; `*` → undefined (any version). */
export function ifMatchVersion(request: RequestContext): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(raw);
  if (!match)
    throw new HttpError(400, 'invalid_if_match', 'If-Match must be the ETag you received, e.g. "3"');
  return Number(match[1]);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** The Idempotency-Key header, if sent, plus a fingerprint of the body it protects. */
export function idempotencyKey(
  request: RequestContext,
  scope: string,
): { scope: string; key: string; fingerprint: string } | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      'Idempotency-Key must be 1 to 255 visible ASCII characters',
    );
  }
  const fingerprint = createHash('sha256')
    .update(request.event.body ?? '')
    .digest('base64url');
  return { scope, key, fingerprint };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

const STATUS_BY_ERROR: [new (...args: never[]) => DomainError, number][] = [
  [NotFoundError, 404],
  [ValidationFailed, 400],
  [Forbidden, 403],
  [TransitionNotAllowed, 409],
  [Conflict, 409],
  [IdempotencyKeyReused, 422],
  [RateLimited, 429],
];

/**
 * Validation details in the API's one shape, `[{ field, message }]`, whether
 * the domain gave zod issues or a single `{ field }`.
 */
function fieldDetails(error: ValidationFailed): unknown {
  const details = error.details;
  if (Array.isArray(details)) {
    return details.map((issue) =>
      issue && typeof issue === 'object' && Array.isArray((issue as { path?: unknown }).path)
        ? {
            field: (issue as { path: PropertyKey[] }).path.map(String).join('.'),
            message: String((issue as { message?: unknown }).message ?? ''),
          }
        : issue,
    );
  }
  if (details && typeof details === 'object' && 'field' in details) {
    return [{ field: String((details as { field: unknown }).field), message: error.message }];
  }
  if (details && typeof details === 'object' && Array.isArray((details as { fields?: unknown }).fields)) {
    return (details as { fields: unknown[] }).fields.map((f) =>
      typeof f === 'string' ? { field: f, message: error.message } : f,
    );
  }
  if (details && typeof details === 'object' && Array.isArray((details as { problems?: unknown }).problems)) {
    return (details as { problems: unknown[] }).problems.map((p) => ({
      field: 'definition',
      message: String(p),
    }));
  }
  return details;
}

/** The one place errors become responses. Unknown errors are logged and stay opaque (500). */
export function errorResponse(error: unknown, event: ApiEvent | undefined): ApiResult {
  if (error instanceof HttpError) {
    return json(
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      },
      error.headers,
    );
  }
  if (error instanceof VersionConflict) {
    // With If-Match the client asked for a precondition: 412. Without, a lost race: 409.
    const conditional = Object.keys(event?.headers ?? {}).some((h) => h.toLowerCase() === 'if-match');
    return json(conditional ? 412 : 409, { error: { code: error.code, message: error.message } });
  }
  if (error instanceof DomainError) {
    const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 400;
    const details = error instanceof ValidationFailed ? fieldDetails(error) : error.details;
    const headers: Record<string, string> =
      error instanceof RateLimited ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return json(
      status,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(details ? { details } : {}),
        },
      },
      headers,
    );
  }
  const requestId = event?.requestContext?.requestId ?? 'unknown';
  console.error(
    JSON.stringify({
      level: 'error',
      message: 'unhandled error',
      requestId,
      error: String(error),
      stack: (error as Error)?.stack,
    }),
  );
  return json(500, {
    error: { code: 'internal_error', message: `Something went wrong on our side (request ${requestId})` },
  });
}
