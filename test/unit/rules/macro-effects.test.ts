/**
 * What a macro leaves to the events handler (notifications and webhooks on
 * its `system` entry), the agent notification feed, and routing again after
 * a department move — each reacting once per stream record.
 */
import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryBlobStore,
  MemoryMailLedger,
  RecordingMailer,
} from '../../../functions/adapters/memory/mail.js';
import {
  MemoryRoutingStore,
  MemoryWorkflowStore,
  memoryDeps,
} from '../../../functions/adapters/memory/memory-store.js';
import { MemoryAgentNotificationStore } from '../../../functions/adapters/memory/notifications.js';
import { AgentSchema, type Principal, TeamSchema } from '../../../functions/domain/agents/model.js';
import { assignmentNotification } from '../../../functions/domain/agents/notifications.js';
import { departmentMove } from '../../../functions/domain/routing/reroute.js';
import { parseRule } from '../../../functions/domain/rules/model.js';
import type {
  WebhookRequest,
  WebhookResult,
  WebhookSender,
} from '../../../functions/domain/rules/webhooks.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { createTicket, updateTicket } from '../../../functions/domain/tickets/use-cases.js';
import {
  listMyNotifications,
  markMyNotificationsRead,
  recordAssignment,
} from '../../../functions/notifications/feed.js';
import {
  autoAssign,
  type RoutingContext,
  rerouteAfterDepartmentChange,
} from '../../../functions/routing/engine.js';
import { applyMacro, saveMacro } from '../../../functions/rules/admin.js';
import { reactToDeferredActions } from '../../../functions/rules/deferred.js';
import { type RulesContext, reactToRuleEvent } from '../../../functions/rules/engine.js';

const at = '2026-03-01T00:00:00.000Z';
let deps: ReturnType<typeof memoryDeps>;
let store: MemoryWorkflowStore;
let routingStore: MemoryRoutingStore;
let feed: MemoryAgentNotificationStore;
let mailer: RecordingMailer;
let sender: FakeSender;
let rules: RulesContext;
let routing: RoutingContext;

const principal = (agentId: string, role: Principal['role'] = 'agent'): Principal => ({
  agentId,
  email: `${agentId}@x.test`,
  name: agentId.toUpperCase(),
  role,
  departmentIds: ['tech', 'sales'],
});
const admin = principal('boss', 'admin');
const sam = principal('sam');

class FakeSender implements WebhookSender {
  readonly calls: WebhookRequest[] = [];
  async post(request: WebhookRequest): Promise<WebhookResult> {
    this.calls.push(request);
    return { status: 200, error: null };
  }
}

function seed() {
  for (const id of ['tech', 'sales']) {
    deps.state.departments.set(id, {
      id,
      name: id === 'tech' ? 'Tech' : 'Sales',
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    } as never);
  }
  for (const [id, departmentId, strategy] of [
    ['replacement', 'tech', 'manual'],
    ['closers', 'sales', 'round_robin'],
  ] as const) {
    deps.state.teams.set(
      id,
      TeamSchema.parse({
        id,
        name: id,
        departmentId,
        active: true,
        assignment: { strategy },
        version: 1,
        createdAt: at,
        updatedAt: at,
      }),
    );
  }
  const agents: [string, string[], string[], 'online' | 'away'][] = [
    ['sam', ['tech'], ['replacement'], 'online'],
    ['boss', ['tech', 'sales'], [], 'online'],
    ['sally', ['sales'], ['closers'], 'online'],
    ['sid', ['sales'], ['closers'], 'away'],
  ];
  for (const [id, departmentIds, teamIds, availability] of agents) {
    deps.state.agents.set(
      id,
      AgentSchema.parse({
        id,
        email: `${id}@x.test`,
        name: id.toUpperCase(),
        role: id === 'boss' ? 'admin' : 'agent',
        departmentIds,
        teamIds,
        availability,
        active: true,
        version: 1,
        createdAt: at,
        updatedAt: at,
      }),
    );
  }
}

async function newTicket(subject = 'Help'): Promise<Ticket> {
  const { ticket } = await createTicket(deps, {
    subject,
    description: 'Please help.',
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'web',
    departmentId: 'tech',
    createdBy: 'customer',
  });
  return ticket;
}

const timeline = (id: string): TimelineEntry[] => deps.state.entries.get(id) ?? [];
let eventNo = 0;

/** The events handler's reactions under test, for every entry written since `from`, once each. */
async function drain(ticketId: string, from = 0, eventIds?: string[]): Promise<number> {
  let seen = from;
  while (seen < timeline(ticketId).length) {
    const entry = timeline(ticketId)[seen++] as TimelineEntry;
    const eventId = `ev-${++eventNo}`;
    eventIds?.push(eventId);
    await rerouteAfterDepartmentChange(routing, entry, eventId);
    await recordAssignment({ deps, feed }, entry);
    await reactToDeferredActions(rules, entry);
  }
  return seen;
}

beforeEach(() => {
  deps = memoryDeps();
  store = new MemoryWorkflowStore();
  routingStore = new MemoryRoutingStore(deps.state);
  feed = new MemoryAgentNotificationStore();
  mailer = new RecordingMailer();
  sender = new FakeSender();
  seed();
  rules = {
    deps,
    store,
    feed,
    webhooks: sender,
    mail: {
      mailer,
      ledger: new MemoryMailLedger(),
      blobs: new MemoryBlobStore(),
      settings: {
        signingSecret: 'secret',
        supportAddresses: [{ address: 'support@desk.test', departmentId: null }],
        deskName: 'Desk',
        maxAttachmentBytes: 1_000_000,
        autoRepliesPerSenderPerHour: 5,
      },
    },
  };
  routing = { deps, store: routingStore, pending: new Map() };
});

describe('macro notify and webhook actions', () => {
  it('are sent from the stream once: mail to the assignee, their feed, the webhook, an entry naming the macro', async () => {
    await saveMacro(
      deps,
      store,
      admin,
      'escalate',
      {
        name: 'Escalate',
        scope: 'shared',
        actions: [
          { type: 'set_assignee', assigneeId: 'sam' },
          {
            type: 'notify',
            to: 'assignee',
            template: {
              subject: 'Escalated: #{{ticket.number}}',
              body: 'Please look at {{ticket.subject}}.',
            },
          },
          { type: 'webhook', url: 'https://hooks.example.com/escalated' },
        ],
      },
      null,
    );
    const ticket = await newTicket('Broken screen');
    const results = await applyMacro(deps, store, admin, 'escalate', [ticket.id]);
    expect(results).toEqual([{ ticketId: ticket.id, ok: true }]);

    const handedOver = timeline(ticket.id).find((e) => e.automation);
    expect(handedOver).toMatchObject({
      kind: 'system',
      author: { type: 'agent', id: 'boss' },
      body: 'Macro "Escalate" notifies agent sam; calls webhook hooks.example.com.',
    });
    // Nothing is sent while the macro is applied: the stream does it.
    expect(mailer.sent).toEqual([]);
    expect(sender.calls).toEqual([]);

    const ids: string[] = [];
    await drain(ticket.id, 0, ids);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toEqual(['sam@x.test']);
    const mail = await simpleParser(Buffer.from(mailer.sent[0]?.raw ?? new Uint8Array()));
    expect(mail.subject).toBe(`[#${ticket.number}] Escalated: #${ticket.number}`);
    expect(mail.text).toContain('Please look at Broken screen.');
    expect(sender.calls).toHaveLength(1);
    expect(JSON.parse(sender.calls[0]?.body ?? '{}')).toMatchObject({
      event: 'macro_applied',
      macro: { id: 'escalate', name: 'Escalate' },
      ticket: { id: ticket.id, assigneeId: 'sam' },
    });
    const samFeed = await listMyNotifications(deps, feed, sam);
    expect(samFeed.items.map((n) => [n.kind, n.text])).toEqual([
      ['macro', `Macro "Escalate": Escalated: #${ticket.number}`],
      // Assigned by the admin's macro: someone else assigned it.
      ['assigned', 'Assigned to you by BOSS.'],
    ]);
    const outcome = timeline(ticket.id).find((e) => e.author.id === 'macro:escalate');
    expect(outcome?.body).toBe(
      'Macro "Escalate" (applied by BOSS) notified SAM; called webhook hooks.example.com: HTTP 200.',
    );

    // Every record delivered again: nothing is sent or written twice.
    const before = timeline(ticket.id).length;
    for (const entry of timeline(ticket.id).slice(0, before)) {
      await recordAssignment({ deps, feed }, entry);
      await reactToDeferredActions(rules, entry);
    }
    expect(mailer.sent).toHaveLength(1);
    expect(sender.calls).toHaveLength(1);
    expect(timeline(ticket.id)).toHaveLength(before);
    expect((await listMyNotifications(deps, feed, sam)).items).toHaveLength(2);
  });

  it('a notify-only macro still leaves its entry; without mail the agent gets the feed item only', async () => {
    await saveMacro(
      deps,
      store,
      admin,
      'ping',
      {
        name: 'Ping Sally',
        scope: 'shared',
        actions: [{ type: 'notify', to: { agentId: 'sally' }, template: { subject: 'Look', body: 'Now.' } }],
      },
      null,
    );
    const ticket = await newTicket();
    await applyMacro(deps, store, admin, 'ping', [ticket.id]);
    rules = { ...rules, mail: null };
    await drain(ticket.id);
    expect(mailer.sent).toEqual([]);
    const items = (await feed.list('sally', 10, deps.clock.now())).items;
    expect(items.map((n) => n.text)).toEqual(['Macro "Ping Sally": Look']);
  });
});

describe('agent notification feed', () => {
  it('an assignment notifies the assignee unless they took it themselves; read marks and "all read"', async () => {
    const one = await newTicket('One');
    const two = await newTicket('Two');
    await updateTicket(deps, sam, one.id, { assigneeId: 'sam' });
    await updateTicket(deps, admin, two.id, { assigneeId: 'sam' });
    await drain(one.id);
    await drain(two.id);
    let mine = await listMyNotifications(deps, feed, sam);
    expect(mine.unread).toBe(1);
    expect(mine.items).toEqual([
      {
        id: expect.stringMatching(/^[0-9A-Z]{26}$/),
        at: expect.any(String),
        kind: 'assigned',
        ticketId: two.id,
        ticketNumber: two.number,
        subject: 'Two',
        text: 'Assigned to you by BOSS.',
        read: false,
      },
    ]);
    const three = await newTicket('Three');
    await updateTicket(deps, admin, three.id, { assigneeId: 'sam' });
    await drain(three.id);
    const first = mine.items[0]?.id as string;
    expect(await markMyNotificationsRead(deps, feed, sam, [first])).toEqual({ unread: 1 });
    mine = await listMyNotifications(deps, feed, sam);
    expect(mine.items.map((n) => [n.subject, n.read])).toEqual([
      ['Three', false],
      ['Two', true],
    ]);
    expect(await markMyNotificationsRead(deps, feed, sam, undefined)).toEqual({ unread: 0 });
    expect((await listMyNotifications(deps, feed, sam)).items.every((n) => n.read)).toBe(true);
  });

  it('names who assigned, and ignores other entries', () => {
    const base: TimelineEntry = {
      id: 'e1',
      ticketId: 't1',
      kind: 'event',
      createdAt: at,
      author: { type: 'system', id: 'assignment:closers', name: 'Assignment (round robin)' },
      body: null,
      channel: null,
      changes: [{ field: 'assigneeId', from: null, to: 'sally' }],
    };
    const ticket = { id: 't1', number: 5, subject: 'S' };
    expect(assignmentNotification(base, ticket)).toMatchObject({
      agentId: 'sally',
      text: 'Assigned to you by Assignment (round robin).',
      dedupeKey: 'assign#e1',
    });
    expect(
      assignmentNotification({ ...base, changes: [{ field: 'assigneeId', from: 'x', to: null }] }, ticket),
    ).toBe(null);
    expect(assignmentNotification({ ...base, kind: 'note' }, ticket)).toBe(null);
  });
});

describe('routing again after a department move', () => {
  it('an agent moving a ticket to Sales: old team and non-member assignee left, round robin picks an online closer', async () => {
    const ticket = await newTicket();
    await updateTicket(deps, admin, ticket.id, { teamId: 'replacement', assigneeId: 'sam' });
    let seen = await drain(ticket.id);
    await updateTicket(deps, sam, ticket.id, { departmentId: 'sales' });
    const ids: string[] = [];
    seen = await drain(ticket.id, seen, ids);
    const after = await deps.tickets.get(ticket.id);
    expect(after).toMatchObject({ departmentId: 'sales', teamId: 'closers', assigneeId: 'sally' });
    const system = timeline(ticket.id)
      .filter((e) => e.kind === 'system')
      .map((e) => e.body);
    expect(system).toContain(
      'Moved to Sales: left team replacement and unassigned SAM, who is not in Sales; routing it within Sales.',
    );
    expect(system).toContain('Assigned to SALLY by round robin (team closers).');
    expect((await listMyNotifications(deps, feed, principal('sally'))).items[0]?.kind).toBe('assigned');

    // The move's record again: routed once only.
    const moveEntry = timeline(ticket.id).find((e) => departmentMove(e)?.to === 'sales') as TimelineEntry;
    const version = after?.version;
    expect(await rerouteAfterDepartmentChange(routing, moveEntry, ids[0] as string)).toEqual({
      type: 'skipped',
    });
    expect((await deps.tickets.get(ticket.id))?.version).toBe(version);
  });

  it('keeps a team of the new department, an assignee who is a member, and ignores routing’s own changes', async () => {
    const ticket = await newTicket();
    let seen = await drain(ticket.id);
    // The same change sets the team of the new department: nothing to route.
    await updateTicket(deps, admin, ticket.id, { departmentId: 'sales', teamId: 'closers' });
    seen = await drain(ticket.id, seen);
    expect(await deps.tickets.get(ticket.id)).toMatchObject({ teamId: 'closers', assigneeId: null });

    // The admin is a member of Tech: assigned to them, the move back keeps them and only leaves the team.
    await updateTicket(deps, admin, ticket.id, { assigneeId: 'boss' });
    seen = await drain(ticket.id, seen);
    await updateTicket(deps, admin, ticket.id, { departmentId: 'tech' });
    seen = await drain(ticket.id, seen);
    expect(await deps.tickets.get(ticket.id)).toMatchObject({
      departmentId: 'tech',
      teamId: null,
      assigneeId: 'boss',
    });

    const routingChange: TimelineEntry = {
      id: 'x',
      ticketId: ticket.id,
      kind: 'event',
      createdAt: at,
      author: { type: 'system', id: 'routing-rule:r1', name: 'Routing rule "r1"' },
      body: null,
      channel: null,
      changes: [{ field: 'departmentId', from: null, to: 'sales' }],
    };
    expect(departmentMove(routingChange)).toBe(null);
    expect(
      departmentMove({ ...routingChange, author: { type: 'system', id: 'rule:r2', name: 'Rule' } }),
    ).toEqual({
      to: 'sales',
      assigneeChanged: false,
    });
  });

  it('queues the ticket when nobody in the new department can take it', async () => {
    const sally = deps.state.agents.get('sally');
    if (sally) deps.state.agents.set('sally', { ...sally, availability: 'away' });
    const ticket = await newTicket();
    const seen = await drain(ticket.id);
    await updateTicket(deps, sam, ticket.id, { departmentId: 'sales' });
    await drain(ticket.id, seen);
    expect(await deps.tickets.get(ticket.id)).toMatchObject({
      departmentId: 'sales',
      teamId: 'closers',
      assigneeId: null,
    });
    expect(timeline(ticket.id).at(-1)?.body).toMatch(
      /^Not assigned automatically: .* It waits in the team's queue\.$/,
    );
  });
});

describe('a rule assigning by round robin and notifying the assignee', () => {
  it('notifies the agent the strategy picked, by mail and in their feed, and sends them in the webhook payload', async () => {
    await store.putRule(
      parseRule({
        id: 'sales-lead',
        name: 'Sales leads',
        active: true,
        position: 0,
        trigger: 'ticket_created',
        conditions: { all: [{ field: 'subject', operator: 'contains', value: 'quote' }] },
        actions: [
          { type: 'set_department', departmentId: 'sales' },
          { type: 'set_team', teamId: 'closers' },
          { type: 'set_assignee', assigneeId: 'round_robin' },
          { type: 'notify', to: 'assignee', template: { subject: 'New lead', body: 'Call them.' } },
          { type: 'webhook', url: 'https://crm.example.com/leads' },
        ],
        version: 1,
      }),
      null,
      'boss@x.test',
      new Date(at),
    );
    rules = {
      ...rules,
      assign: async (ticket, ruleName) => {
        await autoAssign(routing, ticket, { ruleName });
      },
    };
    const ticket = await newTicket('Need a quote');
    await reactToRuleEvent(rules, { trigger: 'ticket_created', eventId: 'ev-lead', ticketId: ticket.id });
    expect(await deps.tickets.get(ticket.id)).toMatchObject({ teamId: 'closers', assigneeId: 'sally' });
    expect(mailer.sent.map((m) => m.to)).toEqual([['sally@x.test']]);
    expect((await feed.list('sally', 5, deps.clock.now())).items.map((n) => n.text)).toEqual([
      'Rule "Sales leads": New lead',
    ]);
    expect(JSON.parse(sender.calls[0]?.body ?? '{}').ticket).toMatchObject({ assigneeId: 'sally' });
  });
});
