/**
 * The local stand-in for API Gateway + CloudFront: one HTTP server that turns
 * requests into API Gateway HTTP API (payload v2) events for the very same
 * Lambda handlers, verifies agents' JWTs the way the JWT authorizer does, and
 * serves the built SPA with History-API fallback.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { handler as blueprints } from '../functions/api/blueprints.js';
import { handler as customers } from '../functions/api/customers.js';
import { handler as directory } from '../functions/api/directory.js';
import { handler as fields } from '../functions/api/fields.js';
import { handler as meta } from '../functions/api/meta.js';
import { handler as publicApi } from '../functions/api/public.js';
import { ROUTES, type RouteDefinition, type RouteGroup, routeKey } from '../functions/api/routes.js';
import { handler as sla } from '../functions/api/sla.js';
import { handler as tickets } from '../functions/api/tickets.js';
import { handler as views } from '../functions/api/views.js';

type ApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const HANDLERS: Record<RouteGroup, ApiHandler> = {
  meta,
  public: publicApi,
  tickets,
  customers,
  directory,
  sla,
  blueprints,
  fields,
  views,
};

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export type LocalRoute = (
  request: IncomingMessage,
  body: Buffer,
) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

export interface LocalServerOptions {
  port: number;
  host?: string;
  webRoot: string;
  verifyToken(authorization: string | undefined): Promise<Record<string, unknown> | null>;
  /** Routes of the local runtime itself (`POST /local/login`, `/config.json`...), keyed `METHOD /path`. */
  localRoutes: Record<string, LocalRoute>;
  /** GET routes matched by path prefix (signed file downloads); a Buffer body is sent as is. */
  prefixRoutes?: Record<
    string,
    (url: URL, path: string) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>
  >;
}

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

const COMPILED: CompiledRoute[] = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
});

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

export async function startLocalServer(
  options: LocalServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      console.error('local server error', error);
      if (!response.headersSent)
        send(response, 500, { error: { code: 'internal_error', message: 'Local server error' } });
      else response.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolvePromise());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : options.port };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: LocalServerOptions,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();
  const path = decodeURIComponent(url.pathname).replace(/\/+$/, '') || '/';

  if (method === 'GET') {
    const prefix = Object.keys(options.prefixRoutes ?? {}).find((p) => url.pathname.startsWith(p));
    const route = prefix ? options.prefixRoutes?.[prefix] : undefined;
    if (prefix && route) {
      const result = await route(url, url.pathname.slice(prefix.length));
      return send(response, result.status, result.body, result.headers);
    }
  }
  const local = options.localRoutes[`${method} ${path}`];
  if (local) {
    const body = await readBody(request);
    if (body === null)
      return send(response, 413, { error: { code: 'payload_too_large', message: 'Body too large' } });
    const result = await local(request, body);
    return send(response, result.status, result.body, result.headers);
  }

  const wantsPage = method === 'GET' && (request.headers.accept ?? '').includes('text/html');
  const matches = COMPILED.map((c) => ({ c, m: c.pattern.exec(path) })).filter((x) => x.m !== null);
  if (matches.length > 0 && !(wantsPage && isPageRoute(path))) {
    const match = matches.find((x) => x.c.route.method === method);
    if (!match) {
      return send(
        response,
        405,
        { error: { code: 'method_not_allowed', message: `${method} is not allowed on ${path}` } },
        {
          allow: matches.map((x) => x.c.route.method).join(', '),
        },
      );
    }
    const body = await readBody(request);
    if (body === null)
      return send(response, 413, { error: { code: 'payload_too_large', message: 'Body over 10 MB' } });
    let claims: Record<string, unknown> | null = null;
    if (match.c.route.auth === 'jwt') {
      claims = await options.verifyToken(request.headers.authorization);
      if (!claims)
        return send(response, 401, {
          error: { code: 'unauthorized', message: 'Sign in first: missing or invalid bearer token' },
        });
    }
    const params = Object.fromEntries(
      match.c.names.map((name, i) => [name, decodeURIComponent(match.m![i + 1]!)]),
    );
    const event = toApiGatewayEvent(request, url, match.c.route, params, body, claims);
    const result = await HANDLERS[match.c.route.group](event, lambdaContext(event.requestContext.requestId));
    response.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
    response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return send(response, 404, {
      error: { code: 'route_not_found', message: `No route for ${method} ${path}` },
    });
  }
  serveStatic(path, options.webRoot, response);
}

/** Paths that are both an API route and an SPA page: a browser navigation (Accept: text/html) gets the page. */
function isPageRoute(path: string): boolean {
  return path !== '/health' && path !== '/openapi.json';
}

function serveStatic(path: string, webRoot: string, response: ServerResponse): void {
  const root = resolve(webRoot);
  const candidate = normalize(join(root, path));
  const inside = candidate.startsWith(root);
  const isFile = inside && existsSync(candidate) && statSync(candidate).isFile();
  const file = isFile ? candidate : join(root, 'index.html');
  if (!existsSync(file)) {
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('The agent app is not built yet: run `npm run build:web` (npm start does it for you).\n');
    return;
  }
  const immutable = isFile && path.startsWith('/assets/');
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file).pipe(response);
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolvePromise(tooLarge ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const raw = Buffer.isBuffer(body);
  response.writeHead(status, {
    'content-type': raw ? 'application/octet-stream' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(raw ? body : JSON.stringify(body));
}

function toApiGatewayEvent(
  request: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  body: Buffer,
  claims: Record<string, unknown> | null,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const requestId = randomUUID();
  const text = body.toString('utf8');
  const binary = body.length > 0 && Buffer.from(text, 'utf8').length !== body.length;
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: (claims ?? {}) as Record<string, string>, scopes: [] },
      },
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
    memoryLimitInMB: '1024',
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
