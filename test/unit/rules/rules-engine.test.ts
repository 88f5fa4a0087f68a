import { beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryBlobStore,
  MemoryMailLedger,
  RecordingMailer,
} from '../../../functions/adapters/memory/mail.js';
import { MemoryWorkflowStore, memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { AgentSchema, type Principal, TeamSchema } from '../../../functions/domain/agents/model.js';
import { parseRule, type RuleInput } from '../../../functions/domain/rules/model.js';
import { Forbidden, VersionConflict } from '../../../functions/domain/shared/errors.js';
import type { SlaRecord } from '../../../functions/domain/sla/record.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { addReply, createTicket, updateTicket } from '../../../functions/domain/tickets/use-cases.js';
import { applyMacro, saveMacro, saveWorkflowRule } from '../../../functions/rules/admin.js';
import {
  type RulesContext,
  reactToRuleEvent,
  ruleEventForEntry,
  runTimeBasedRules,
} from '../../../functions/rules/engine.js';

const at = '2026-03-01T00:00:00.000Z';
let deps: ReturnType<typeof memoryDeps>;
let store: MemoryWorkflowStore;
let mailer: RecordingMailer;
let context: RulesContext;
let slaDue: Map<string, string>;

const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const sam: Principal = {
  agentId: 'sam',
  email: 'sam@x.test',
  name: 'Sam',
  role: 'agent',
  departmentIds: ['tech'],
};

function seed() {
  deps.state.departments.set('tech', {
    id: 'tech',
    name: 'Tech',
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  } as never);
  deps.state.teams.set(
    'replacement',
    TeamSchema.parse({
      id: 'replacement',
      name: 'Replacement',
      departmentId: 'tech',
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    }),
  );
  for (const [id, role] of [
    ['sam', 'agent'],
    ['sky', 'supervisor'],
    ['boss', 'admin'],
  ] as const) {
    deps.state.agents.set(
      id,
      AgentSchema.parse({
        id,
        email: `${id}@x.test`,
        name: id.toUpperCase(),
        role,
        departmentIds: ['tech'],
        teamIds: id === 'sam' ? ['replacement'] : [],
        active: true,
        version: 1,
        createdAt: at,
        updatedAt: at,
      }),
    );
  }
}

async function saveRule(id: string, input: Omit<RuleInput, 'id' | 'version'>) {
  await store.putRule(parseRule({ ...input, id, version: 1 }), null, 'boss@x.test', new Date(at));
}

async function newTicket(description: string, departmentId: string | null = 'tech'): Promise<Ticket> {
  const { ticket } = await createTicket(deps, {
    subject: 'Help',
    description,
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'web',
    departmentId,
    createdBy: 'customer',
  });
  return ticket;
}

const timeline = (id: string): TimelineEntry[] => deps.state.entries.get(id) ?? [];
let eventNo = 0;
const nextEvent = () => `ev-${++eventNo}`;

/** What the events handler does with the entries written since `from`: the rule events they are. */
async function drain(ticketId: string, from: number): Promise<number> {
  let seen = from;
  for (let guard = 0; guard < 20 && seen < timeline(ticketId).length; guard++) {
    const entry = timeline(ticketId)[seen++] as TimelineEntry;
    const event = ruleEventForEntry(entry, nextEvent());
    if (event) await reactToRuleEvent(context, event);
  }
  return seen;
}

beforeEach(() => {
  deps = memoryDeps();
  store = new MemoryWorkflowStore();
  mailer = new RecordingMailer();
  slaDue = new Map();
  seed();
  context = {
    deps,
    store,
    sla: {
      get: async (ticketId) => {
        const dueAt = slaDue.get(ticketId);
        return dueAt
          ? ({ applied: { targets: [{ kind: 'resolution', dueAt, metAt: null }] } } as unknown as SlaRecord)
          : null;
      },
    },
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
});

describe('workflow rules at run time', () => {
  it('a ticket_created rule sets priority and team as one change authored by the rule, and says so', async () => {
    await saveRule('hot', {
      name: 'Hot phones',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      conditions: { all: [{ field: 'body', operator: 'contains', value: 'phone overheating' }] },
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'set_team', teamId: 'replacement' },
        { type: 'add_note', body: 'Check the battery batch for #{{ticket.number}}.' },
      ],
    });
    const ticket = await newTicket('My phone overheating at night');
    const outcome = await reactToRuleEvent(context, {
      trigger: 'ticket_created',
      eventId: 'e1',
      ticketId: ticket.id,
    });
    expect(outcome.fired).toEqual([{ ruleId: 'hot', ruleName: 'Hot phones' }]);
    const after = await deps.tickets.get(ticket.id);
    expect(after).toMatchObject({ priority: 'high', teamId: 'replacement', version: 2 });
    const entries = timeline(ticket.id);
    const change = entries.find((e) => e.kind === 'event');
    expect(change?.author).toEqual({ type: 'system', id: 'rule:hot', name: 'Rule "Hot phones"' });
    expect(change?.ruleCause).toEqual({ ruleIds: ['hot'], depth: 1 });
    expect(entries.find((e) => e.kind === 'note')?.body).toBe(
      `Check the battery batch for #${ticket.number}.`,
    );
    expect(entries.find((e) => e.kind === 'system')?.body).toBe(
      'Rule "Hot phones" (ticket created) set priority to high; set team to replacement; added a note.',
    );
    // The same record again: claimed already, nothing happens twice.
    expect(
      (await reactToRuleEvent(context, { trigger: 'ticket_created', eventId: 'e1', ticketId: ticket.id }))
        .fired,
    ).toEqual([]);
    expect(timeline(ticket.id).filter((e) => e.kind === 'event')).toHaveLength(1);
  });

  it('does not match other text, nor the opening message as a customer reply', async () => {
    await saveRule('hot', {
      name: 'Hot phones',
      active: true,
      position: 0,
      trigger: 'customer_replied',
      conditions: { all: [{ field: 'body', operator: 'contains', value: 'phone overheating' }] },
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    const ticket = await newTicket('My phone overheating at night');
    await drain(ticket.id, 0);
    expect((await deps.tickets.get(ticket.id))?.priority).toBe('normal');
  });

  it('ticket_updated by an agent fires; the rule’s own change does not fire it again; a ping-pong stops', async () => {
    await saveRule('urgent-tag', {
      name: 'Urgent gets a tag',
      active: true,
      position: 0,
      trigger: 'ticket_updated',
      conditions: { all: [{ field: 'priority', operator: 'is', value: 'urgent' }] },
      actions: [
        { type: 'add_tags', tags: ['vip'] },
        { type: 'set_priority', priority: 'high' },
      ],
    });
    await saveRule('high-back', {
      name: 'High back to urgent',
      active: true,
      position: 1,
      trigger: 'ticket_updated',
      conditions: { all: [{ field: 'priority', operator: 'is', value: 'high' }] },
      actions: [{ type: 'set_priority', priority: 'urgent' }],
    });
    const ticket = await newTicket('Anything');
    const from = timeline(ticket.id).length;
    await updateTicket(deps, admin, ticket.id, { priority: 'urgent' });
    await drain(ticket.id, from);
    const after = await deps.tickets.get(ticket.id);
    // urgent (agent) → rule 1: high + vip → rule 2: urgent → rule 1 is in the chain: stops.
    expect(after?.priority).toBe('urgent');
    expect(after?.tags).toEqual(['vip']);
    const ruleEvents = timeline(ticket.id).filter(
      (e) => e.kind === 'event' && e.author.id.startsWith('rule:'),
    );
    expect(ruleEvents.map((e) => e.author.id)).toEqual(['rule:urgent-tag', 'rule:high-back']);
    expect(ruleEvents[1]?.ruleCause).toEqual({ ruleIds: ['urgent-tag', 'high-back'], depth: 2 });
  });

  it('agent_replied and customer_replied fire on messages', async () => {
    await saveRule('replied', {
      name: 'Replied to',
      active: true,
      position: 0,
      trigger: 'agent_replied',
      conditions: { all: [] },
      actions: [{ type: 'add_tags', tags: ['answered'] }],
    });
    const ticket = await newTicket('Hello');
    const from = timeline(ticket.id).length;
    await addReply(deps, admin, ticket.id, { body: 'Hi there' });
    await drain(ticket.id, from);
    expect((await deps.tickets.get(ticket.id))?.tags).toEqual(['answered']);
  });

  it('a changed ticket is evaluated again rather than overwritten', async () => {
    await saveRule('hot', {
      name: 'Hot',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      conditions: { all: [] },
      actions: [{ type: 'set_priority', priority: 'high' }],
    });
    const ticket = await newTicket('Hello');
    const realGet = deps.tickets.get.bind(deps.tickets);
    let calls = 0;
    deps.tickets.get = async (id) => {
      const t = await realGet(id);
      // The first read is stale: someone changes the ticket right after.
      if (calls++ === 0 && t) await updateTicket(deps, admin, id, { tags: ['moved'] });
      return t;
    };
    await reactToRuleEvent(context, { trigger: 'ticket_created', eventId: 'x', ticketId: ticket.id });
    expect(await realGet(ticket.id)).toMatchObject({ priority: 'high', tags: ['moved'] });
  });

  it('time-based: more than 10 exchanges and resolution overdue notifies the supervisor, once', async () => {
    await saveRule('overdue', {
      name: 'Long and overdue',
      active: true,
      position: 0,
      trigger: 'time_based',
      conditions: {
        all: [
          { field: 'exchanges', operator: 'gt', value: 10 },
          { field: 'resolutionOverdue', operator: 'is', value: true },
        ],
      },
      actions: [
        {
          type: 'notify',
          to: 'supervisor',
          template: { subject: 'Overdue: {{ticket.subject}}', body: 'Ticket #{{ticket.number}} needs you.' },
        },
      ],
    });
    const long = await newTicket('Long one');
    const short = await newTicket('Short one');
    for (let i = 0; i < 10; i++) await addReply(deps, admin, long.id, { body: `Reply ${i}` });
    slaDue.set(long.id, new Date(deps.clock.now().getTime() + 60_000).toISOString());
    slaDue.set(short.id, new Date(deps.clock.now().getTime() - 60_000).toISOString());

    expect((await runTimeBasedRules(context)).fired).toEqual([]);
    deps.clock.advance(61_000);
    const run = await runTimeBasedRules(context);
    expect(run.checked).toBe(2);
    expect(run.fired).toEqual([
      { ticketId: long.id, fired: [{ ruleId: 'overdue', ruleName: 'Long and overdue' }] },
    ]);
    expect(mailer.sent.map((m) => m.to)).toEqual([['sky@x.test']]);
    expect(timeline(long.id).find((e) => e.kind === 'system')?.body).toBe(
      'Rule "Long and overdue" (time-based) notified SKY.',
    );
    // Once per ticket, ever.
    expect((await runTimeBasedRules(context)).fired).toEqual([]);
    expect(mailer.sent).toHaveLength(1);
  });
});

describe('workflow rule and macro settings', () => {
  it('only admins save rules; versions are checked; the domain schema validates', async () => {
    const input = {
      name: 'R',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      actions: [{ type: 'set_priority', priority: 'high' }],
    };
    await expect(saveWorkflowRule(deps, store, sam, 'r', input, null)).rejects.toThrow(Forbidden);
    const saved = await saveWorkflowRule(deps, store, admin, 'r', input, null);
    expect(saved).toMatchObject({ rule: { id: 'r', version: 1 }, updatedBy: 'boss@x.test' });
    await expect(saveWorkflowRule(deps, store, admin, 'r', input, 5)).rejects.toThrow(VersionConflict);
    expect((await saveWorkflowRule(deps, store, admin, 'r', input, 1)).rule.version).toBe(2);
    await expect(
      saveWorkflowRule(deps, store, admin, 't', { ...input, trigger: 'time_based' }, null),
    ).rejects.toThrow(/time-based rule needs at least one condition/);
  });

  it('shared macros by admins, personal ones by their owner', async () => {
    const macro = { name: 'Close', scope: 'shared', actions: [{ type: 'set_status', status: 'solved' }] };
    await expect(saveMacro(deps, store, sam, 'm', macro, null)).rejects.toThrow(Forbidden);
    await saveMacro(deps, store, admin, 'm', macro, null);
    const mine = await saveMacro(deps, store, sam, 'p', { ...macro, scope: 'personal' }, null);
    expect(mine.macro.ownerId).toBe('sam');
    await expect(saveMacro(deps, store, admin, 'p', { ...macro, scope: 'personal' }, null)).rejects.toThrow(
      Forbidden,
    );
  });

  it('a macro applies to each ticket on its own: actions + templated reply; failures do not stop the rest', async () => {
    await saveMacro(
      deps,
      store,
      admin,
      'thanks',
      {
        name: 'Thanks',
        scope: 'shared',
        actions: [
          { type: 'add_tags', tags: ['thanked'] },
          { type: 'set_status', status: 'pending' },
        ],
        reply: { body: 'Hi {{customer.name}}, {{agent.name}} here about #{{ticket.number}}.' },
      },
      null,
    );
    const a = await newTicket('One');
    const hidden = await newTicket('Two', null);
    deps.state.departments.set('other', {
      id: 'other',
      name: 'Other',
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    } as never);
    await updateTicket(deps, admin, hidden.id, { departmentId: 'other' });
    const results = await applyMacro(deps, store, sam, 'thanks', [a.id, 'missing', hidden.id]);
    expect(results).toEqual([
      { ticketId: a.id, ok: true },
      { ticketId: 'missing', ok: false, error: { code: 'ticket_not_found', message: expect.any(String) } },
      { ticketId: hidden.id, ok: false, error: { code: 'ticket_not_found', message: expect.any(String) } },
    ]);
    const after = await deps.tickets.get(a.id);
    expect(after).toMatchObject({ tags: ['thanked'], status: 'pending', messageCount: 2, version: 2 });
    const reply = timeline(a.id).find((e) => e.kind === 'reply');
    expect(reply?.body).toBe(`Hi Ann, Sam here about #${a.number}.`);
    expect(reply?.author).toEqual({ type: 'agent', id: 'sam', name: 'Sam' });
  });
});
