import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { FetchWebhookSender } from '../../../functions/adapters/http/webhook-sender.js';
import {
  MemoryBlobStore,
  MemoryMailLedger,
  RecordingMailer,
} from '../../../functions/adapters/memory/mail.js';
import { MemoryWorkflowStore, memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { parseRule, type RuleInput } from '../../../functions/domain/rules/model.js';
import {
  isPrivateAddress,
  type WebhookRequest,
  type WebhookResult,
  type WebhookSender,
  webhookDeliveryId,
  webhookPayload,
  webhookSignature,
  webhookSigningKey,
  webhookUrlProblems,
} from '../../../functions/domain/rules/webhooks.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { createTicket } from '../../../functions/domain/tickets/use-cases.js';
import { type RulesContext, reactToRuleEvent, runTimeBasedRules } from '../../../functions/rules/engine.js';

const SECRET = 'mail-signing-secret';

describe('webhook URLs', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    'not-an-address',
  ])('%s is not a public address', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is a public address',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it('needs https to a public host on AWS; the local policy allows http to 127.0.0.1', () => {
    expect(webhookUrlProblems('https://hooks.example.com/x')).toEqual([]);
    expect(webhookUrlProblems('http://127.0.0.1:8080/x')).toEqual([
      'webhooks must use https',
      'webhooks cannot call an internal host (127.0.0.1)',
    ]);
    expect(
      webhookUrlProblems('http://127.0.0.1:8080/x', { allowHttp: true, allowPrivateHosts: true }),
    ).toEqual([]);
    expect(webhookUrlProblems('https://printer.local/x')).toEqual([
      'webhooks cannot call an internal host (printer.local)',
    ]);
  });
});

describe('webhook payload and signature', () => {
  it('signs the raw body with HMAC-SHA256 keyed by HMAC(secret, "webhook")', () => {
    const key = webhookSigningKey(SECRET);
    expect(key).toBe(createHmac('sha256', SECRET).update('webhook').digest('hex'));
    const body = '{"a":1}';
    expect(webhookSignature(key, body)).toBe(
      `sha256=${createHmac('sha256', key).update(body).digest('hex')}`,
    );
  });

  it('gives one delivery id per claim key, shaped like a UUID', () => {
    const id = webhookDeliveryId('webhook#r1#ev-1#0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(webhookDeliveryId('webhook#r1#ev-1#0')).toBe(id);
    expect(webhookDeliveryId('webhook#r1#ev-2#0')).not.toBe(id);
  });
});

describe('FetchWebhookSender', () => {
  type Call = { url: string; init: RequestInit };
  let calls: Call[];
  const fakeFetch =
    (answer: () => Promise<Response>): typeof fetch =>
    async (input, init) => {
      calls.push({ url: String(input), init: init ?? {} });
      return answer();
    };
  const request: WebhookRequest = {
    url: 'https://hooks.example.com/t?x=1',
    body: '{"hello":"world"}',
    headers: { 'x-helpdesk-signature': 'sha256=abc', 'x-helpdesk-delivery': 'd-1' },
  };

  beforeEach(() => {
    calls = [];
  });

  it('posts the body once with the headers, follows no redirect, reports the status', async () => {
    const sender = new FetchWebhookSender({
      fetch: fakeFetch(async () => new Response('ignored', { status: 302, headers: { location: '/x' } })),
      resolve: async () => ['93.184.216.34'],
    });
    expect(await sender.post(request)).toEqual({ status: 302, error: null });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('https://hooks.example.com/t?x=1');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.redirect).toBe('manual');
    expect(call?.init.body).toBe('{"hello":"world"}');
    expect(call?.init.signal).toBeInstanceOf(AbortSignal);
    expect(call?.init.headers).toMatchObject({
      'content-type': 'application/json',
      'x-helpdesk-signature': 'sha256=abc',
      'x-helpdesk-delivery': 'd-1',
    });
  });

  it('refuses a host that resolves to a private address (SSRF), without calling it', async () => {
    const sender = new FetchWebhookSender({
      fetch: fakeFetch(async () => new Response(null, { status: 200 })),
      resolve: async () => ['93.184.216.34', '169.254.169.254'],
    });
    expect(await sender.post(request)).toEqual({
      status: null,
      error: 'refused: hooks.example.com resolves to an internal address (169.254.169.254)',
    });
    expect(calls).toEqual([]);
  });

  it('refuses http and literal private addresses under the strict policy', async () => {
    const sender = new FetchWebhookSender({
      fetch: fakeFetch(async () => new Response(null, { status: 200 })),
      resolve: async () => ['93.184.216.34'],
    });
    expect((await sender.post({ ...request, url: 'http://hooks.example.com/' })).error).toBe(
      'refused: webhooks must use https',
    );
    expect((await sender.post({ ...request, url: 'https://[::ffff:a9fe:a9fe]/' })).error).toContain(
      'internal host',
    );
    expect(calls).toEqual([]);
  });

  it('gives up after the timeout and says so', async () => {
    const sender = new FetchWebhookSender({
      timeoutMs: 30,
      resolve: async () => ['93.184.216.34'],
      fetch: async (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    });
    expect(await sender.post(request)).toEqual({ status: null, error: 'no answer within 0.03 s' });
  });

  it('reports an unresolvable host and a refused connection as errors', async () => {
    const unresolvable = new FetchWebhookSender({
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    expect(await unresolvable.post(request)).toEqual({
      status: null,
      error: 'could not resolve hooks.example.com (ENOTFOUND)',
    });
    const refused = new FetchWebhookSender({
      resolve: async () => ['93.184.216.34'],
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      },
    });
    expect(await refused.post(request)).toEqual({ status: null, error: 'request failed (ECONNREFUSED)' });
  });
});

/** Records every call; answers with `status` (or fails with `error`). */
class FakeSender implements WebhookSender {
  readonly calls: WebhookRequest[] = [];
  answer: WebhookResult = { status: 204, error: null };
  async post(request: WebhookRequest): Promise<WebhookResult> {
    this.calls.push(request);
    return this.answer;
  }
}

describe('webhooks of workflow rules', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let store: MemoryWorkflowStore;
  let sender: FakeSender;
  let ledger: MemoryMailLedger;
  let context: RulesContext;

  const saveRule = (id: string, input: Omit<RuleInput, 'id' | 'version'>) =>
    store.putRule(parseRule({ ...input, id, version: 1 }), null, 'boss@x.test', new Date());

  async function newTicket(): Promise<Ticket> {
    const { ticket } = await createTicket(deps, {
      subject: 'Printer on fire',
      description: 'It is smoking.',
      customer: { email: 'ann@example.com', name: 'Ann' },
      channel: 'web',
      departmentId: null,
      createdBy: 'customer',
    });
    return ticket;
  }
  const systemEntries = (ticketId: string) =>
    (deps.state.entries.get(ticketId) ?? []).filter((e: TimelineEntry) => e.kind === 'system');

  beforeEach(() => {
    deps = memoryDeps();
    store = new MemoryWorkflowStore();
    sender = new FakeSender();
    ledger = new MemoryMailLedger();
    context = {
      deps,
      store,
      webhooks: sender,
      mail: {
        mailer: new RecordingMailer(),
        ledger,
        blobs: new MemoryBlobStore(),
        settings: {
          signingSecret: SECRET,
          supportAddresses: [{ address: 'support@desk.test', departmentId: null }],
          deskName: 'Desk',
          maxAttachmentBytes: 1_000_000,
          autoRepliesPerSenderPerHour: 5,
        },
      },
    };
  });

  it('posts the signed standard payload once per rule and stream record, and names the outcome on the timeline', async () => {
    await saveRule('fire', {
      name: 'Fire alarm',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      conditions: { all: [{ field: 'subject', operator: 'contains', value: 'fire' }] },
      actions: [
        { type: 'set_priority', priority: 'urgent' },
        { type: 'add_tags', tags: ['fire'] },
        { type: 'webhook', url: 'https://hooks.example.com/fire' },
      ],
    });
    const ticket = await newTicket();
    await reactToRuleEvent(context, { trigger: 'ticket_created', eventId: 'ev-1', ticketId: ticket.id });

    expect(sender.calls).toHaveLength(1);
    const [call] = sender.calls;
    const key = webhookSigningKey(SECRET);
    expect(call?.headers['x-helpdesk-signature']).toBe(webhookSignature(key, call?.body ?? ''));
    const deliveryId = webhookDeliveryId('webhook#fire#ev-1#0');
    expect(call?.headers['x-helpdesk-delivery']).toBe(deliveryId);
    const payload = JSON.parse(call?.body ?? '{}');
    expect(payload).toEqual({
      id: deliveryId,
      event: 'ticket_created',
      rule: { id: 'fire', name: 'Fire alarm' },
      ticket: {
        id: ticket.id,
        number: ticket.number,
        subject: 'Printer on fire',
        // The ticket as the rule left it.
        status: 'new',
        priority: 'urgent',
        departmentId: null,
        teamId: null,
        assigneeId: null,
        tags: ['fire'],
        customerEmail: 'ann@example.com',
        customFields: {},
      },
      timestamp: expect.any(String),
    });
    expect(systemEntries(ticket.id).map((e) => e.body)).toEqual([
      'Rule "Fire alarm" (ticket created) set priority to urgent; set tags to fire; called webhook hooks.example.com: HTTP 204.',
    ]);

    // The same record again (a redelivered batch): nothing is called twice.
    await reactToRuleEvent(context, { trigger: 'ticket_created', eventId: 'ev-1', ticketId: ticket.id });
    expect(sender.calls).toHaveLength(1);
  });

  it('records a failed call on the timeline and does not retry it', async () => {
    await saveRule('hook', {
      name: 'Tell the CRM',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      actions: [{ type: 'webhook', url: 'https://crm.example.com/hook' }],
    });
    sender.answer = { status: null, error: 'no answer within 5 s' };
    const ticket = await newTicket();
    await reactToRuleEvent(context, { trigger: 'ticket_created', eventId: 'ev-9', ticketId: ticket.id });
    expect(systemEntries(ticket.id).map((e) => e.body)).toEqual([
      'Rule "Tell the CRM" (ticket created) could not call webhook crm.example.com: no answer within 5 s.',
    ]);
    expect(ledger.claims.has('webhook#hook#ev-9#0')).toBe(true);
    expect(sender.calls).toHaveLength(1);
  });

  it('a time-based rule calls its webhook once per ticket; a body template is sent as rendered', async () => {
    await saveRule('stale', {
      name: 'Stale',
      active: true,
      position: 0,
      trigger: 'time_based',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'new' }] },
      actions: [
        {
          type: 'webhook',
          url: 'https://hooks.example.com/stale',
          bodyTemplate: '{"n":{{ticket.number}},"s":"{{ticket.subject}}"}',
        },
      ],
    });
    const ticket = await newTicket();
    await runTimeBasedRules(context);
    await runTimeBasedRules(context);
    expect(sender.calls).toHaveLength(1);
    expect(JSON.parse(sender.calls[0]?.body ?? '')).toEqual({ n: ticket.number, s: 'Printer on fire' });
    expect(sender.calls[0]?.headers['x-helpdesk-delivery']).toBe(
      webhookDeliveryId(`webhook#stale#time#${ticket.id}#0`),
    );
  });

  it('without the mail channel (no signing secret) no webhook is called, and the entry says why', async () => {
    await saveRule('hook', {
      name: 'Hook',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      actions: [{ type: 'webhook', url: 'https://crm.example.com/hook' }],
    });
    const ticket = await newTicket();
    await reactToRuleEvent(
      { ...context, mail: null },
      { trigger: 'ticket_created', eventId: 'ev-2', ticketId: ticket.id },
    );
    expect(sender.calls).toEqual([]);
    expect(systemEntries(ticket.id)[0]?.body).toContain(
      'did not call 1 webhook(s): webhooks are not configured here',
    );
  });

  it('builds the standard payload from the ticket', () => {
    const body = webhookPayload({
      deliveryId: 'd',
      event: 'macro_applied',
      source: { kind: 'macro', id: 'm1', name: 'Refund' },
      ticket: {
        id: 't1',
        number: 7,
        subject: 's',
        status: 'open',
        priority: 'low',
        departmentId: 'd1',
        teamId: 'tm',
        assigneeId: 'a1',
        tags: ['x'],
        customFields: { order: 'A-1' },
      } as unknown as Ticket,
      customerEmail: null,
      at: new Date('2026-01-01T00:00:00Z'),
    });
    expect(JSON.parse(body)).toMatchObject({
      event: 'macro_applied',
      macro: { id: 'm1', name: 'Refund' },
      ticket: { customFields: { order: 'A-1' }, customerEmail: null, assigneeId: 'a1' },
      timestamp: '2026-01-01T00:00:00.000Z',
    });
  });
});
