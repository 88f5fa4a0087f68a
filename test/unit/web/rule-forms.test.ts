/**
 * The SPA's rule forms against the server's rule language: the forms' copy
 * of the condition tables (which facts exist, their kinds and values, which
 * operators fit) equals the domain's, and every row the forms can build
 * becomes a body the domain's schemas accept, and reads back as the same row.
 */
import { describe, expect, it } from 'vitest';
import { type FieldDefinition, parseFieldDefinition } from '../../../functions/domain/fields/model.js';
import { ActionSchema } from '../../../functions/domain/rules/actions.js';
import {
  ConditionSchema,
  conditionProblem,
  OPERATORS_BY_TYPE as DOMAIN_OPERATORS,
  FACT_FIELDS,
  factField,
} from '../../../functions/domain/rules/conditions.js';
import { parseRule } from '../../../functions/domain/rules/model.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import {
  ACTION_TYPES,
  type ActionDraft,
  actionBody,
  actionDraft,
  conditionBody,
  conditionDraft,
  type RuleLists,
  withNamedPaths,
} from '../../../web/src/pages/admin/RuleRows.js';
import {
  BUILT_IN_FACTS,
  CUSTOM_FACT_TYPE,
  factSpec,
  OPERATORS_BY_TYPE,
} from '../../../web/src/pages/admin/rule-facts.js';

const now = '2026-01-01T00:00:00.000Z';
const fields: FieldDefinition[] = [
  parseFieldDefinition({
    id: 'genre',
    label: 'Genre',
    type: 'picklist',
    options: ['Other'],
    optionsByDepartment: { books: ['Fiction', 'Comics'] },
    active: true,
    version: 1,
  }),
  parseFieldDefinition({
    id: 'formats',
    label: 'Formats',
    type: 'multi_picklist',
    options: ['Paper', 'Ebook'],
    active: true,
    version: 1,
  }),
  parseFieldDefinition({ id: 'pages', label: 'Pages', type: 'number', min: 1, active: true, version: 1 }),
  parseFieldDefinition({ id: 'released', label: 'Released', type: 'date', active: true, version: 1 }),
  parseFieldDefinition({ id: 'signed', label: 'Signed', type: 'checkbox', active: true, version: 1 }),
  parseFieldDefinition({ id: 'isbn', label: 'ISBN', type: 'text', maxLength: 20, active: true, version: 1 }),
];
const lists: RuleLists = {
  departments: [
    {
      id: 'books',
      name: 'Books',
      active: true,
      supportAddresses: [],
      version: 1,
      createdAt: now,
      updatedAt: now,
      updatedBy: null,
    },
  ],
  teams: [
    {
      id: 'book-club',
      name: 'Book club',
      departmentId: 'books',
      active: true,
      assignment: { strategy: 'manual' },
      version: 1,
      createdAt: now,
      updatedAt: now,
      updatedBy: null,
    },
  ],
  agents: [
    {
      id: 'agent-nora',
      email: 'nora@example.com',
      name: 'Nora',
      role: 'agent',
      departmentIds: ['books'],
      teamIds: ['book-club'],
      active: true,
      availability: 'online',
      capacity: 20,
      skills: [],
      version: 1,
      createdAt: now,
      updatedAt: now,
      updatedBy: null,
    },
  ],
  fields,
};

describe("the rule forms' condition tables", () => {
  it('offer exactly the built-in facts of the server, with the same kinds and values', () => {
    expect(Object.keys(BUILT_IN_FACTS).sort()).toEqual(Object.keys(FACT_FIELDS).sort());
    for (const [name, spec] of Object.entries(BUILT_IN_FACTS)) {
      expect({ name, type: spec.type, values: spec.values }).toEqual({
        name,
        type: FACT_FIELDS[name]?.type,
        values: FACT_FIELDS[name]?.values,
      });
    }
  });

  it('give each kind of fact the operators the server allows', () => {
    expect(OPERATORS_BY_TYPE).toEqual(DOMAIN_OPERATORS);
  });

  it('type custom fields as the server does', () => {
    for (const field of fields) {
      const spec = factSpec(`cf.${field.id}`, fields);
      const server = factField(`cf.${field.id}`, fields);
      expect(spec?.type).toBe(server?.type);
      expect(CUSTOM_FACT_TYPE[field.type]).toBe(server?.type);
      expect(spec?.values ? [...spec.values].sort() : undefined).toEqual(
        server?.values ? [...server.values].sort() : undefined,
      );
    }
    expect(factSpec('cf.nothing', fields)).toBeNull();
  });
});

/** A sample value a person would pick or type for a condition on `field` with `operator`. */
function typed(field: string, operator: string): { text: string; values: string[] } {
  const spec = factSpec(field, fields);
  const many = ['in', 'not_in', 'includes', 'not_includes'].includes(operator);
  switch (spec?.type) {
    case 'boolean':
      return { text: 'false', values: [] };
    case 'number':
      return { text: '3', values: [] };
    case 'date':
      return { text: '2026-02-01', values: [] };
    default: {
      const options =
        spec?.values ??
        (spec?.source === 'department'
          ? ['books']
          : spec?.source === 'team'
            ? ['book-club']
            : spec?.source === 'agent'
              ? ['agent-nora']
              : null);
      if (options)
        return many ? { text: '', values: options.slice(0, 2) } : { text: options[0] as string, values: [] };
      return { text: field === 'tags' ? 'vip, urgent' : 'refund, broken screen', values: [] };
    }
  }
}

describe('condition rows', () => {
  const facts = [...Object.keys(BUILT_IN_FACTS), ...fields.map((f) => `cf.${f.id}`)];
  for (const field of facts) {
    it(`build valid conditions on ${field} with every operator it takes`, () => {
      const spec = factSpec(field, fields);
      for (const operator of OPERATORS_BY_TYPE[spec?.type ?? 'any']) {
        const draft = { ...conditionDraft(), field, operator, ...typed(field, operator) };
        const body = conditionBody(draft, lists);
        expect(ConditionSchema.safeParse(body).success, `${field} ${operator} ${JSON.stringify(body)}`).toBe(
          true,
        );
        expect(conditionProblem(body, fields), `${field} ${operator}`).toBeNull();
        // Read back, the row builds the same condition.
        expect(conditionBody(conditionDraft(body), lists)).toEqual(body);
      }
    });
  }

  it('leave a value the person did not give for the server to name', () => {
    const body = conditionBody({ ...conditionDraft(), field: 'exchanges', operator: 'gt', text: '' }, lists);
    expect(conditionProblem(body)).toMatch(/needs a number/);
  });
});

describe('action rows', () => {
  const filled: Record<(typeof ACTION_TYPES)[number], Partial<ActionDraft>> = {
    set_priority: { priority: 'urgent' },
    set_status: { status: 'pending' },
    set_department: { departmentId: 'books' },
    set_team: { teamId: 'book-club' },
    set_assignee: { assigneeId: 'round_robin' },
    set_field: { fieldId: 'formats', fieldValues: ['Ebook'] },
    add_tags: { tags: 'VIP, damaged  books' },
    remove_tags: { tags: 'triage' },
    add_note: { body: 'Hello {{customer.name}}' },
    notify: {
      notify: 'a_team',
      notifyId: 'book-club',
      subject: 'Ticket #{{ticket.number}}',
      body: 'Look at it',
    },
    webhook: { url: 'https://example.com/hook', bodyTemplate: '{"n": {{ticket.number}}}' },
  };

  it('cover every action the server knows', () => {
    const server = ActionSchema.options.map((o) => o.shape.type.value).sort();
    expect([...ACTION_TYPES].sort()).toEqual(server);
  });

  for (const type of ACTION_TYPES) {
    it(`build a valid ${type} action that reads back the same`, () => {
      const draft = { ...actionDraft(undefined, type), ...filled[type] };
      const body = actionBody(draft, lists);
      expect(ActionSchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
      expect(actionBody(actionDraft(body), lists)).toEqual(body);
    });
  }

  it('send tags in lower case, one word each, and null for "nobody" and "no department"', () => {
    expect(actionBody({ ...actionDraft(undefined, 'add_tags'), tags: 'VIP, damaged  books' }, lists)).toEqual(
      {
        type: 'add_tags',
        tags: ['vip', 'damaged', 'books'],
      },
    );
    expect(actionBody({ ...actionDraft(undefined, 'set_assignee'), assigneeId: '' }, lists)).toEqual({
      type: 'set_assignee',
      assigneeId: null,
    });
    expect(actionBody({ ...actionDraft(undefined, 'set_department'), departmentId: '' }, lists)).toEqual({
      type: 'set_department',
      departmentId: null,
    });
    expect(
      actionBody(
        { ...actionDraft(undefined, 'set_field'), fieldId: 'pages', fieldText: '12', clearField: false },
        lists,
      ),
    ).toEqual({ type: 'set_field', fieldId: 'pages', value: 12 });
    expect(
      actionBody(
        { ...actionDraft(undefined, 'set_field'), fieldId: 'pages', fieldText: '12', clearField: true },
        lists,
      ),
    ).toEqual({ type: 'set_field', fieldId: 'pages', value: null });
  });
});

describe('problems the server names by path in its message', () => {
  it('land on the rows they name', () => {
    // What the server says when a rule names a custom field that does not exist (one message, no field).
    let message = '';
    try {
      parseRule(
        {
          id: 'r',
          name: 'R',
          active: true,
          position: 1,
          trigger: 'ticket_created',
          conditions: { all: [{ field: 'cf.nothing', operator: 'is', value: 'x' }], any: [] },
          actions: [{ type: 'set_field', fieldId: 'missing', value: 'x' }],
          version: 1,
        },
        { fields },
      );
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      message = ((error as ValidationFailed).details as { problems: string[] }).problems.join('; ');
    }
    expect(message).not.toBe('');
    const shown = withNamedPaths({
      kind: 'error',
      message: 'Invalid rule',
      details: [{ field: '', message }],
    });
    expect(shown).toEqual({
      kind: 'error',
      message: 'Invalid rule',
      details: [
        { field: 'conditions.all.0', message: 'there is no custom field "nothing"' },
        { field: 'actions.0', message: 'there is no custom field "missing"' },
      ],
    });
    // Field errors and whole-rule messages stay as they are.
    const plain = {
      kind: 'error' as const,
      message: 'x',
      details: [
        { field: 'name', message: 'must not be empty' },
        { field: '', message: 'something else' },
      ],
    };
    expect(withNamedPaths(plain)).toEqual(plain);
  });
});
