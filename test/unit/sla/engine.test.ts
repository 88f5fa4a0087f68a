import { beforeEach, describe, expect, it } from 'vitest';
import type {
  VersionedCalendar,
  VersionedPolicy,
} from '../../../functions/adapters/dynamodb/sla-repository.js';
import { parseEmail } from '../../../functions/adapters/mail/parse.js';
import {
  MemoryBlobStore,
  MemoryMailLedger,
  RecordingMailer,
} from '../../../functions/adapters/memory/mail.js';
import { memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import type { MailRuntime } from '../../../functions/composition/mail.js';
import type { Agent, Principal } from '../../../functions/domain/agents/model.js';
import type { MailSettings } from '../../../functions/domain/email/ports.js';
import { VersionConflict } from '../../../functions/domain/shared/errors.js';
import { parseSlaPolicy, type SlaPolicyInput } from '../../../functions/domain/sla/policy.js';
import type { SlaRecord } from '../../../functions/domain/sla/record.js';
import {
  type SlaTimerInput,
  type SlaTimerScheduler,
  slaTimerExecutionName,
} from '../../../functions/domain/sla/timer-port.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import { addReply, createTicket, updateTicket } from '../../../functions/domain/tickets/use-cases.js';
import type { MailTrigger } from '../../../functions/email/outbound.js';
import {
  forgetSetup,
  reactToSlaTrigger,
  repairTimers,
  runTimerTick,
  SLA_ACTOR,
  type SlaContext,
} from '../../../functions/sla/engine.js';

const clone = <T>(value: T): T => structuredClone(value);
const MINUTE = 60_000;
const at = '2026-03-01T00:00:00.000Z';

/** The SLA store as the engine uses it, in memory, version-checked like the DynamoDB one. */
class MemorySlaStore {
  readonly records = new Map<string, SlaRecord>();
  policies: VersionedPolicy[] = [];
  calendars: VersionedCalendar[] = [];
  saves = 0;
  /** Runs once, right before the next save or delete is checked: a concurrent writer. */
  interleave: (() => void) | null = null;

  constructor(private readonly tickets: Map<string, Ticket>) {}

  async get(ticketId: string): Promise<SlaRecord | null> {
    const record = this.records.get(ticketId);
    return record ? clone(record) : null;
  }

  private check(ticketId: string, expectedVersion: number | null): void {
    const concurrent = this.interleave;
    this.interleave = null;
    concurrent?.();
    const stored = this.records.get(ticketId);
    if ((stored?.version ?? null) !== expectedVersion) {
      throw new VersionConflict('SLA', expectedVersion ?? 0, stored?.version);
    }
  }

  async save(record: SlaRecord, expectedVersion: number | null): Promise<void> {
    this.check(record.ticketId, expectedVersion);
    this.saves++;
    this.records.set(record.ticketId, clone(record));
  }

  async delete(ticketId: string, expectedVersion: number): Promise<void> {
    this.check(ticketId, expectedVersion);
    this.records.delete(ticketId);
  }

  async listPolicies(): Promise<VersionedPolicy[]> {
    return clone(this.policies);
  }

  async listCalendars(): Promise<VersionedCalendar[]> {
    return clone(this.calendars);
  }

  async listRunning(options: { limit: number; cursor?: string }) {
    const running = [...this.records.values()]
      .filter((r) => r.nextDueAt !== null)
      .sort((a, b) => (`${a.nextDueAt}#${a.ticketId}` < `${b.nextDueAt}#${b.ticketId}` ? -1 : 1));
    const start = options.cursor ? Number(options.cursor) : 0;
    const page = running.slice(start, start + options.limit);
    const next = start + options.limit;
    return {
      items: page.flatMap((sla) => {
        const ticket = this.tickets.get(sla.ticketId);
        return ticket ? [{ sla: clone(sla), ticket: clone(ticket) }] : [];
      }),
      nextCursor: next < running.length ? String(next) : null,
    };
  }
}

/** Timers by deterministic name: starting a name that runs already changes nothing. */
class RecordingTimers implements SlaTimerScheduler {
  readonly running = new Map<string, SlaTimerInput>();
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  executionArn(input: SlaTimerInput): string {
    return `arn:aws:states:eu-west-1:123456789012:execution:sla-timer:${slaTimerExecutionName(input)}`;
  }
  async start(input: SlaTimerInput): Promise<{ executionArn: string }> {
    const arn = this.executionArn(input);
    this.started.push(arn);
    this.running.set(arn, { ...input });
    return { executionArn: arn };
  }
  async stop(executionArn: string): Promise<void> {
    this.stopped.push(executionArn);
    this.running.delete(executionArn);
  }
}

/** The mails sent, as their recipients read them. */
function mails(): Promise<{ to: string[]; subject: string; text: string }[]> {
  return Promise.all(
    mailer.sent.map(async (m) => {
      const parsed = await parseEmail(m.raw);
      return { to: m.to, subject: parsed.subject, text: parsed.text };
    }),
  );
}

const settings: MailSettings = {
  signingSecret: 'sla-engine-test-signing-secret-0123456789',
  supportAddresses: [{ address: 'support@desk.test', departmentId: 'support' }],
  deskName: 'Test Desk',
  maxAttachmentBytes: 1_048_576,
  autoRepliesPerSenderPerHour: 3,
};

function agent(id: string, name: string, role: Agent['role'], departmentIds: string[]): Agent {
  return {
    id,
    email: `${id}@staff.test`,
    name,
    role,
    departmentIds,
    teamIds: [],
    active: true,
    availability: 'online',
    capacity: 20,
    skills: [],
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

const admin: Principal = {
  agentId: 'ada',
  email: 'ada@staff.test',
  name: 'Ada',
  role: 'admin',
  departmentIds: [],
};
const sam: Principal = {
  agentId: 'sam',
  email: 'sam@staff.test',
  name: 'Sam',
  role: 'agent',
  departmentIds: ['support'],
};

function versioned(input: Partial<SlaPolicyInput> = {}): VersionedPolicy {
  const policy = parseSlaPolicy({
    id: 'std',
    name: 'Standard',
    position: 0,
    active: true,
    conditions: {},
    calendarId: null,
    targets: {
      normal: { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480 },
      high: { firstResponseMinutes: 15, nextResponseMinutes: 10, resolutionMinutes: 240 },
    },
    escalations: {
      first_response: [
        { atPercent: 50, actions: [{ type: 'notify_assignee' }] },
        { atPercent: 100, actions: [{ type: 'notify_supervisor' }] },
      ],
    },
    ...input,
  });
  return { policy, version: 1, updatedAt: at, updatedBy: 'ada@staff.test' };
}

let deps: ReturnType<typeof memoryDeps>;
let store: MemorySlaStore;
let timers: RecordingTimers;
let mailer: RecordingMailer;
let context: SlaContext;
/** What the table's stream would carry, in write order. */
let stream: MailTrigger[];
let T0: Date;

beforeEach(() => {
  forgetSetup();
  deps = memoryDeps();
  T0 = deps.clock.now();
  for (const id of ['support', 'sales', 'escalations', 'quiet']) {
    deps.state.departments.set(id, { id, name: id, active: true, version: 1, createdAt: at, updatedAt: at });
  }
  deps.state.teams.set('tier2', {
    id: 'tier2',
    name: 'Tier 2',
    departmentId: 'escalations',
    active: true,
    assignment: { strategy: 'manual' },
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  for (const a of [
    agent('sam', 'Sam', 'agent', ['support']),
    agent('sue', 'Sue', 'supervisor', ['support']),
    agent('sid', 'Sid', 'supervisor', ['sales']),
    agent('ada', 'Ada', 'admin', []),
  ]) {
    deps.state.agents.set(a.id, a);
  }
  store = new MemorySlaStore(deps.state.tickets);
  store.policies = [versioned()];
  timers = new RecordingTimers();
  mailer = new RecordingMailer();
  const mail: MailRuntime = {
    blobs: new MemoryBlobStore(),
    mailer,
    ledger: new MemoryMailLedger(),
    settings,
  };
  context = { deps, store, timers, mail };
  stream = [];
  captureStream();
});

/** Records every write to the ticket store as the stream record it would produce. */
function captureStream(): void {
  const repo = deps.tickets;
  const create = repo.create.bind(repo);
  const update = repo.update.bind(repo);
  const append = repo.appendEntries.bind(repo);
  repo.create = async (bundle) => {
    await create(bundle);
    stream.push({ type: 'ticket-created', ticket: clone(bundle.ticket) });
    stream.push({ type: 'entry-added', entry: clone(bundle.firstEntry) });
  };
  repo.update = async (ticket, expectedVersion, entries, ...rest) => {
    const before = clone(deps.state.tickets.get(ticket.id));
    await update(ticket, expectedVersion, entries, ...rest);
    if (before) stream.push({ type: 'ticket-changed', before, after: clone(ticket) });
    for (const entry of entries) stream.push({ type: 'entry-added', entry: clone(entry) });
  };
  repo.appendEntries = async (entries) => {
    await append(entries);
    for (const entry of entries) stream.push({ type: 'entry-added', entry: clone(entry) });
  };
}

/** The events handler: every pending stream record, in order. */
async function drain(): Promise<void> {
  for (let trigger = stream.shift(); trigger; trigger = stream.shift()) {
    await reactToSlaTrigger(context, trigger);
  }
}

async function newTicket(departmentId: string | null = 'support', assigneeId: string | null = 'sam') {
  const { ticket } = await createTicket(deps, {
    subject: 'Printer on fire',
    description: 'Please help',
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'api',
    departmentId,
    createdBy: { type: 'agent', id: 'ada', name: 'Ada' },
  });
  const created = assigneeId ? await updateTicket(deps, admin, ticket.id, { assigneeId }) : ticket;
  await drain();
  return created;
}

const tickInput = (ticket: Ticket, generation = 1): SlaTimerInput => ({
  ticketId: ticket.id,
  target: 'first_response',
  generation,
});

async function tickAt(ticket: Ticket, minutes: number, generation = 1) {
  const target = Date.parse(ticket.createdAt) + minutes * MINUTE;
  deps.clock.advance(target - deps.clock.now().getTime());
  const result = await runTimerTick(context, tickInput(ticket, generation));
  await drain();
  return result;
}

function entries(ticket: Ticket): TimelineEntry[] {
  return deps.state.entries.get(ticket.id) ?? [];
}
const slaSystemBodies = (ticket: Ticket) =>
  entries(ticket)
    .filter((e) => e.kind === 'system' && e.author.id === SLA_ACTOR.id)
    .map((e) => e.body ?? '');

describe('reactToSlaTrigger', () => {
  it('a created ticket gets its SLA record saved and its timers started, with the ARNs stored', async () => {
    const ticket = await newTicket();
    const record = await store.get(ticket.id);
    expect(record?.applied.policyId).toBe('std');
    const arn = (target: SlaTimerInput['target']) =>
      timers.executionArn({ ticketId: ticket.id, target, generation: 1 });
    expect(record?.executions).toEqual({
      first_response: arn('first_response'),
      resolution: arn('resolution'),
    });
    expect(timers.started).toEqual([arn('first_response'), arn('resolution')]);
    expect(timers.stopped).toEqual([]);
    expect(record?.nextDueAt).toBe(new Date(T0.getTime() + 60 * MINUTE).toISOString());
    // The assignment (and the customer entry) moved no clock.
    expect(record?.ticketVersion).toBe(2);
  });

  it('does nothing without policies, and keeps no record when none matches', async () => {
    store.policies = [versioned({ conditions: { channels: ['phone'] } })];
    const ticket = await newTicket();
    expect(await store.get(ticket.id)).toBeNull();
    expect(timers.started).toEqual([]);
  });

  it('a redelivered older (or the same) ticket image changes nothing', async () => {
    const { ticket } = await createTicket(deps, {
      subject: 'Printer on fire',
      description: 'Please help',
      customer: { email: 'ann@example.com', name: 'Ann' },
      channel: 'api',
      departmentId: 'support',
      createdBy: { type: 'agent', id: 'ada', name: 'Ada' },
    });
    const created = stream[0]!;
    await updateTicket(deps, admin, ticket.id, { assigneeId: 'sam' });
    await updateTicket(deps, admin, ticket.id, { priority: 'high' });
    const raised = stream.at(-2)!;
    expect(raised.type).toBe('ticket-changed');
    await drain();
    await tickAt(ticket, 8, 2); // 50 % of the 15 min high-priority first response fires
    const before = await store.get(ticket.id);
    expect(before?.applied.targets[0]?.levelsFired).toEqual([0]);
    const saves = store.saves;
    const started = timers.started.length;

    await reactToSlaTrigger(context, created);
    await reactToSlaTrigger(context, raised);
    expect(await store.get(ticket.id)).toEqual(before);
    expect(store.saves).toBe(saves);
    expect(timers.started).toHaveLength(started);
  });

  it('applies ticket changes still in the stream after a reply event read a later ticket', async () => {
    const ticket = await newTicket();
    await addReply(deps, sam, ticket.id, { body: 'On it' });
    await updateTicket(deps, sam, ticket.id, { priority: 'high' });
    await updateTicket(deps, sam, ticket.id, { status: 'pending' });
    // The reply's entry is handled when the ticket is already pending at high priority.
    await drain();
    const record = await store.get(ticket.id);
    const resolution = record?.applied.targets.find((t) => t.kind === 'resolution');
    expect(resolution?.targetMinutes).toBe(240);
    expect(resolution?.status).toBe('paused');
  });

  it('a reply meets the first response and stops its timer', async () => {
    const ticket = await newTicket();
    deps.clock.advance(10 * MINUTE);
    await addReply(deps, sam, ticket.id, { body: 'On it' });
    await drain();
    const record = await store.get(ticket.id);
    expect(record?.applied.targets.find((t) => t.kind === 'first_response')).toMatchObject({
      status: 'met',
      metAt: deps.clock.now().toISOString(),
    });
    expect(record?.executions.first_response).toBeNull();
    expect(timers.stopped).toEqual([
      timers.executionArn({ ticketId: ticket.id, target: 'first_response', generation: 1 }),
    ]);
    expect(await tickAt(ticket, 30)).toEqual({ next: 'stop', wakeAt: null, reason: 'met' });
    expect(mailer.sent).toEqual([]);
  });

  it('clocks move at the time of the change, not when a lagging stream delivers it', async () => {
    const ticket = await newTicket();
    deps.clock.advance(50 * MINUTE);
    await addReply(deps, sam, ticket.id, { body: 'On it' });
    await updateTicket(deps, sam, ticket.id, { status: 'pending' });
    const written = deps.clock.now().toISOString();
    // The events handler was behind (a retried batch): it sees the reply after the due time.
    deps.clock.advance(20 * MINUTE);
    await drain();
    const record = await store.get(ticket.id);
    expect(record?.applied.targets.find((t) => t.kind === 'first_response')).toMatchObject({
      status: 'met',
      metAt: written,
    });
    expect(record?.applied.targets.find((t) => t.kind === 'resolution')).toMatchObject({
      status: 'paused',
      pausedAt: written,
      remainingMinutes: 430,
    });
  });

  it('a customer message after the first response starts the next-response timer', async () => {
    const ticket = await newTicket();
    await addReply(deps, sam, ticket.id, { body: 'On it' });
    await drain();
    await deps.tickets.appendEntries([
      {
        id: 'msg-2',
        ticketId: ticket.id,
        kind: 'customer',
        createdAt: deps.clock.now().toISOString(),
        author: { type: 'customer', id: 'c', name: 'Ann' },
        body: 'Still burning',
        channel: 'email',
        changes: [],
      },
    ]);
    await drain();
    const record = await store.get(ticket.id);
    expect(record?.applied.targets.find((t) => t.kind === 'next_response')?.status).toBe('active');
    expect(
      timers.running.has(
        timers.executionArn({ ticketId: ticket.id, target: 'next_response', generation: 1 }),
      ),
    ).toBe(true);
  });

  it('a concurrent save (VersionConflict once) is retried, keeping both changes', async () => {
    const ticket = await newTicket();
    await updateTicket(deps, sam, ticket.id, { status: 'pending' });
    store.interleave = () => {
      // A timer tick saved meanwhile.
      const stored = store.records.get(ticket.id)!;
      store.records.set(ticket.id, {
        ...stored,
        applied: {
          ...stored.applied,
          targets: stored.applied.targets.map((t) =>
            t.kind === 'first_response' ? { ...t, levelsFired: [0] } : t,
          ),
        },
        version: stored.version + 1,
      });
    };
    await drain();
    const record = await store.get(ticket.id);
    expect(store.interleave).toBeNull();
    expect(record?.applied.targets.map((t) => [t.kind, t.status, t.levelsFired])).toEqual([
      ['first_response', 'active', [0]],
      ['resolution', 'paused', []],
    ]);
    expect(timers.stopped).toEqual([
      timers.executionArn({ ticketId: ticket.id, target: 'resolution', generation: 1 }),
    ]);
  });

  it('a ticket change after its policy was switched off stops the timers and drops the SLA', async () => {
    const ticket = await newTicket();
    store.policies = [{ ...versioned(), policy: { ...versioned().policy, active: false } }];
    forgetSetup();
    await updateTicket(deps, sam, ticket.id, { tags: ['printer'] });
    await drain();
    expect(timers.running.size).toBe(0);
    expect(await store.get(ticket.id)).toBeNull();
    expect((await store.listRunning({ limit: 10 })).items).toEqual([]);
    expect(await repairTimers({ ...context, timers: new RecordingTimers() })).toBe(0);
    // Switched on again, the next change applies it afresh.
    store.policies = [versioned()];
    forgetSetup();
    await updateTicket(deps, sam, ticket.id, { tags: ['printer', 'urgent'] });
    await drain();
    expect((await store.get(ticket.id))?.applied.policyId).toBe('std');
  });
});

describe('runTimerTick', () => {
  it('at 50 % reminds the assignee: a mail to the agent and a system entry', async () => {
    const ticket = await newTicket();
    expect(await tickAt(ticket, 0)).toEqual({
      next: 'wait',
      wakeAt: new Date(T0.getTime() + 30 * MINUTE).toISOString(),
      reason: 'waiting',
    });
    expect(mailer.sent).toEqual([]);
    expect(await tickAt(ticket, 30)).toEqual({
      next: 'wait',
      wakeAt: new Date(T0.getTime() + 60 * MINUTE).toISOString(),
      reason: 'levels-fired',
    });
    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(['sam@staff.test']);
    expect(sent[0]?.subject).toBe(
      `[#${ticket.number}] SLA reminder: First response at 50% — Printer on fire`,
    );
    expect(slaSystemBodies(ticket)).toEqual(['SLA First response at 50%: reminded the assignee (Sam)']);
    expect(entries(ticket).filter((e) => e.kind === 'notification')).toHaveLength(1);
    // A repeated tick fires nothing again.
    await tickAt(ticket, 31);
    expect(mailer.sent).toHaveLength(1);
    expect(slaSystemBodies(ticket)).toHaveLength(1);
  });

  it('at 100 % alerts the supervisor of the ticket’s department and records the breach once', async () => {
    const ticket = await newTicket();
    await tickAt(ticket, 30);
    expect(await tickAt(ticket, 60)).toEqual({ next: 'stop', wakeAt: null, reason: 'done' });
    const sent = await mails();
    expect(sent.map((m) => m.to)).toEqual([['sam@staff.test'], ['sue@staff.test']]);
    expect(sent[1]?.subject).toBe(`[#${ticket.number}] SLA breached: First response — Printer on fire`);
    expect(slaSystemBodies(ticket)).toEqual([
      'SLA First response at 50%: reminded the assignee (Sam)',
      'SLA breached: First response target missed.',
      'SLA First response at 100%: alerted the supervisor (Sue)',
    ]);
    await tickAt(ticket, 61);
    expect(slaSystemBodies(ticket).filter((b) => b.startsWith('SLA breached'))).toHaveLength(1);
    expect((await store.get(ticket.id))?.applied.targets[0]?.status).toBe('breached');
  });

  it('alerts every supervisor when the department has none, and the admins when there are no supervisors', async () => {
    const quiet = await newTicket('quiet');
    await tickAt(quiet, 60);
    expect((await mails()).map((m) => m.to[0]).sort()).toEqual([
      'sam@staff.test',
      'sid@staff.test',
      'sue@staff.test',
    ]);

    deps.state.agents.delete('sue');
    deps.state.agents.delete('sid');
    const other = await newTicket(null, null);
    mailer.sent.length = 0;
    await tickAt(other, 60);
    expect((await mails()).map((m) => m.to)).toEqual([['ada@staff.test']]);
    expect(slaSystemBodies(other)).toContain(
      'SLA First response at 50%: reminded the assignee — nobody to notify',
    );
  });

  it('set_team to a team of another department moves the department too', async () => {
    store.policies = [
      versioned({
        escalations: {
          first_response: [{ atPercent: 100, actions: [{ type: 'set_team', teamId: 'tier2' }] }],
        },
      }),
    ];
    const ticket = await newTicket();
    await tickAt(ticket, 60);
    const moved = await deps.tickets.get(ticket.id);
    expect(moved).toMatchObject({ teamId: 'tier2', departmentId: 'escalations' });
    const event = entries(ticket).find((e) => e.kind === 'event' && e.author.id === SLA_ACTOR.id);
    expect(event?.author).toEqual({ type: 'system', id: 'sla', name: 'SLA (First response at 100%)' });
    expect(event?.changes).toEqual([
      { field: 'departmentId', from: 'support', to: 'escalations' },
      { field: 'teamId', from: null, to: 'tier2' },
    ]);
  });

  it('set_priority changes the priority through a system event entry authored by the SLA', async () => {
    store.policies = [
      versioned({
        escalations: {
          first_response: [{ atPercent: 50, actions: [{ type: 'set_priority', priority: 'high' }] }],
        },
      }),
    ];
    const ticket = await newTicket();
    await tickAt(ticket, 30);
    expect((await deps.tickets.get(ticket.id))?.priority).toBe('high');
    const event = entries(ticket).find((e) => e.kind === 'event' && e.author.id === SLA_ACTOR.id);
    expect(event).toMatchObject({
      author: { type: 'system', id: 'sla', name: 'SLA (First response at 50%)' },
      changes: [{ field: 'priority', from: 'normal', to: 'high' }],
    });
    // The stream re-targets the SLA to the high priority: already past its 15 minutes.
    const record = await store.get(ticket.id);
    expect(record?.applied.targets.find((t) => t.kind === 'first_response')).toMatchObject({
      targetMinutes: 15,
      status: 'breached',
    });
    expect(record?.generations.first_response).toBe(2);
  });

  it('a failing action is noted on the timeline and the other actions still run', async () => {
    store.policies = [
      versioned({
        escalations: {
          first_response: [
            {
              atPercent: 50,
              actions: [
                { type: 'set_team', teamId: 'no-such-team' },
                { type: 'add_note', body: 'Look at this one' },
              ],
            },
          ],
        },
      }),
    ];
    const ticket = await newTicket();
    await tickAt(ticket, 30);
    expect(slaSystemBodies(ticket)[0]).toMatch(/^SLA First response at 50%: could not set team/);
    expect(entries(ticket).find((e) => e.kind === 'note')?.body).toBe('Look at this one');
  });

  it('a concurrent save (VersionConflict once) is retried and the level fires once', async () => {
    const ticket = await newTicket();
    deps.clock.advance(30 * MINUTE);
    store.interleave = () => {
      const stored = store.records.get(ticket.id)!;
      store.records.set(ticket.id, { ...stored, version: stored.version + 1 });
    };
    const result = await runTimerTick(context, tickInput(ticket));
    expect(result.reason).toBe('levels-fired');
    expect(mailer.sent).toHaveLength(1);
    expect((await store.get(ticket.id))?.applied.targets[0]?.levelsFired).toEqual([0]);
  });

  it('a superseded generation stops without firing', async () => {
    const ticket = await newTicket();
    await updateTicket(deps, sam, ticket.id, { priority: 'high' });
    await drain();
    expect(await tickAt(ticket, 100, 1)).toEqual({ next: 'stop', wakeAt: null, reason: 'superseded' });
    expect(mailer.sent).toEqual([]);
  });
});

describe('repairTimers', () => {
  it('starts the current generation of every running target; starting twice does not double', async () => {
    const a = await newTicket();
    const b = await newTicket();
    await updateTicket(deps, sam, b.id, { priority: 'high' });
    await updateTicket(deps, sam, b.id, { status: 'pending' });
    await drain();

    const fresh = new RecordingTimers();
    const repaired: SlaContext = { ...context, timers: fresh };
    expect(await repairTimers(repaired)).toBe(3);
    const names = [...fresh.running.values()]
      .map((i) => `${i.ticketId === a.id ? 'a' : 'b'}-${i.target}-g${i.generation}`)
      .sort();
    expect(names).toEqual(['a-first_response-g1', 'a-resolution-g1', 'b-first_response-g2']);
    await repairTimers(repaired);
    expect(fresh.running.size).toBe(3);
    expect(await repairTimers({ ...context, timers: null })).toBe(0);
  });

  it('pages through the running records', async () => {
    for (let i = 0; i < 3; i++) await newTicket();
    const fresh = new RecordingTimers();
    const pages: string[] = [];
    const paged: SlaContext = {
      ...context,
      timers: fresh,
      store: {
        get: store.get.bind(store),
        save: store.save.bind(store),
        listPolicies: store.listPolicies.bind(store),
        listCalendars: store.listCalendars.bind(store),
        delete: store.delete.bind(store),
        listRunning: (options) => {
          pages.push(options.cursor ?? 'first');
          return store.listRunning({ ...options, limit: 2 });
        },
      },
    };
    expect(await repairTimers(paged)).toBe(6);
    expect(pages).toEqual(['first', '2']);
  });
});
