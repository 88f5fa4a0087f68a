import { describe, expect, it } from 'vitest';
import {
  type CannedResponse,
  cannedScore,
  parseCannedResponse,
  searchCanned,
} from '../../../functions/domain/macros/canned.js';
import { canUse, type MacroInput, parseMacro, planMacro } from '../../../functions/domain/macros/model.js';
import {
  DEFAULT_FALLBACKS,
  renderTemplate,
  TEMPLATE_PLACEHOLDERS,
  templatePlaceholders,
  templateProblems,
  validateTemplate,
} from '../../../functions/domain/macros/templates.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import { openTicket, type Ticket } from '../../../functions/domain/tickets/model.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    ...openTicket({
      id: 't1',
      number: 1077,
      subject: 'Refund for order 55',
      channel: 'email',
      priority: 'normal',
      departmentId: 'billing',
      customerId: 'c1',
      requester: { name: 'Ana', email: 'ana@example.com', phone: null },
      now: T0,
    }),
    ...overrides,
  };
}

describe('templates', () => {
  const context = {
    customer: { name: 'Ana Lima', email: 'ana@example.com' },
    ticket: { number: 1077, subject: 'Refund for order 55', status: 'on_hold' },
    agent: { name: 'Sam' },
    desk: { name: 'Acme Support' },
  };

  it('renders every placeholder, with spaces inside the braces allowed', () => {
    const template = TEMPLATE_PLACEHOLDERS.map((p) => `${p}={{${p}}}`).join(';');
    expect(renderTemplate(template, context)).toBe(
      'customer.name=Ana Lima;customer.email=ana@example.com;ticket.number=1077;ticket.subject=Refund for order 55;ticket.status=on hold;agent.name=Sam;desk.name=Acme Support',
    );
    expect(renderTemplate('Hi {{ customer.name }}!', context)).toBe('Hi Ana Lima!');
  });

  it('falls back when a value is missing', () => {
    expect(renderTemplate('Hi {{customer.name}}, {{agent.name}} here.', {})).toBe(
      'Hi there, the support team here.',
    );
    expect(renderTemplate('{{agent.name}}', { agent: { name: null }, desk: { name: 'Acme' } })).toBe('Acme');
    expect(renderTemplate('Hi {{customer.name}}', { customer: { name: '  ', email: null } })).toBe(
      'Hi there',
    );
    expect(renderTemplate('Hi {{customer.name}}', {}, { fallbacks: { 'customer.name': 'friend' } })).toBe(
      'Hi friend',
    );
    expect(DEFAULT_FALLBACKS['customer.name']).toBe('there');
  });

  it('refuses unknown and unclosed placeholders at save time', () => {
    expect(() => validateTemplate('Dear {{customer.first_name}}', 'reply')).toThrow(ValidationFailed);
    expect(() => validateTemplate('Dear {{customer.first_name}}', 'reply')).toThrow(
      'Invalid reply: unknown placeholder {{customer.first_name}}',
    );
    expect(templateProblems('Hi {{customer.name}')).toEqual([
      'a placeholder is not closed: write {{name}} with two braces on each side',
    ]);
    expect(templateProblems('Hi {{customer.name}} #{{ticket.number}}')).toEqual([]);
    expect(validateTemplate('Plain text')).toBe('Plain text');
  });

  it('renders an unknown placeholder as nothing rather than braces', () => {
    expect(renderTemplate('a{{nope}}b', context)).toBe('ab');
  });

  it('lists the placeholders a template uses', () => {
    expect(templatePlaceholders('{{ticket.number}} {{customer.name}} {{ticket.number}} {{x}}')).toEqual([
      'ticket.number',
      'customer.name',
    ]);
  });

  it('escapes values for JSON when asked', () => {
    const out = renderTemplate(
      '{"name":"{{customer.name}}"}',
      { customer: { name: 'A "B"\\C', email: null } },
      {
        escape: 'json',
      },
    );
    expect(JSON.parse(out)).toEqual({ name: 'A "B"\\C' });
  });
});

const refundMacro: MacroInput = {
  id: 'refund',
  name: 'Refund issued',
  scope: 'shared',
  actions: [
    { type: 'set_status', status: 'pending' },
    { type: 'add_tags', tags: ['refund'] },
    { type: 'add_note', body: 'Refund issued by {{agent.name}}' },
  ],
  reply: {
    body: 'Hi {{customer.name}},\nyour refund for ticket #{{ticket.number}} is on its way; the ticket is now {{ticket.status}}.\n{{agent.name}}, {{desk.name}}',
  },
};

describe('macros', () => {
  it('plans the actions and renders the reply against the ticket after them', () => {
    const plan = planMacro(parseMacro(refundMacro), ticket({ status: 'open' }), {
      agent: { id: 'a1', name: 'Sam' },
      desk: { name: 'Acme Support' },
    });
    expect(plan.patch).toEqual({ status: 'pending', tags: ['refund'] });
    expect(plan.notes).toEqual(['Refund issued by Sam']);
    expect(plan.reply).toBe(
      'Hi Ana,\nyour refund for ticket #1077 is on its way; the ticket is now pending.\nSam, Acme Support',
    );
    expect(plan.errors).toEqual([]);
  });

  it('plans each ticket of a list on its own', () => {
    const macro = parseMacro(refundMacro);
    const plans = [ticket({ id: 'a', tags: ['refund'] }), ticket({ id: 'b', status: 'closed' })].map((t) =>
      planMacro(macro, t, {}),
    );
    expect(plans[0]?.patch).toEqual({ status: 'pending' });
    expect(plans[1]?.patch).toEqual({});
    expect(plans[1]?.errors).toHaveLength(3);
  });

  it('a reply-only macro has no patch and a macro without reply has a null reply', () => {
    const replyOnly = parseMacro({
      id: 'thanks',
      name: 'Thanks',
      scope: 'shared',
      reply: { body: 'Thanks!' },
    });
    expect(planMacro(replyOnly, ticket())).toMatchObject({ patch: {}, reply: 'Thanks!' });
    const tagOnly = parseMacro({
      id: 'vip',
      name: 'VIP',
      scope: 'shared',
      actions: [{ type: 'add_tags', tags: ['vip'] }],
    });
    expect(planMacro(tagOnly, ticket()).reply).toBeNull();
  });

  it.each([
    [{ ...refundMacro, scope: 'personal' }, 'a personal item needs its owner'],
    [{ ...refundMacro, ownerId: 'a1' }, 'a shared item has no owner'],
    [{ id: 'x', name: 'X', scope: 'shared' }, 'a macro needs at least one action or a reply'],
    [
      { ...refundMacro, reply: { body: 'Hi {{customer.surname}}' } },
      'unknown placeholder {{customer.surname}}',
    ],
  ])('refuses %#', (input, message) => {
    expect(() => parseMacro(input)).toThrow(message);
  });

  it('personal macros are for their owner only', () => {
    const mine = parseMacro({ ...refundMacro, scope: 'personal', ownerId: 'a1' });
    expect(canUse(mine, 'a1')).toBe(true);
    expect(canUse(mine, 'a2')).toBe(false);
    expect(canUse(parseMacro(refundMacro), 'a2')).toBe(true);
  });
});

describe('canned responses', () => {
  const canned = [
    {
      id: 'c1',
      title: 'Refund policy',
      body: 'We refund within 30 days.',
      tags: ['billing'],
      scope: 'shared',
    },
    {
      id: 'c2',
      title: 'Shipping times',
      body: 'Refunds are not covered here; parcels take 3 days.',
      tags: [],
      scope: 'shared',
    },
    {
      id: 'c3',
      title: 'Reset your password',
      body: 'Click "Forgot password".',
      tags: ['account', 'refund'],
      scope: 'shared',
    },
    {
      id: 'c4',
      title: 'Réclamation reçue',
      body: 'Nous avons bien reçu votre demande.',
      tags: ['francais'],
      scope: 'shared',
    },
    {
      id: 'c5',
      title: 'My refund shortcut',
      body: 'Personal note about refund',
      tags: [],
      scope: 'personal',
      ownerId: 'a1',
    },
  ].map((c) => parseCannedResponse(c));

  const ids = (list: CannedResponse[]) => list.map((c) => c.id);

  it('ranks title matches above tag matches above body matches', () => {
    expect(ids(searchCanned(canned, 'refund'))).toEqual(['c5', 'c1', 'c3', 'c2']);
    expect(cannedScore(canned[0]!, 'refund')).toBeGreaterThan(cannedScore(canned[2]!, 'refund'));
    expect(cannedScore(canned[2]!, 'refund')).toBeGreaterThan(cannedScore(canned[1]!, 'refund'));
  });

  it('hides other agents personal responses', () => {
    expect(ids(searchCanned(canned, 'refund', { agentId: 'a2' }))).toEqual(['c1', 'c3', 'c2']);
    expect(ids(searchCanned(canned, 'refund', { agentId: 'a1' }))).toEqual(['c5', 'c1', 'c3', 'c2']);
  });

  it('is case- and accent-insensitive and matches word prefixes', () => {
    expect(ids(searchCanned(canned, 'RECLAMATION'))).toEqual(['c4']);
    expect(ids(searchCanned(canned, 'reçu'))).toEqual(['c4']);
    expect(ids(searchCanned(canned, 'passw'))).toEqual(['c3']);
  });

  it('needs every query word to match somewhere', () => {
    expect(ids(searchCanned(canned, 'refund days'))).toEqual(['c1', 'c2']);
    expect(ids(searchCanned(canned, 'refund unicorn'))).toEqual([]);
  });

  it('gives a bonus to the whole phrase in the title', () => {
    const list = [
      parseCannedResponse({ id: 'x', title: 'Password for reset', body: 'b', scope: 'shared' }),
      parseCannedResponse({ id: 'y', title: 'Reset password', body: 'b', scope: 'shared' }),
    ];
    expect(ids(searchCanned(list, 'reset password'))).toEqual(['y', 'x']);
  });

  it('lists everything by title for an empty query', () => {
    expect(ids(searchCanned(canned, '  '))).toEqual(['c5', 'c4', 'c1', 'c3', 'c2']);
  });

  it('refuses a body with an unknown placeholder and normalises tags', () => {
    expect(() =>
      parseCannedResponse({ id: 'x', title: 't', body: '{{ticket.owner}}', scope: 'shared' }),
    ).toThrow('unknown placeholder {{ticket.owner}}');
    expect(
      parseCannedResponse({ id: 'x', title: 't', body: 'b', tags: ['B', 'a', 'b'], scope: 'shared' }).tags,
    ).toEqual(['a', 'b']);
  });
});
