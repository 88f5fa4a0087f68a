import { describe, expect, it } from 'vitest';
import {
  type FieldDefinition,
  parseFieldDefinition,
  parseLayout,
} from '../../../functions/domain/fields/model.js';
import {
  type Action,
  type ActionInput,
  ActionSchema,
  escalationToAction,
  SlaEscalationActionSchema,
} from '../../../functions/domain/rules/actions.js';
import {
  type Condition,
  ConditionGroupSchema,
  ConditionSchema,
  conditionProblem,
  evaluateCondition,
  matchesConditions,
} from '../../../functions/domain/rules/conditions.js';
import {
  combinedActions,
  evaluateRules,
  firedKey,
  MAX_CHAIN_DEPTH,
  pruneFiredKeys,
  type RuleCause,
} from '../../../functions/domain/rules/engine.js';
import { buildFacts, type FactsContext, type RuleFacts } from '../../../functions/domain/rules/facts.js';
import { parseRule, type Rule, type RuleInput } from '../../../functions/domain/rules/model.js';
import { planActions } from '../../../functions/domain/rules/plan.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import { EscalationActionSchema } from '../../../functions/domain/sla/policy.js';
import { applyPatch, openTicket, type Ticket } from '../../../functions/domain/tickets/model.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const hoursAfter = (h: number) => new Date(T0.getTime() + h * 3_600_000);

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1042,
      subject: 'Problem with my order',
      channel: 'email',
      priority: 'normal',
      departmentId: 'electronics',
      customerId: 'c1',
      requester: { name: 'Zoë Martin', email: 'zoe@example.com', phone: null },
      now: T0,
    }),
    ...overrides,
  };
}

function facts(t: Ticket = ticket(), context: Partial<FactsContext> = {}): RuleFacts {
  return buildFacts(t, {
    latestMessage: { body: '', createdAt: t.createdAt, author: { type: 'customer' } },
    customer: null,
    now: T0,
    resolutionDueAt: null,
    ...context,
  });
}

const withBody = (body: string, t: Ticket = ticket()) =>
  facts(t, { latestMessage: { body, author: { type: 'customer' }, createdAt: t.createdAt } });

const cond = (input: unknown): Condition => ConditionSchema.parse(input);
const holds = (input: unknown, f: RuleFacts) => evaluateCondition(cond(input), f);

function rule(input: Partial<RuleInput> & { id: string }): Rule {
  return parseRule({
    name: input.id,
    active: true,
    position: 10,
    trigger: 'ticket_updated',
    actions: [{ type: 'add_tags', tags: ['touched'] }],
    version: 1,
    ...input,
  });
}

function problemOf(input: { field: string; operator: string; value?: unknown }, fields?: FieldDefinition[]) {
  return conditionProblem(input as Condition, fields);
}

describe('condition validation', () => {
  it.each([
    [{ field: 'colour', operator: 'is', value: 'red' }, 'unknown field "colour"'],
    [
      { field: 'subject', operator: 'gt', value: 3 },
      'operator gt does not apply to subject (text); use one of',
    ],
    [
      { field: 'tags', operator: 'contains', value: 'vip' },
      'operator contains does not apply to tags (list)',
    ],
    [
      { field: 'exchanges', operator: 'contains', value: '10' },
      'operator contains does not apply to exchanges',
    ],
    [
      { field: 'priority', operator: 'is', value: 'hgh' },
      'priority cannot be "hgh"; use one of low, normal, high, urgent',
    ],
    [{ field: 'status', operator: 'in', value: ['open', 'shut'] }, 'status cannot be "shut"'],
    [{ field: 'status', operator: 'in', value: 'open' }, 'in needs a non-empty list of values'],
    [{ field: 'status', operator: 'in', value: [] }, 'in needs a non-empty list of values'],
    [{ field: 'exchanges', operator: 'gt', value: '10' }, 'exchanges gt needs a number'],
    [{ field: 'exchanges', operator: 'is', value: 'ten' }, 'exchanges is needs a number'],
    [
      { field: 'resolutionOverdue', operator: 'is', value: 'true' },
      'resolutionOverdue is needs true or false',
    ],
    [
      { field: 'resolutionOverdue', operator: 'gt', value: 1 },
      'operator gt does not apply to resolutionOverdue',
    ],
    [{ field: 'assigneeId', operator: 'is_empty', value: 'x' }, 'is_empty takes no value'],
    [{ field: 'body', operator: 'contains', value: '!!' }, '"!!" has no word to look for'],
    [{ field: 'body', operator: 'contains' }, 'contains needs a word, a phrase or a list of them'],
    [{ field: 'subject', operator: 'starts_with', value: '' }, 'starts_with needs some text'],
    [{ field: 'cf.Bad-Id', operator: 'is', value: 'x' }, 'unknown field "cf.Bad-Id"'],
  ])('refuses %j', (input, message) => {
    expect(problemOf(input)).toContain(message);
    expect(() =>
      parseRule({
        id: 'r',
        name: 'r',
        active: true,
        position: 1,
        trigger: 'ticket_created',
        conditions: { all: [input] },
        actions: [{ type: 'set_priority', priority: 'low' }],
        version: 1,
      }),
    ).toThrow(ValidationFailed);
  });

  it.each([
    { field: 'body', operator: 'contains', value: ['refund', 'money back'] },
    { field: 'tags', operator: 'includes', value: 'vip' },
    { field: 'assigneeId', operator: 'is_empty' },
    { field: 'hoursSinceCustomerReply', operator: 'gte', value: 48 },
    { field: 'customer.email', operator: 'contains', value: 'example.com' },
    { field: 'cf.anything', operator: 'gt', value: 5 },
  ])('accepts %j', (input) => {
    expect(problemOf(input)).toBeNull();
  });

  it('checks custom fields against their definitions once known', () => {
    const fields = [
      parseFieldDefinition({
        id: 'warranty_until',
        label: 'Warranty',
        type: 'date',
        active: true,
        version: 1,
      }),
      parseFieldDefinition({
        id: 'sub_category',
        label: 'Sub-category',
        type: 'picklist',
        optionsByDepartment: { books: ['Fiction'], electronics: ['Laptops'] },
        active: true,
        version: 1,
      }),
      parseFieldDefinition({ id: 'gift', label: 'Gift', type: 'checkbox', active: true, version: 1 }),
    ];
    expect(problemOf({ field: 'cf.missing', operator: 'is', value: 'x' }, fields)).toBe(
      'there is no custom field "missing"',
    );
    expect(problemOf({ field: 'cf.warranty_until', operator: 'lt', value: 5 }, fields)).toBe(
      'cf.warranty_until lt needs a date written YYYY-MM-DD',
    );
    expect(problemOf({ field: 'cf.warranty_until', operator: 'lt', value: '2026-04-01' }, fields)).toBeNull();
    expect(
      problemOf({ field: 'cf.sub_category', operator: 'in', value: ['laptops', 'Fiction'] }, fields),
    ).toBeNull();
    expect(problemOf({ field: 'cf.sub_category', operator: 'is', value: 'Garden' }, fields)).toContain(
      'cf.sub_category cannot be "Garden"',
    );
    expect(problemOf({ field: 'cf.gift', operator: 'contains', value: 'x' }, fields)).toContain(
      'operator contains does not apply to cf.gift (boolean)',
    );
    const input = {
      id: 'r',
      name: 'r',
      active: true,
      position: 1,
      trigger: 'ticket_updated',
      conditions: { all: [{ field: 'cf.missing', operator: 'is_empty' }] },
      actions: [{ type: 'set_field', fieldId: 'nope', value: 1 }],
      version: 1,
    };
    expect(() => parseRule(input)).not.toThrow();
    expect(() => parseRule(input, { fields })).toThrow(
      'Invalid rule: conditions.all.0: there is no custom field "missing"; actions.0: there is no custom field "nope"',
    );
  });
});

describe('condition evaluation', () => {
  it('contains matches words and phrases, ignoring case and accents', () => {
    const f = withBody('Bonjour, mon TÉLÉPHONE surchauffe. My Phone   overheating again!');
    expect(holds({ field: 'body', operator: 'contains', value: 'phone overheating' }, f)).toBe(true);
    expect(holds({ field: 'body', operator: 'contains', value: 'telephone' }, f)).toBe(true);
    expect(holds({ field: 'body', operator: 'contains', value: 'Téléphone Surchauffe' }, f)).toBe(true);
    expect(holds({ field: 'body', operator: 'contains', value: 'overheat' }, f)).toBe(false);
    expect(holds({ field: 'body', operator: 'contains', value: ['refund', 'again'] }, f)).toBe(true);
    expect(holds({ field: 'body', operator: 'not_contains', value: ['refund', 'again'] }, f)).toBe(false);
    expect(holds({ field: 'body', operator: 'not_contains', value: 'refund' }, f)).toBe(true);
    const smart = withBody('my smartphone overheating');
    expect(holds({ field: 'body', operator: 'contains', value: 'phone overheating' }, smart)).toBe(false);
  });

  it('is, in and starts_with compare text case- and accent-insensitively', () => {
    const f = facts(ticket({ subject: 'Réclamation: écran cassé' }));
    expect(holds({ field: 'subject', operator: 'starts_with', value: 'reclamation' }, f)).toBe(true);
    expect(holds({ field: 'subject', operator: 'starts_with', value: 'ecran' }, f)).toBe(false);
    expect(holds({ field: 'subject', operator: 'is', value: 'RECLAMATION: ECRAN CASSE' }, f)).toBe(true);
    expect(holds({ field: 'customer.email', operator: 'is', value: 'ZOE@example.com' }, f)).toBe(true);
    expect(holds({ field: 'channel', operator: 'in', value: ['web', 'email'] }, f)).toBe(true);
    expect(holds({ field: 'channel', operator: 'not_in', value: ['web', 'email'] }, f)).toBe(false);
  });

  it('negative operators hold for empty facts; is_empty sees null, blanks and empty lists', () => {
    const f = facts(ticket({ assigneeId: null, tags: [] }));
    expect(holds({ field: 'assigneeId', operator: 'is_not', value: 'a1' }, f)).toBe(true);
    expect(holds({ field: 'assigneeId', operator: 'is', value: 'a1' }, f)).toBe(false);
    expect(holds({ field: 'assigneeId', operator: 'is_empty' }, f)).toBe(true);
    expect(holds({ field: 'tags', operator: 'is_empty' }, f)).toBe(true);
    expect(holds({ field: 'tags', operator: 'not_includes', value: 'vip' }, f)).toBe(true);
    expect(holds({ field: 'body', operator: 'is_empty' }, withBody('   '))).toBe(true);
    expect(holds({ field: 'teamId', operator: 'is_not_empty' }, facts(ticket({ teamId: 'x' })))).toBe(true);
  });

  it('includes matches any listed tag', () => {
    const f = facts(ticket({ tags: ['vip', 'warranty'] }));
    expect(holds({ field: 'tags', operator: 'includes', value: ['spam', 'VIP'] }, f)).toBe(true);
    expect(holds({ field: 'tags', operator: 'includes', value: 'spam' }, f)).toBe(false);
    expect(holds({ field: 'tags', operator: 'not_includes', value: ['spam', 'warranty'] }, f)).toBe(false);
  });

  it('compares numbers, dates and booleans', () => {
    const t = ticket({
      messageCount: 11,
      customFields: { warranty_until: '2026-05-01', languages: ['French'] },
    });
    const f = facts(t, { now: hoursAfter(30), resolutionDueAt: hoursAfter(24) });
    expect(holds({ field: 'exchanges', operator: 'gt', value: 10 }, f)).toBe(true);
    expect(holds({ field: 'exchanges', operator: 'gt', value: 11 }, f)).toBe(false);
    expect(holds({ field: 'exchanges', operator: 'gte', value: 11 }, f)).toBe(true);
    expect(holds({ field: 'exchanges', operator: 'lt', value: 11 }, f)).toBe(false);
    expect(holds({ field: 'exchanges', operator: 'lte', value: 11 }, f)).toBe(true);
    expect(holds({ field: 'exchanges', operator: 'is', value: 11 }, f)).toBe(true);
    expect(holds({ field: 'hoursSinceCreated', operator: 'gte', value: 30 }, f)).toBe(true);
    expect(holds({ field: 'resolutionOverdue', operator: 'is', value: true }, f)).toBe(true);
    expect(holds({ field: 'resolutionOverdue', operator: 'is_not', value: true }, f)).toBe(false);
    expect(holds({ field: 'cf.warranty_until', operator: 'lt', value: '2026-06-01' }, f)).toBe(true);
    expect(holds({ field: 'cf.warranty_until', operator: 'gt', value: '2026-06-01' }, f)).toBe(false);
    expect(holds({ field: 'cf.languages', operator: 'includes', value: 'french' }, f)).toBe(true);
    expect(holds({ field: 'cf.missing', operator: 'gt', value: 0 }, f)).toBe(false);
    expect(
      holds(
        { field: 'hoursSinceCustomerReply', operator: 'gt', value: 0 },
        facts(t, { latestMessage: null }),
      ),
    ).toBe(false);
  });

  it('all: every condition; any: at least one; both together; empty matches everything', () => {
    const f = facts(ticket({ priority: 'high', channel: 'chat' }));
    const high = { field: 'priority', operator: 'is', value: 'high' };
    const low = { field: 'priority', operator: 'is', value: 'low' };
    const chat = { field: 'channel', operator: 'is', value: 'chat' };
    const web = { field: 'channel', operator: 'is', value: 'web' };
    const group = (input: unknown) => matchesConditions(ConditionGroupSchema.parse(input), f);
    expect(group({})).toBe(true);
    expect(group({ all: [high, chat] })).toBe(true);
    expect(group({ all: [high, web] })).toBe(false);
    expect(group({ any: [low, web] })).toBe(false);
    expect(group({ any: [low, chat] })).toBe(true);
    expect(group({ all: [high], any: [low, web] })).toBe(false);
    expect(group({ all: [high], any: [low, chat] })).toBe(true);
    expect(group({ all: [low], any: [chat] })).toBe(false);
  });
});

describe('buildFacts', () => {
  it('flattens the ticket, message, customer and clock', () => {
    const t = ticket({ messageCount: 4, tags: ['vip'], updatedAt: hoursAfter(2).toISOString(), version: 7 });
    const f = buildFacts(t, {
      latestMessage: { body: 'Hello', author: { type: 'agent' }, createdAt: hoursAfter(2).toISOString() },
      customer: { id: 'c9', name: 'Zoé', email: 'z@x.org' },
      now: hoursAfter(5),
      resolutionDueAt: hoursAfter(6).toISOString(),
      lastCustomerMessageAt: hoursAfter(1).toISOString(),
    });
    expect(f).toMatchObject({
      ticketId: 't1',
      ticketVersion: 7,
      body: 'Hello',
      exchanges: 4,
      tags: ['vip'],
      customer: { id: 'c9', name: 'Zoé', email: 'z@x.org' },
      hoursSinceCreated: 5,
      hoursSinceUpdated: 3,
      hoursSinceCustomerReply: 4,
      resolutionOverdue: false,
    });
  });

  it('falls back to the requester and to the latest customer message', () => {
    const t = ticket();
    const f = buildFacts(t, {
      latestMessage: { body: null, author: { type: 'customer' }, createdAt: hoursAfter(1).toISOString() },
      customer: null,
      now: hoursAfter(2.5),
      resolutionDueAt: null,
    });
    expect(f.customer).toEqual({ id: 'c1', name: 'Zoë Martin', email: 'zoe@example.com' });
    expect(f.body).toBe('');
    expect(f.hoursSinceCustomerReply).toBe(1.5);
  });

  it('a solved ticket is never overdue', () => {
    const due = hoursAfter(1);
    expect(
      facts(ticket({ status: 'open' }), { now: hoursAfter(2), resolutionDueAt: due }).resolutionOverdue,
    ).toBe(true);
    expect(
      facts(ticket({ status: 'solved' }), { now: hoursAfter(2), resolutionDueAt: due }).resolutionOverdue,
    ).toBe(false);
    expect(
      facts(ticket({ status: 'open' }), { now: hoursAfter(0.5), resolutionDueAt: due }).resolutionOverdue,
    ).toBe(false);
  });
});

describe('rule and action schemas', () => {
  it('a time-based rule needs a condition', () => {
    expect(() => rule({ id: 'r', trigger: 'time_based' })).toThrow(
      'a time-based rule needs at least one condition',
    );
  });

  it('a rule needs an action', () => {
    expect(() => rule({ id: 'r', actions: [] })).toThrow('a rule needs at least one action');
  });

  it.each([
    [{ type: 'webhook', url: 'ftp://example.com/hook' }, 'webhooks must use https'],
    [{ type: 'webhook', url: 'https://user:pw@example.com/hook' }, 'credentials'],
    [{ type: 'webhook', url: 'not a url' }, 'not a valid URL'],
    [
      { type: 'notify', to: 'assignee', template: { subject: 'Hi {{customer.nickname}}', body: 'x' } },
      'unknown placeholder {{customer.nickname}}',
    ],
    [{ type: 'add_note', body: 'Hello {{customer.name}' }, 'a placeholder is not closed'],
    [{ type: 'add_tags', tags: ['two words'] }, 'tags are single words'],
    [{ type: 'set_priority', priority: 'asap' }, 'Invalid option'],
    [{ type: 'notify', to: 'everyone', template: { subject: 's', body: 'b' } }, ''],
  ])('refuses the action %j', (input, message) => {
    const result = ActionSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join(' | ')).toContain(message);
  });

  it('accepts a webhook to a public https address and defaults the method to POST', () => {
    const parsed = ActionSchema.parse({ type: 'webhook', url: 'https://hooks.example.com/t' });
    expect(parsed).toEqual({ type: 'webhook', url: 'https://hooks.example.com/t', method: 'POST' });
  });

  it.each([
    ['http://example.com/hook', 'webhooks must use https'],
    ['https://localhost/hook', 'internal host'],
    ['https://10.1.2.3/hook', 'internal host'],
    ['https://[::1]/hook', 'internal host'],
    ['https://[::ffff:127.0.0.1]/hook', 'internal host'],
    ['https://169.254.169.254/latest/meta-data', 'internal host'],
    ['https://2130706433/hook', 'internal host'],
    ['https://metadata.google.internal/x', 'internal host'],
  ])('a rule saved with the webhook %s is refused (400 details on actions.0.url)', (url, message) => {
    const input = {
      id: 'hook',
      name: 'Hook',
      active: true,
      position: 0,
      trigger: 'ticket_created',
      actions: [{ type: 'webhook', url }],
      version: 1,
    };
    let error: unknown;
    try {
      parseRule(input);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toContain(message);
    expect((error as { details: unknown }).details).toEqual([
      { path: ['actions', 0, 'url'], message: expect.stringContaining(message) },
    ]);
    // The local runtime's policy lets the same rule through.
    expect(() => parseRule(input, { webhooks: { allowHttp: true, allowPrivateHosts: true } })).not.toThrow();
  });
});

const overheating = rule({
  id: 'overheating',
  name: 'Overheating phones go to Replacement',
  trigger: 'ticket_created',
  conditions: { all: [{ field: 'body', operator: 'contains', value: 'phone overheating' }] },
  actions: [
    { type: 'set_priority', priority: 'high' },
    { type: 'set_team', teamId: 'replacement' },
  ],
});

const longOverdue = rule({
  id: 'long-overdue',
  name: 'Long and overdue: alert the manager',
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
      template: {
        subject: 'Ticket #{{ticket.number}} needs attention',
        body: '{{customer.name}} has written {{ticket.subject}} and it is overdue.',
      },
    },
  ],
});

describe('the brief: body contains "phone overheating" → priority high, team Replacement', () => {
  it('fires on creation and plans exactly those changes', () => {
    const t = ticket();
    const result = evaluateRules({
      rules: [overheating],
      trigger: 'ticket_created',
      facts: withBody('Hi, my Phone is fine but since yesterday: phone overheating when charging', t),
    });
    expect(result.matches.map((m) => m.ruleId)).toEqual(['overheating']);
    expect(result.matches[0]?.ruleName).toBe('Overheating phones go to Replacement');
    const plan = planActions(t, combinedActions(result));
    expect(plan.patch).toEqual({ priority: 'high', teamId: 'replacement' });
    expect(plan.errors).toEqual([]);
    const { ticket: after } = applyPatch(t, plan.patch, T0);
    expect(after).toMatchObject({ priority: 'high', teamId: 'replacement' });
  });

  it('does not fire on other bodies nor on other triggers', () => {
    const other = withBody('my phone is overheating');
    expect(evaluateRules({ rules: [overheating], trigger: 'ticket_created', facts: other }).matches).toEqual(
      [],
    );
    const same = withBody('phone overheating');
    expect(evaluateRules({ rules: [overheating], trigger: 'ticket_updated', facts: same }).matches).toEqual(
      [],
    );
    expect(evaluateRules({ rules: [overheating], trigger: 'customer_replied', facts: same }).matches).toEqual(
      [],
    );
  });
});

describe('the brief: more than 10 exchanges and past resolution due → alert the manager', () => {
  const due = hoursAfter(24).toISOString();
  const at = (messageCount: number, hours: number, status: Ticket['status'] = 'open') =>
    facts(ticket({ messageCount, status }), { now: hoursAfter(hours), resolutionDueAt: due });

  it('fires from the periodic check and plans a notification to the supervisors', () => {
    const t = ticket({ messageCount: 11, status: 'open' });
    const result = evaluateRules({ rules: [longOverdue], trigger: 'time_based', facts: at(11, 25) });
    expect(result.matches.map((m) => m.ruleId)).toEqual(['long-overdue']);
    expect(result.firedKeys).toEqual(['long-overdue@time']);
    const plan = planActions(t, combinedActions(result), {
      customer: { id: 'c1', name: 'Zoë', email: null },
    });
    expect(plan.patch).toEqual({});
    expect(plan.notifications).toEqual([
      {
        to: { kind: 'supervisors', departmentId: 'electronics' },
        subject: 'Ticket #1042 needs attention',
        body: 'Zoë has written Problem with my order and it is overdue.',
      },
    ]);
  });

  it('needs both conditions', () => {
    expect(evaluateRules({ rules: [longOverdue], trigger: 'time_based', facts: at(10, 25) }).matches).toEqual(
      [],
    );
    expect(evaluateRules({ rules: [longOverdue], trigger: 'time_based', facts: at(11, 23) }).matches).toEqual(
      [],
    );
    expect(
      evaluateRules({ rules: [longOverdue], trigger: 'time_based', facts: at(11, 25, 'solved') }).matches,
    ).toEqual([]);
  });

  it('fires at most once per ticket, and never from events', () => {
    const first = evaluateRules({ rules: [longOverdue], trigger: 'time_based', facts: at(11, 25) });
    const later = at(14, 50);
    const again = evaluateRules({
      rules: [longOverdue],
      trigger: 'time_based',
      facts: { ...later, ticketVersion: later.ticketVersion + 5 },
      firedBefore: first.firedKeys,
    });
    expect(again.matches).toEqual([]);
    expect(again.skipped).toEqual([{ ruleId: 'long-overdue', reason: 'already_fired' }]);
    expect(
      evaluateRules({ rules: [longOverdue], trigger: 'ticket_updated', facts: at(11, 25) }).matches,
    ).toEqual([]);
  });
});

/**
 * Runs rules the way the events handler will: evaluate, plan the matches as
 * one change, apply it, and feed the resulting ticket_updated event back with
 * the recorded cause, until nothing fires.
 */
function runChain(
  rules: Rule[],
  start: Ticket,
  trigger: 'ticket_created' | 'ticket_updated' = 'ticket_updated',
) {
  let t = start;
  let causedBy: RuleCause | null = null;
  let fired: string[] = [];
  let currentTrigger: 'ticket_created' | 'ticket_updated' = trigger;
  const firings: string[] = [];
  const skipped: string[] = [];
  for (let round = 0; round < 50; round++) {
    const result = evaluateRules({
      rules,
      trigger: currentTrigger,
      facts: facts(t),
      firedBefore: fired,
      causedBy,
    });
    skipped.push(...result.skipped.map((s) => `${s.ruleId}:${s.reason}`));
    if (result.matches.length === 0) break;
    firings.push(...result.matches.map((m) => m.ruleId));
    const plan = planActions(t, combinedActions(result));
    const applied = applyPatch(t, plan.patch, T0);
    // A change with no effect still counts as a new state when notes are added.
    t = applied.changes.length > 0 ? applied.ticket : { ...applied.ticket, version: t.version + 1 };
    fired = pruneFiredKeys([...fired, ...result.firedKeys], t.version);
    causedBy = result.cause;
    currentTrigger = 'ticket_updated';
  }
  return { ticket: t, firings, skipped };
}

describe('loop safety', () => {
  it('a rule whose action makes it match again fires once', () => {
    const bump = rule({
      id: 'bump',
      conditions: { all: [{ field: 'priority', operator: 'in', value: ['normal', 'high'] }] },
      actions: [
        { type: 'set_priority', priority: 'high' },
        { type: 'add_note', body: 'Raised by a rule' },
      ],
    });
    const { firings, skipped, ticket: after } = runChain([bump], ticket());
    expect(firings).toEqual(['bump']);
    expect(skipped).toEqual(['bump:in_chain']);
    expect(after.priority).toBe('high');
  });

  it('two rules that undo each other fire once each', () => {
    const a = rule({
      id: 'a',
      position: 1,
      conditions: { all: [{ field: 'tags', operator: 'not_includes', value: 'a' }] },
      actions: [
        { type: 'add_tags', tags: ['a'] },
        { type: 'remove_tags', tags: ['b'] },
      ],
    });
    const b = rule({
      id: 'b',
      position: 2,
      conditions: { all: [{ field: 'tags', operator: 'includes', value: 'a' }] },
      actions: [
        { type: 'add_tags', tags: ['b'] },
        { type: 'remove_tags', tags: ['a'] },
      ],
    });
    const { firings, ticket: after } = runChain([a, b], ticket());
    expect(firings).toEqual(['a', 'b']);
    expect(after.tags).toEqual(['b']);
  });

  it(`stops a chain after ${MAX_CHAIN_DEPTH} rule-made changes`, () => {
    const steps = Array.from({ length: 8 }, (_, i) =>
      rule({
        id: `step${i}`,
        position: i,
        conditions: { all: [{ field: 'tags', operator: 'includes', value: `s${i}` }] },
        actions: [{ type: 'add_tags', tags: [`s${i + 1}`] }],
      }),
    );
    const { firings, skipped } = runChain(steps, ticket({ tags: ['s0'] }));
    expect(firings).toEqual(['step0', 'step1', 'step2', 'step3', 'step4']);
    expect(skipped).toContain('step5:max_depth');
  });

  it('the same event delivered twice fires nothing the second time', () => {
    const f = withBody('phone overheating');
    const first = evaluateRules({ rules: [overheating], trigger: 'ticket_created', facts: f });
    expect(first.firedKeys).toEqual([firedKey('overheating', 'ticket_created', f.ticketVersion)]);
    expect(first.firedKeys).toEqual(['overheating@v1']);
    const second = evaluateRules({
      rules: [overheating],
      trigger: 'ticket_created',
      facts: f,
      firedBefore: new Set(first.firedKeys),
    });
    expect(second.matches).toEqual([]);
    expect(second.cause).toBeNull();
  });

  it('an outside change starts a new chain, so a rule may fire again for a new state', () => {
    const vip = rule({
      id: 'vip',
      conditions: { all: [{ field: 'tags', operator: 'includes', value: 'vip' }] },
      actions: [{ type: 'add_note', body: 'VIP ticket' }],
    });
    const v2 = facts(ticket({ tags: ['vip'], version: 2 }));
    const first = evaluateRules({ rules: [vip], trigger: 'ticket_updated', facts: v2 });
    expect(first.cause).toEqual({ ruleIds: ['vip'], depth: 1 });
    const v4 = facts(ticket({ tags: ['vip'], version: 4 }));
    const later = evaluateRules({
      rules: [vip],
      trigger: 'ticket_updated',
      facts: v4,
      firedBefore: first.firedKeys,
    });
    expect(later.matches.map((m) => m.ruleId)).toEqual(['vip']);
  });

  it('evaluates active rules of the trigger in position order and chains the cause', () => {
    const r = (id: string, position: number, extra: Partial<RuleInput> = {}) =>
      rule({ id, position, ...extra });
    const result = evaluateRules({
      rules: [
        r('late', 30),
        r('early', 5),
        r('off', 1, { active: false }),
        r('created', 2, { trigger: 'ticket_created' }),
      ],
      trigger: 'ticket_updated',
      facts: facts(),
      causedBy: { ruleIds: ['x'], depth: 2 },
    });
    expect(result.matches.map((m) => m.ruleId)).toEqual(['early', 'late']);
    expect(result.cause).toEqual({ ruleIds: ['x', 'early', 'late'], depth: 3 });
  });

  it('prunes fired keys of older versions but keeps time-based ones', () => {
    expect(pruneFiredKeys(['a@v3', 'b@v5', 'c@time', 'd@v4'], 4)).toEqual(['b@v5', 'c@time', 'd@v4']);
  });
});

const act = (input: ActionInput): Action => ActionSchema.parse(input);

describe('planActions', () => {
  it('puts only real changes in the patch; later actions win; tags accumulate', () => {
    const t = ticket({ priority: 'high', tags: ['old', 'vip'] });
    const plan = planActions(t, [
      act({ type: 'set_priority', priority: 'high' }),
      act({ type: 'set_department', departmentId: 'returns' }),
      act({ type: 'set_department', departmentId: 'billing' }),
      act({ type: 'add_tags', tags: ['New', 'vip'] }),
      act({ type: 'remove_tags', tags: ['old'] }),
      act({ type: 'set_status', status: 'pending' }),
    ]);
    expect(plan.patch).toEqual({ departmentId: 'billing', tags: ['new', 'vip'], status: 'pending' });
    expect(plan.errors).toEqual([]);
    expect(planActions(t, [act({ type: 'set_priority', priority: 'high' })]).patch).toEqual({});
  });

  it('reports an illegal status move and keeps the other actions', () => {
    const plan = planActions(ticket({ status: 'open' }), [
      act({ type: 'set_status', status: 'closed' }),
      act({ type: 'set_priority', priority: 'urgent' }),
    ]);
    expect(plan.patch).toEqual({ priority: 'urgent' });
    expect(plan.errors).toEqual([
      {
        index: 0,
        type: 'set_status',
        message: 'an open ticket cannot become closed; it can become pending, on_hold, solved',
      },
    ]);
  });

  it('changes nothing on a closed ticket but may still notify', () => {
    const plan = planActions(ticket({ status: 'closed' }), [
      act({ type: 'set_priority', priority: 'urgent' }),
      act({ type: 'add_note', body: 'x' }),
      act({ type: 'notify', to: 'customer', template: { subject: 'Closed', body: 'Bye {{customer.name}}' } }),
    ]);
    expect(plan.patch).toEqual({});
    expect(plan.notes).toEqual([]);
    expect(plan.errors.map((e) => e.index)).toEqual([0, 1]);
    expect(plan.notifications).toEqual([
      {
        to: { kind: 'customer', customerId: 'c1', email: 'zoe@example.com' },
        subject: 'Closed',
        body: 'Bye Zoë Martin',
      },
    ]);
  });

  it('round_robin leaves the pick to the team strategy; an explicit agent overrides it', () => {
    const rr = planActions(ticket(), [
      act({ type: 'set_team', teamId: 'replacement' }),
      act({ type: 'set_assignee', assigneeId: 'round_robin' }),
      act({
        type: 'notify',
        to: 'assignee',
        template: { subject: 'New ticket', body: '#{{ticket.number}}' },
      }),
    ]);
    expect(rr.patch).toEqual({ teamId: 'replacement' });
    expect(rr.assignment).toBe('round_robin');
    expect(rr.notifications[0]?.to).toEqual({ kind: 'pending_assignee' });
    const direct = planActions(ticket(), [
      act({ type: 'set_assignee', assigneeId: 'round_robin' }),
      act({ type: 'set_assignee', assigneeId: 'ag7' }),
      act({ type: 'notify', to: 'assignee', template: { subject: 's', body: 'b' } }),
    ]);
    expect(direct.patch).toEqual({ assigneeId: 'ag7' });
    expect(direct.assignment).toBeNull();
    expect(direct.notifications[0]?.to).toEqual({ kind: 'agent', agentId: 'ag7' });
  });

  it('resolves recipients against the ticket after the patch and reports missing ones', () => {
    const plan = planActions(ticket({ teamId: null, assigneeId: null }), [
      act({ type: 'notify', to: 'team', template: { subject: 's', body: 'b' } }),
      act({ type: 'notify', to: 'assignee', template: { subject: 's', body: 'b' } }),
      act({ type: 'notify', to: { agentId: 'boss' }, template: { subject: 's', body: 'b' } }),
      act({ type: 'notify', to: { teamId: 'tier2' }, template: { subject: 's', body: 'b' } }),
      act({ type: 'set_team', teamId: 'tier1' }),
      act({ type: 'notify', to: 'team', template: { subject: 'status {{ticket.status}}', body: 'b' } }),
      act({ type: 'set_status', status: 'on_hold' }),
    ]);
    expect(plan.errors).toEqual([
      { index: 1, type: 'notify', message: 'the ticket has no assignee to notify' },
    ]);
    expect(plan.notifications.map((n) => n.to)).toEqual([
      { kind: 'team', teamId: 'tier1' },
      { kind: 'agent', agentId: 'boss' },
      { kind: 'team', teamId: 'tier2' },
      { kind: 'team', teamId: 'tier1' },
    ]);
    expect(plan.notifications[3]?.subject).toBe('status on hold');
  });

  it('renders notes and webhook bodies; webhook values are JSON-escaped', () => {
    const t = ticket({ subject: 'Say "hi"\nplease' });
    const plan = planActions(
      t,
      [
        act({ type: 'add_note', body: 'Handled by {{agent.name}} for {{customer.name}}' }),
        act({
          type: 'webhook',
          url: 'https://hooks.example.com/x',
          bodyTemplate: '{"subject":"{{ticket.subject}}","n":{{ticket.number}}}',
        }),
        act({ type: 'webhook', url: 'https://hooks.example.com/y' }),
      ],
      { agent: { id: 'a1', name: 'Sam' }, customer: { name: null, email: null } },
    );
    expect(plan.notes).toEqual(['Handled by Sam for Zoë Martin']);
    expect(JSON.parse(plan.webhooks[0]?.body ?? '')).toEqual({ subject: 'Say "hi"\nplease', n: 1042 });
    expect(plan.webhooks[0]).toMatchObject({ method: 'POST', contentType: 'application/json' });
    // Without a template the standard payload is built when the call is made (webhookPayload).
    expect(plan.webhooks[1]).toEqual({
      url: 'https://hooks.example.com/y',
      method: 'POST',
      contentType: 'application/json',
      body: null,
    });
  });

  describe('with custom fields', () => {
    const definitions = [
      parseFieldDefinition({
        id: 'sub_category',
        label: 'Sub-category',
        type: 'picklist',
        optionsByDepartment: { books: ['Fiction'], electronics: ['Laptops', 'Phones'] },
        active: true,
        version: 1,
      }),
      parseFieldDefinition({
        id: 'order_number',
        label: 'Order number',
        type: 'text',
        active: true,
        version: 1,
      }),
    ];
    const layouts = [
      parseLayout(
        {
          departmentId: 'books',
          fields: [{ fieldId: 'sub_category' }, { fieldId: 'order_number' }],
          version: 1,
        },
        definitions,
      ),
      parseLayout(
        {
          departmentId: 'electronics',
          fields: [{ fieldId: 'sub_category', required: true }, { fieldId: 'order_number' }],
          version: 1,
        },
        definitions,
      ),
    ];
    const fields = { definitions, layouts };

    it('checks set_field against the layout and normalises the value', () => {
      const plan = planActions(
        ticket({ customFields: { sub_category: 'Laptops' } }),
        [
          act({ type: 'set_field', fieldId: 'sub_category', value: 'phones' }),
          act({ type: 'set_field', fieldId: 'order_number', value: 7 }),
        ],
        { fields },
      );
      expect(plan.patch).toEqual({ customFields: { sub_category: 'Phones' } });
      expect(plan.errors).toEqual([{ index: 1, type: 'set_field', message: '"Order number" must be text' }]);
      const removal = planActions(
        ticket({ customFields: { sub_category: 'Laptops' } }),
        [act({ type: 'set_field', fieldId: 'sub_category', value: null })],
        { fields },
      );
      expect(removal.errors[0]?.message).toBe('"Sub-category" is required and cannot be removed');
    });

    it('carries fields over on a department move and validates set_field in the new department', () => {
      const plan = planActions(
        ticket({
          departmentId: 'electronics',
          customFields: { sub_category: 'Laptops', order_number: 'A1' },
        }),
        [act({ type: 'set_department', departmentId: 'books' })],
        { fields },
      );
      expect(plan.patch).toEqual({ departmentId: 'books', customFields: { sub_category: null } });
      expect(plan.droppedFields).toEqual([
        { field: 'sub_category', value: 'Laptops', reason: 'the value is not allowed in department books' },
      ]);
      const refilled = planActions(
        ticket({ departmentId: 'electronics', customFields: { sub_category: 'Laptops' } }),
        [
          act({ type: 'set_department', departmentId: 'books' }),
          act({ type: 'set_field', fieldId: 'sub_category', value: 'Fiction' }),
        ],
        { fields },
      );
      expect(refilled.patch.customFields).toEqual({ sub_category: 'Fiction' });
      expect(refilled.errors).toEqual([]);
    });
  });
});

describe('SLA escalation actions', () => {
  it('map onto the shared action union', () => {
    const escalations = [
      { type: 'notify_assignee' },
      { type: 'notify_supervisor' },
      { type: 'notify_team' },
      { type: 'notify_team', teamId: 'tier2' },
      { type: 'set_team', teamId: 'tier2' },
      { type: 'set_priority', priority: 'urgent' },
      { type: 'add_note', body: 'Escalated' },
    ].map((e) => EscalationActionSchema.parse(e));
    const actions = escalations.map((e) => escalationToAction(e));
    expect(actions.map((a) => (a.type === 'notify' ? `notify:${JSON.stringify(a.to)}` : a.type))).toEqual([
      'notify:"assignee"',
      'notify:"supervisor"',
      'notify:"team"',
      'notify:{"teamId":"tier2"}',
      'set_team',
      'set_priority',
      'add_note',
    ]);
    for (const a of actions) {
      expect(SlaEscalationActionSchema.parse(a)).toEqual(a);
      expect(ActionSchema.parse(a)).toEqual(a);
    }
    const plan = planActions(ticket({ assigneeId: 'ag1', teamId: 'tier1' }), actions);
    expect(plan.patch).toEqual({ teamId: 'tier2', priority: 'urgent' });
    expect(plan.notes).toEqual(['Escalated']);
    expect(plan.notifications.map((n) => n.to)).toEqual([
      { kind: 'agent', agentId: 'ag1' },
      { kind: 'supervisors', departmentId: 'electronics' },
      { kind: 'team', teamId: 'tier2' },
      { kind: 'team', teamId: 'tier2' },
    ]);
    expect(plan.notifications[0]?.subject).toBe('SLA escalation: ticket #1042');
  });

  it('an escalation never notifies the customer', () => {
    const result = SlaEscalationActionSchema.safeParse({
      type: 'notify',
      to: 'customer',
      template: { subject: 's', body: 'b' },
    });
    expect(result.success).toBe(false);
  });
});
