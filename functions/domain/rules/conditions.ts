import { z } from 'zod';
import { FIELD_ID_PATTERN, type FieldDefinition } from '../fields/model.js';
import { isCalendarDate } from '../fields/values.js';
import { CHANNELS, PRIORITIES, TICKET_STATUSES } from '../tickets/model.js';
import type { RuleFacts } from './facts.js';
import { containsPhrase, sameText, startsWithText } from './text.js';

/**
 * The condition language shared by workflow rules and routing rules:
 * `{ field, operator, value }` over `RuleFacts`, grouped as
 * `{ all: [...], any: [...] }` (every `all` condition holds, and at least one
 * `any` condition when there are some; an empty group matches everything).
 *
 * Semantics:
 * - Strings compare case- and accent-insensitively (`is`, `in`, `starts_with`,
 *   `includes`). `contains` / `not_contains` look for whole words or phrases
 *   ("phone overheating"); a list value means "any of these".
 * - `is_not`, `not_in`, `not_contains`, `not_includes` are the exact negations
 *   of their positive forms, so they hold when the fact is empty.
 * - `gt`…`lte` compare numbers (dates written YYYY-MM-DD compare as dates)
 *   and never hold for an empty fact.
 * - `is_empty`: null, '', or an empty list.
 */

export const OPERATORS = [
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
] as const;
export const OperatorSchema = z.enum(OPERATORS);
export type Operator = z.infer<typeof OperatorSchema>;

/** The kinds of fact, which decide the operators and values a condition may use. */
export type FactType = 'text' | 'enum' | 'id' | 'list' | 'number' | 'boolean' | 'date' | 'any';

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
  any: OPERATORS,
};

export interface FactField {
  type: FactType;
  /** For enums (and picklists): the allowed values. */
  values?: readonly string[];
}

/** The built-in condition fields. Custom fields are `cf.<fieldId>`. */
export const FACT_FIELDS: Readonly<Record<string, FactField>> = {
  status: { type: 'enum', values: TICKET_STATUSES },
  priority: { type: 'enum', values: PRIORITIES },
  channel: { type: 'enum', values: CHANNELS },
  departmentId: { type: 'id' },
  teamId: { type: 'id' },
  assigneeId: { type: 'id' },
  subject: { type: 'text' },
  body: { type: 'text' },
  tags: { type: 'list' },
  'customer.email': { type: 'text' },
  'customer.id': { type: 'id' },
  exchanges: { type: 'number' },
  hoursSinceCreated: { type: 'number' },
  hoursSinceUpdated: { type: 'number' },
  hoursSinceCustomerReply: { type: 'number' },
  resolutionOverdue: { type: 'boolean' },
};

/** Fields whose value depends on the clock: a condition on them makes sense in time-based rules. */
export const TIME_FIELDS = [
  'hoursSinceCreated',
  'hoursSinceUpdated',
  'hoursSinceCustomerReply',
  'resolutionOverdue',
];

export const CUSTOM_FIELD_PREFIX = 'cf.';

const CUSTOM_TYPE: Readonly<Record<FieldDefinition['type'], FactType>> = {
  text: 'text',
  number: 'number',
  date: 'date',
  checkbox: 'boolean',
  picklist: 'enum',
  multi_picklist: 'list',
};

/**
 * The type of a condition field, or null when there is no such field. A
 * custom field is typed by its definition when `definitions` are given, and
 * accepts any operator otherwise (checked again once definitions are known).
 */
export function factField(field: string, definitions?: readonly FieldDefinition[]): FactField | null {
  const builtIn = Object.hasOwn(FACT_FIELDS, field) ? FACT_FIELDS[field] : undefined;
  if (builtIn) return builtIn;
  if (!field.startsWith(CUSTOM_FIELD_PREFIX)) return null;
  const id = field.slice(CUSTOM_FIELD_PREFIX.length);
  if (!FIELD_ID_PATTERN.test(id)) return null;
  if (!definitions) return { type: 'any' };
  const definition = definitions.find((d) => d.id === id);
  if (!definition) return null;
  const type = CUSTOM_TYPE[definition.type];
  if (type !== 'enum' && type !== 'list') return { type };
  const values = new Set([
    ...(definition.options ?? []),
    ...Object.values(definition.optionsByDepartment ?? {}).flat(),
  ]);
  return { type, values: [...values] };
}

const ConditionValueSchema = z.union([
  z.string().max(500),
  z.number().finite(),
  z.boolean(),
  z.array(z.string().max(500)).max(100),
  z.null(),
]);
export type ConditionValue = z.infer<typeof ConditionValueSchema>;

const describe = (value: unknown) => JSON.stringify(value);

/**
 * What is wrong with a condition (unknown field, operator that does not fit
 * the field's type, value of the wrong shape), or null when it is fine.
 */
export function conditionProblem(
  condition: { field: string; operator: Operator; value?: ConditionValue | undefined },
  definitions?: readonly FieldDefinition[],
): string | null {
  const { field, operator, value } = condition;
  const spec = factField(field, definitions);
  if (!spec) {
    if (field.startsWith(CUSTOM_FIELD_PREFIX) && definitions)
      return `there is no custom field "${field.slice(3)}"`;
    return `unknown field "${field}"; use one of ${Object.keys(FACT_FIELDS).join(', ')} or cf.<field id>`;
  }
  const allowed = OPERATORS_BY_TYPE[spec.type];
  if (!allowed.includes(operator)) {
    return `operator ${operator} does not apply to ${field} (${spec.type}); use one of ${allowed.join(', ')}`;
  }
  const absent = value === undefined || value === null;
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.trim() !== '');
  const oneOrMore = (v: unknown): string[] | null =>
    typeof v === 'string' && v.trim() !== '' ? [v] : strings(v) ? v : null;
  const checkAllowed = (list: readonly string[]): string | null => {
    if (!spec.values) return null;
    const bad = list.find((v) => !spec.values?.some((a) => sameText(a, v)));
    return bad === undefined
      ? null
      : `${field} cannot be ${describe(bad)}; use one of ${spec.values.join(', ')}`;
  };

  switch (operator) {
    case 'is_empty':
    case 'is_not_empty':
      return absent ? null : `${operator} takes no value`;
    case 'is':
    case 'is_not': {
      if (spec.type === 'number')
        return typeof value === 'number' ? null : `${field} ${operator} needs a number`;
      if (spec.type === 'boolean') {
        return typeof value === 'boolean' ? null : `${field} ${operator} needs true or false`;
      }
      if (spec.type === 'date') {
        return typeof value === 'string' && isCalendarDate(value)
          ? null
          : `${field} ${operator} needs a date written YYYY-MM-DD`;
      }
      if (spec.type === 'any') {
        return absent || Array.isArray(value) ? `${field} ${operator} needs one value` : null;
      }
      if (typeof value !== 'string' || value.trim() === '') return `${field} ${operator} needs a value`;
      return checkAllowed([value]);
    }
    case 'in':
    case 'not_in':
      if (!strings(value)) return `${operator} needs a non-empty list of values`;
      return checkAllowed(value);
    case 'contains':
    case 'not_contains':
    case 'includes':
    case 'not_includes': {
      const list = oneOrMore(value);
      if (!list) return `${operator} needs a word, a phrase or a list of them`;
      if (operator === 'contains' || operator === 'not_contains') {
        const empty = list.find((phrase) => !/[\p{L}\p{N}]/u.test(phrase));
        return empty === undefined ? null : `${describe(empty)} has no word to look for`;
      }
      return checkAllowed(list);
    }
    case 'starts_with':
      return typeof value === 'string' && value.trim() !== '' ? null : 'starts_with needs some text';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (spec.type === 'date' || (spec.type === 'any' && typeof value === 'string')) {
        return typeof value === 'string' && isCalendarDate(value)
          ? null
          : `${field} ${operator} needs a date written YYYY-MM-DD`;
      }
      return typeof value === 'number' ? null : `${field} ${operator} needs a number`;
  }
}

export const ConditionSchema = z
  .object({
    field: z.string().min(1).max(100),
    operator: OperatorSchema,
    value: ConditionValueSchema.optional(),
  })
  .superRefine((condition, ctx) => {
    const problem = conditionProblem(condition);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export type Condition = z.infer<typeof ConditionSchema>;

export const ConditionGroupSchema = z.object({
  all: z.array(ConditionSchema).max(50).default([]),
  any: z.array(ConditionSchema).max(50).default([]),
});
export type ConditionGroup = z.infer<typeof ConditionGroupSchema>;
export type ConditionGroupInput = z.input<typeof ConditionGroupSchema>;

/** Problems of a condition group once the custom field definitions are known (path: `all.0`, `any.2`...). */
export function conditionGroupProblems(
  group: ConditionGroup,
  definitions: readonly FieldDefinition[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const part of ['all', 'any'] as const) {
    group[part].forEach((condition, i) => {
      const message = conditionProblem(condition, definitions);
      if (message) problems.push({ path: `${part}.${i}`, message });
    });
  }
  return problems;
}

/** The value of a condition field in the facts (`cf.x` → the custom field, null when unset). */
export function factValue(facts: RuleFacts, field: string): unknown {
  if (field.startsWith(CUSTOM_FIELD_PREFIX)) return facts.customFields[field.slice(3)] ?? null;
  if (field === 'customer.email') return facts.customer.email;
  if (field === 'customer.id') return facts.customer.id;
  if (!Object.hasOwn(FACT_FIELDS, field)) return undefined;
  return (facts as unknown as Record<string, unknown>)[field];
}

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function equals(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((a) => equals(a, expected));
  if (typeof actual === 'string' && typeof expected === 'string') return sameText(actual, expected);
  return actual === expected && actual !== null && actual !== undefined;
}

function compare(actual: unknown, expected: unknown): number | null {
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  if (typeof actual === 'string' && typeof expected === 'string' && isCalendarDate(actual)) {
    return actual < expected ? -1 : actual > expected ? 1 : 0;
  }
  return null;
}

/** Whether one condition holds for the facts. */
export function evaluateCondition(condition: Condition, facts: RuleFacts): boolean {
  const actual = factValue(facts, condition.field);
  const { value } = condition;
  const list: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  switch (condition.operator) {
    case 'is_empty':
      return isEmpty(actual);
    case 'is_not_empty':
      return !isEmpty(actual);
    case 'is':
      return equals(actual, value);
    case 'is_not':
      return !equals(actual, value);
    case 'in':
      return list.some((v) => equals(actual, v));
    case 'not_in':
      return !list.some((v) => equals(actual, v));
    case 'contains':
    case 'not_contains': {
      const found =
        typeof actual === 'string'
          ? list.some((v) => containsPhrase(actual, String(v)))
          : Array.isArray(actual) && list.some((v) => equals(actual, v));
      return condition.operator === 'contains' ? found : !found;
    }
    case 'starts_with':
      return typeof actual === 'string' && typeof value === 'string' && startsWithText(actual, value);
    case 'includes':
      return list.some((v) => equals(actual, v));
    case 'not_includes':
      return !list.some((v) => equals(actual, v));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, value);
      if (c === null) return false;
      return condition.operator === 'gt'
        ? c > 0
        : condition.operator === 'gte'
          ? c >= 0
          : condition.operator === 'lt'
            ? c < 0
            : c <= 0;
    }
  }
}

/** Every `all` condition holds and, when there are `any` conditions, at least one of them. */
export function matchesConditions(group: ConditionGroup, facts: RuleFacts): boolean {
  return (
    group.all.every((c) => evaluateCondition(c, facts)) &&
    (group.any.length === 0 || group.any.some((c) => evaluateCondition(c, facts)))
  );
}

/** True when a group has no condition at all (matches every ticket). */
export function isEmptyGroup(group: ConditionGroup): boolean {
  return group.all.length === 0 && group.any.length === 0;
}
