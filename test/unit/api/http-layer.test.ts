import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { handler as directory } from '../../../functions/api/directory.js';
import type { ApiEvent, ApiResult } from '../../../functions/api/http.js';
import { handler as publicHandler } from '../../../functions/api/public.js';
import { handler as tickets } from '../../../functions/api/tickets.js';
import { readConfig } from '../../../functions/composition/config.js';
import { type AppContext, installAppContext } from '../../../functions/composition/deps.js';

let deps: ReturnType<typeof memoryDeps>;
const at = '2026-03-01T00:00:00.000Z';

beforeEach(() => {
  deps = memoryDeps();
  deps.state.agents.set('a1', {
    id: 'a1',
    email: 'a1@x.test',
    name: 'Ana',
    role: 'agent',
    departmentIds: [],
    teamIds: [],
    active: true,
    availability: 'online',
    capacity: 20,
    skills: [],
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  installAppContext({
    config: readConfig({ TABLE_NAME: 't', PUBLIC_RATE_LIMIT_PER_MINUTE: '2' }),
    deps,
  } as unknown as AppContext);
});

function event(
  routeKey: string,
  init: {
    body?: unknown;
    headers?: Record<string, string>;
    params?: Record<string, string>;
    claims?: Record<string, unknown> | null;
    query?: Record<string, string>;
  } = {},
): ApiEvent {
  const claims = init.claims === undefined ? { sub: 'a1', 'cognito:groups': '[agent]' } : init.claims;
  return {
    version: '2.0',
    routeKey,
    rawPath: '/',
    rawQueryString: '',
    headers: init.headers ?? {},
    queryStringParameters: init.query,
    pathParameters: init.params,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      authorizer: claims ? { jwt: { claims, scopes: [] } } : undefined,
    },
  } as unknown as ApiEvent;
}

const ctx = {} as Context;
async function call(
  h: typeof tickets,
  e: ApiEvent,
): Promise<{
  status: number;
  body: { error?: { code: string; message: string; details?: { field: string }[] } } & Record<
    string,
    unknown
  >;
  headers: Record<string, unknown>;
}> {
  const result = (await h(e, ctx)) as ApiResult;
  return {
    status: result.statusCode ?? 0,
    body: JSON.parse(result.body ?? '{}'),
    headers: (result.headers ?? {}) as Record<string, unknown>,
  };
}

const validTicket = {
  subject: 'Printer',
  description: 'It is on fire',
  customer: { email: 'ann@example.com' },
};

describe('the HTTP layer', () => {
  it('creates a ticket: 201, ETag with the version, Location', async () => {
    const res = await call(tickets, event('POST /tickets', { body: validTicket }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number: 1001, status: 'new', channel: 'phone' });
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/tickets/${res.body.id}`);
  });

  it('names every invalid field in a 400 and writes nothing', async () => {
    const res = await call(
      tickets,
      event('POST /tickets', { body: { subject: '', customer: { email: 'nope' }, priority: 'asap' } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('invalid_request');
    const fields = res.body.error?.details?.map((d) => d.field).sort();
    expect(fields).toEqual(['customer.email', 'description', 'priority', 'subject']);
    expect(res.body.error?.message).toContain('subject');
    expect(deps.state.tickets.size).toBe(0);
  });

  it('answers malformed JSON and unknown fields with 400', async () => {
    expect((await call(tickets, event('POST /tickets', { body: '{"subject":' }))).body.error?.code).toBe(
      'invalid_json',
    );
    const extra = await call(tickets, event('POST /tickets', { body: { ...validTicket, admin: true } }));
    expect(extra.status).toBe(400);
  });

  it('needs a token (401) of an active agent (403)', async () => {
    expect((await call(tickets, event('GET /tickets', { claims: null }))).status).toBe(401);
    expect(
      (
        await call(
          tickets,
          event('GET /tickets', { claims: { sub: 'stranger', 'cognito:groups': '[admin]' } }),
        )
      ).status,
    ).toBe(403);
  });

  it('takes the lesser of the token’s role and the directory’s: a demoted admin’s old token is no admin', async () => {
    const demoted = {
      ...deps.state.agents.get('a1')!,
      id: 'demoted',
      email: 'd@x.test',
      role: 'agent' as const,
    };
    deps.state.agents.set('demoted', demoted);
    const asDemoted = (body: unknown) =>
      event('POST /departments', { body, claims: { sub: 'demoted', 'cognito:groups': '[admin]' } });
    expect((await call(directory, asDemoted({ name: 'Sneaky' }))).status).toBe(403);
    deps.state.agents.set('promoted', { ...demoted, id: 'promoted', role: 'admin' });
    const promoted = event('POST /departments', {
      body: { name: 'Legit' },
      claims: { sub: 'promoted', 'cognito:groups': '[admin]' },
    });
    expect((await call(directory, promoted)).status).toBe(201);
  });

  it('PATCH with a stale If-Match is a 412 and changes nothing; a malformed If-Match is a 400', async () => {
    const created = await call(tickets, event('POST /tickets', { body: validTicket }));
    const id = String(created.body.id);
    const ok = await call(
      tickets,
      event('PATCH /tickets/{id}', {
        params: { id },
        body: { priority: 'high' },
        headers: { 'If-Match': '"1"' },
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await call(
      tickets,
      event('PATCH /tickets/{id}', {
        params: { id },
        body: { priority: 'low' },
        headers: { 'if-match': '"1"' },
      }),
    );
    expect(stale.status).toBe(412);
    expect(stale.body.error?.code).toBe('version_conflict');
    expect(deps.state.tickets.get(id)?.priority).toBe('high');
    const bad = await call(
      tickets,
      event('PATCH /tickets/{id}', {
        params: { id },
        body: { priority: 'low' },
        headers: { 'if-match': 'yesterday' },
      }),
    );
    expect(bad.status).toBe(400);
  });

  it('maps an illegal status move to 409 and an unknown ticket to 404', async () => {
    const created = await call(tickets, event('POST /tickets', { body: validTicket }));
    const id = String(created.body.id);
    const res = await call(
      tickets,
      event('PATCH /tickets/{id}', { params: { id }, body: { status: 'closed' } }),
    );
    expect(res.status).toBe(409);
    expect(res.body.error?.code).toBe('transition_not_allowed');
    expect((await call(tickets, event('GET /tickets/{id}', { params: { id: 'missing' } }))).status).toBe(404);
  });

  it('replays an Idempotency-Key and refuses its reuse with another body (422)', async () => {
    const headers = { 'idempotency-key': 'abc-123' };
    const first = await call(tickets, event('POST /tickets', { body: validTicket, headers }));
    const again = await call(tickets, event('POST /tickets', { body: validTicket, headers }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const reused = await call(
      tickets,
      event('POST /tickets', { body: { ...validTicket, subject: 'Other' }, headers }),
    );
    expect(reused.status).toBe(422);
    expect(deps.state.tickets.size).toBe(1);
  });

  it('keeps 5xx opaque', async () => {
    deps.tickets.list = async () => {
      throw new Error('secret table detail');
    };
    const res = await call(tickets, event('GET /tickets'));
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });
});

describe('the public web form', () => {
  const form = { name: 'Ann', email: 'ann@example.com', subject: 'Help', description: 'Broken' };

  it('answers only with the ticket number', async () => {
    const res = await call(publicHandler, event('POST /public/tickets', { body: form, claims: null }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ number: 1001 });
  });

  it('turns away a filled honeypot without creating anything', async () => {
    const res = await call(
      publicHandler,
      event('POST /public/tickets', { body: { ...form, website: 'http://spam.example' }, claims: null }),
    );
    expect(res.status).toBe(400);
    expect(deps.state.tickets.size).toBe(0);
  });

  it('rate-limits per source address with Retry-After', async () => {
    await call(publicHandler, event('POST /public/tickets', { body: form, claims: null }));
    await call(publicHandler, event('POST /public/tickets', { body: form, claims: null }));
    const third = await call(publicHandler, event('POST /public/tickets', { body: form, claims: null }));
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('60');
    expect(deps.state.tickets.size).toBe(2);
  });
});
