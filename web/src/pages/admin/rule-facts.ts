/**
 * The condition language of workflow and routing rules as the rule forms
 * offer it: the built-in ticket facts, which operators fit which kind of
 * fact, and how custom fields map onto kinds. A copy of the server's tables
 * (domain/rules/conditions.ts), which the SPA cannot import at run time
 * without bundling zod; a unit test (test/unit/web/rule-facts.test.ts) keeps
 * the two equal. Pure data, no React.
 */
import { CHANNELS, PRIORITIES, TICKET_STATUSES } from '../../../../functions/domain/tickets/status.js';
import type { FactType, FieldDefinition, FieldType, Operator } from '../../api/types.js';

export const CUSTOM_FIELD_PREFIX = 'cf.';

/** Where the values of an id fact come from (a select of departments, teams or agents). */
export type IdSource = 'department' | 'team' | 'agent';

export interface FactSpec {
  label: string;
  type: FactType;
  /** Enums: the allowed values. */
  values?: readonly string[];
  source?: IdSource;
  /** Numbers: the unit shown after the input. */
  unit?: string;
  /** Only meaningful in time-based rules (the clock moves it). */
  timeBased?: boolean;
}

/** The built-in condition fields, in the order the forms list them. */
export const BUILT_IN_FACTS: Readonly<Record<string, FactSpec>> = {
  subject: { label: 'Subject', type: 'text' },
  body: { label: 'Latest message', type: 'text' },
  status: { label: 'Status', type: 'enum', values: TICKET_STATUSES },
  priority: { label: 'Priority', type: 'enum', values: PRIORITIES },
  channel: { label: 'Channel', type: 'enum', values: CHANNELS },
  departmentId: { label: 'Department', type: 'id', source: 'department' },
  teamId: { label: 'Team', type: 'id', source: 'team' },
  assigneeId: { label: 'Assignee', type: 'id', source: 'agent' },
  tags: { label: 'Tags', type: 'list' },
  'customer.email': { label: 'Customer email', type: 'text' },
  'customer.id': { label: 'Customer id', type: 'id' },
  exchanges: { label: 'Messages exchanged', type: 'number' },
  hoursSinceCreated: { label: 'Hours since created', type: 'number', unit: 'hours', timeBased: true },
  hoursSinceUpdated: { label: 'Hours since last update', type: 'number', unit: 'hours', timeBased: true },
  hoursSinceCustomerReply: {
    label: 'Hours since the customer wrote',
    type: 'number',
    unit: 'hours',
    timeBased: true,
  },
  resolutionOverdue: { label: 'Resolution overdue (SLA)', type: 'boolean', timeBased: true },
};

export const OPERATORS_BY_TYPE: Readonly<Record<FactType, readonly Operator[]>> = {
  text: [
    'is',
    'is_not',
    'in',
    'not_in',
    'contains',
    'not_contains',
    'starts_with',
    'is_empty',
    'is_not_empty',
  ],
  enum: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  id: ['is', 'is_not', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  list: ['includes', 'not_includes', 'is_empty', 'is_not_empty'],
  number: ['is', 'is_not', 'gt', 'gte', 'lt', 'lte', 'is_empty', 'is_not_empty'],
  boolean: ['is', 'is_not'],
  date: ['is', 'is_not', 'gt', 'gte', 'lt', 'lte', 'is_empty', 'is_not_empty'],
  any: [
    'is',
    'is_not',
    'in',
    'not_in',
    'contains',
    'not_contains',
    'starts_with',
    'gt',
    'gte',
    'lt',
    'lte',
    'is_empty',
    'is_not_empty',
    'includes',
    'not_includes',
  ],
};

/** How a custom field's type maps onto a kind of fact. */
export const CUSTOM_FACT_TYPE: Readonly<Record<FieldType, FactType>> = {
  text: 'text',
  number: 'number',
  date: 'date',
  checkbox: 'boolean',
  picklist: 'enum',
  multi_picklist: 'list',
};

export function operatorLabel(operator: Operator, type: FactType): string {
  const dated = type === 'date';
  switch (operator) {
    case 'is':
      return 'is';
    case 'is_not':
      return 'is not';
    case 'in':
      return 'is one of';
    case 'not_in':
      return 'is none of';
    case 'contains':
      return 'contains';
    case 'not_contains':
      return 'does not contain';
    case 'starts_with':
      return 'starts with';
    case 'gt':
      return dated ? 'is after' : 'is more than';
    case 'gte':
      return dated ? 'is on or after' : 'is at least';
    case 'lt':
      return dated ? 'is before' : 'is less than';
    case 'lte':
      return dated ? 'is on or before' : 'is at most';
    case 'is_empty':
      return 'is empty';
    case 'is_not_empty':
      return 'is not empty';
    case 'includes':
      return 'includes';
    case 'not_includes':
      return 'does not include';
  }
}

/** The fact a condition field names: built in, a custom field (`cf.<id>`), or null when unknown. */
export function factSpec(field: string, fields: readonly FieldDefinition[]): FactSpec | null {
  const builtIn = Object.hasOwn(BUILT_IN_FACTS, field) ? BUILT_IN_FACTS[field] : undefined;
  if (builtIn) return builtIn;
  if (!field.startsWith(CUSTOM_FIELD_PREFIX)) return null;
  const definition = fields.find((f) => f.id === field.slice(CUSTOM_FIELD_PREFIX.length));
  if (!definition) return null;
  const type = CUSTOM_FACT_TYPE[definition.type];
  if (type !== 'enum' && type !== 'list') return { label: definition.label, type };
  const values = [
    ...new Set([
      ...(definition.options ?? []),
      ...Object.values(definition.optionsByDepartment ?? {}).flat(),
    ]),
  ];
  return { label: definition.label, type, values };
}
