/**
 * The rows of a rule form, shared by workflow and routing rules: condition
 * rows (field, operator, value; the value's control follows the field's kind:
 * a select of departments, teams or agents, checkboxes for "is one of", a
 * number, a date, words separated by commas...) in an "all" and an "any"
 * group, and action rows (set priority, status, department, team, assignee
 * or a custom field, add or remove tags, add a note, notify, call a webhook),
 * each with the inputs its type needs. Drafts keep what was typed; `*Body`
 * turns them into the API's shapes, and the server's checks name the row.
 */
import type { ReactNode } from 'react';
import type {
  Agent,
  ConditionGroup,
  Department,
  FactType,
  FieldDefinition,
  FieldError,
  NotifyTarget,
  Operator,
  Priority,
  RuleAction,
  RuleCondition,
  Team,
  TicketStatus,
} from '../../api/types.js';
import { FieldMessage, type FormErrors, type SaveProblem } from '../../components/FormErrors.js';
import { CHANNEL_LABEL, PRIORITIES, PRIORITY_LABEL, STATUS_LABEL, STATUSES } from '../../lib/format.js';
import { splitList, toggled } from './common.js';
import { allOptions } from './desk-data.js';
import {
  BUILT_IN_FACTS,
  CUSTOM_FIELD_PREFIX,
  type FactSpec,
  factSpec,
  OPERATORS_BY_TYPE,
  operatorLabel,
} from './rule-facts.js';

let nextKey = 1;
export const rowKey = () => nextKey++;

/** What the value controls choose from. */
export interface RuleLists {
  departments: readonly Department[];
  teams: readonly Team[];
  agents: readonly Agent[];
  fields: readonly FieldDefinition[];
}

// ---------------------------------------------------------------------------
// Conditions

export interface ConditionDraft {
  key: number;
  field: string;
  operator: Operator;
  /** Single values and comma-separated lists, as typed. */
  text: string;
  /** Values chosen with checkboxes. */
  values: string[];
}

export function conditionDraft(c?: RuleCondition): ConditionDraft {
  const value = c?.value;
  return {
    key: rowKey(),
    field: c?.field ?? 'subject',
    operator: c?.operator ?? 'contains',
    text: Array.isArray(value)
      ? value.join(', ')
      : value === undefined || value === null
        ? ''
        : String(value),
    values: Array.isArray(value) ? value : typeof value === 'string' && value ? [value] : [],
  };
}

type ValueInput =
  | { kind: 'none' | 'boolean' | 'number' | 'date' | 'text' | 'textList' }
  | { kind: 'select' | 'choices'; options: { value: string; label: string }[] };

const MANY: readonly Operator[] = ['in', 'not_in', 'includes', 'not_includes'];
const WORDS: readonly Operator[] = ['in', 'not_in', 'contains', 'not_contains', 'includes', 'not_includes'];

function enumLabel(field: string, value: string): string {
  if (field === 'status') return STATUS_LABEL[value as TicketStatus] ?? value;
  if (field === 'priority') return PRIORITY_LABEL[value as Priority] ?? value;
  if (field === 'channel') return CHANNEL_LABEL[value as keyof typeof CHANNEL_LABEL] ?? value;
  return value;
}

function choicesOf(
  field: string,
  spec: FactSpec,
  lists: RuleLists,
): { value: string; label: string }[] | null {
  if (spec.values) return spec.values.map((v) => ({ value: v, label: enumLabel(field, v) }));
  if (spec.source === 'department') return lists.departments.map((d) => ({ value: d.id, label: d.name }));
  if (spec.source === 'team') return lists.teams.map((t) => ({ value: t.id, label: t.name }));
  if (spec.source === 'agent') return lists.agents.map((a) => ({ value: a.id, label: a.name }));
  return null;
}

function valueInput(field: string, spec: FactSpec | null, operator: Operator, lists: RuleLists): ValueInput {
  if (operator === 'is_empty' || operator === 'is_not_empty') return { kind: 'none' };
  const type: FactType = spec?.type ?? 'any';
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'number') return { kind: 'number' };
  if (type === 'date') return { kind: 'date' };
  const choices = spec ? choicesOf(field, spec, lists) : null;
  if (choices) return { kind: MANY.includes(operator) ? 'choices' : 'select', options: choices };
  return { kind: WORDS.includes(operator) ? 'textList' : 'text' };
}

export function conditionBody(d: ConditionDraft, lists: RuleLists): RuleCondition {
  const spec = factSpec(d.field, lists.fields);
  const input = valueInput(d.field, spec, d.operator, lists);
  const base = { field: d.field, operator: d.operator };
  switch (input.kind) {
    case 'none':
      return base;
    case 'boolean':
      return { ...base, value: d.text === 'true' };
    case 'number':
      // Not a number: sent as null, which the server names.
      return { ...base, value: d.text.trim() === '' ? null : Number(d.text) };
    case 'date':
    case 'select':
      return { ...base, value: d.text.trim() };
    case 'text':
      return { ...base, value: d.text.trim() };
    case 'choices':
      return { ...base, value: d.values };
    case 'textList': {
      const words = d.field === 'tags' ? splitList(d.text.toLowerCase(), /[,\s]+/) : splitList(d.text, /,/);
      const list = d.operator === 'in' || d.operator === 'not_in';
      return { ...base, value: list || words.length !== 1 ? words : (words[0] as string) };
    }
  }
}

export function conditionsBody(group: { all: ConditionDraft[]; any: ConditionDraft[] }, lists: RuleLists) {
  return {
    all: group.all.map((c) => conditionBody(c, lists)),
    any: group.any.map((c) => conditionBody(c, lists)),
  } satisfies ConditionGroup;
}

/** A line of text for a condition: "Subject contains refund". */
export function conditionText(c: RuleCondition, lists: RuleLists): string {
  const spec = factSpec(c.field, lists.fields);
  const label = spec?.label ?? c.field;
  const type = spec?.type ?? 'any';
  const name = (v: string) => {
    const choices = spec ? choicesOf(c.field, spec, lists) : null;
    return choices?.find((o) => o.value === v)?.label ?? v;
  };
  const value =
    c.value === undefined || c.value === null
      ? ''
      : Array.isArray(c.value)
        ? c.value.map(name).join(', ')
        : typeof c.value === 'string'
          ? name(c.value)
          : String(c.value);
  return `${label} ${operatorLabel(c.operator, type)}${value ? ` ${value}` : ''}`;
}

function FieldOptions({ fields, current }: { fields: readonly FieldDefinition[]; current: string }) {
  const entries = Object.entries(BUILT_IN_FACTS);
  const known =
    Object.hasOwn(BUILT_IN_FACTS, current) || fields.some((f) => `${CUSTOM_FIELD_PREFIX}${f.id}` === current);
  return (
    <>
      <optgroup label="Ticket">
        {entries
          .filter(([, s]) => !s.timeBased)
          .map(([key, s]) => (
            <option key={key} value={key}>
              {s.label}
            </option>
          ))}
      </optgroup>
      <optgroup label="Time (time-based rules)">
        {entries
          .filter(([, s]) => s.timeBased)
          .map(([key, s]) => (
            <option key={key} value={key}>
              {s.label}
            </option>
          ))}
      </optgroup>
      {fields.length > 0 ? (
        <optgroup label="Custom fields">
          {fields.map((f) => (
            <option key={f.id} value={`${CUSTOM_FIELD_PREFIX}${f.id}`}>
              {f.label}
              {f.active ? '' : ' (inactive)'}
            </option>
          ))}
        </optgroup>
      ) : null}
      {known ? null : <option value={current}>{current}</option>}
    </>
  );
}

export function ConditionRows({
  group,
  legend,
  hint,
  rows,
  onChange,
  errors,
  lists,
  addId,
  focusLater,
}: {
  group: 'all' | 'any';
  legend: string;
  hint: string;
  rows: ConditionDraft[];
  onChange(rows: ConditionDraft[]): void;
  errors: FormErrors;
  lists: RuleLists;
  addId: string;
  focusLater(id: string): void;
}) {
  const base = `conditions.${group}`;
  const name = group === 'all' ? 'All' : 'Any';
  const set = (key: number, change: Partial<ConditionDraft>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));

  return (
    <fieldset className="condition-block" {...errors.group(base)}>
      <legend className="subsection-title">{legend}</legend>
      <p className="field-hint">{hint}</p>
      <FieldMessage errors={errors} path={base} />
      {rows.length === 0 ? <p className="muted small">No conditions.</p> : null}
      <ul className="rule-rows" aria-label={legend}>
        {rows.map((row, i) => {
          const path = `${base}.${i}`;
          const label = `${name} condition ${i + 1}`;
          const spec = factSpec(row.field, lists.fields);
          const type = spec?.type ?? 'any';
          const operators = OPERATORS_BY_TYPE[type];
          const input = valueInput(row.field, spec, row.operator, lists);
          return (
            <li key={row.key} className="rule-row">
              <div className="rule-row-inputs">
                <select
                  {...errors.control(`${path}.field`)}
                  value={row.field}
                  onChange={(e) => {
                    const field = e.target.value;
                    const next = OPERATORS_BY_TYPE[factSpec(field, lists.fields)?.type ?? 'any'];
                    set(row.key, {
                      field,
                      operator: next.includes(row.operator) ? row.operator : (next[0] as Operator),
                      text: '',
                      values: [],
                    });
                  }}
                  aria-label={`${label}: field`}
                >
                  <FieldOptions fields={lists.fields} current={row.field} />
                </select>
                <select
                  {...errors.control(`${path}.operator`)}
                  value={row.operator}
                  onChange={(e) =>
                    set(row.key, {
                      operator: e.target.value as Operator,
                      // "is X" becoming "is one of": keep X ticked.
                      values: row.values.length > 0 ? row.values : row.text ? [row.text] : [],
                    })
                  }
                  aria-label={`${label}: operator`}
                >
                  {operators.map((op) => (
                    <option key={op} value={op}>
                      {operatorLabel(op, type)}
                    </option>
                  ))}
                  {operators.includes(row.operator) ? null : (
                    <option value={row.operator}>{operatorLabel(row.operator, type)}</option>
                  )}
                </select>
                <ConditionValue
                  input={input}
                  row={row}
                  unit={spec?.unit}
                  control={errors.control(`${path}.value`)}
                  label={`${label}: value`}
                  onChange={(change) => set(row.key, change)}
                />
                <button
                  type="button"
                  className="btn btn-ghost btn-sm icon-button"
                  aria-label={`Remove ${label}`}
                  onClick={() => {
                    onChange(rows.filter((r) => r.key !== row.key));
                    focusLater(addId);
                  }}
                >
                  ×
                </button>
              </div>
              <FieldMessage errors={errors} path={path} nested />
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        id={addId}
        className="link-button"
        onClick={() => {
          onChange([...rows, conditionDraft()]);
          focusLater(errors.id(`${base}.${rows.length}.field`));
        }}
        aria-label={`Add a condition to “${legend}”`}
      >
        + Add condition
      </button>
    </fieldset>
  );
}

function ConditionValue({
  input,
  row,
  unit,
  control,
  label,
  onChange,
}: {
  input: ValueInput;
  row: ConditionDraft;
  unit: string | undefined;
  control: ReturnType<FormErrors['control']>;
  label: string;
  onChange(change: Partial<ConditionDraft>): void;
}) {
  const shape = conditionShape(input, unit);
  return (
    <ValueControl
      shape={shape}
      text={row.text}
      values={row.values}
      onText={(text) => onChange({ text })}
      onValues={(values) => onChange({ values })}
      control={control}
      label={label}
    />
  );
}

function conditionShape(input: ValueInput, unit: string | undefined): ValueShape {
  switch (input.kind) {
    case 'boolean':
      return { kind: 'boolean', yes: 'Yes', no: 'No' };
    case 'number':
      return { kind: 'number', unit };
    case 'select':
      return { kind: 'select', options: input.options, choose: 'Choose…' };
    case 'choices':
      return { kind: 'choices', options: input.options };
    case 'text':
      return { kind: 'text', placeholder: '' };
    case 'textList':
      return { kind: 'text', placeholder: 'word, or several separated by commas' };
    default:
      return { kind: input.kind };
  }
}

type Option = { value: string; label: string };

/** How a value is typed: by the fact a condition tests, or the custom field an action sets. */
type ValueShape =
  | { kind: 'none' | 'date' }
  | { kind: 'boolean'; yes: string; no: string }
  | { kind: 'number'; unit?: string | undefined }
  | { kind: 'select'; options: readonly Option[]; choose: string }
  | { kind: 'choices'; options: readonly Option[] }
  | { kind: 'text'; placeholder?: string };

/** The control for one value (`text`) or a set of values (`values`, for `choices`). */
function ValueControl({
  shape,
  text,
  values,
  onText,
  onValues,
  control,
  label,
}: {
  shape: ValueShape;
  text: string;
  values: readonly string[];
  onText(text: string): void;
  onValues(values: string[]): void;
  control: ReturnType<FormErrors['control']>;
  label: string;
}) {
  switch (shape.kind) {
    case 'none':
      return null;
    case 'boolean':
      return (
        <select
          {...control}
          value={text || 'true'}
          onChange={(e) => onText(e.target.value)}
          aria-label={label}
        >
          <option value="true">{shape.yes}</option>
          <option value="false">{shape.no}</option>
        </select>
      );
    case 'number': {
      const input = (
        <input
          {...control}
          type="number"
          step="any"
          value={text}
          onChange={(e) => onText(e.target.value)}
          aria-label={label}
        />
      );
      return shape.unit ? (
        <>
          {input}
          <span className="muted small">{shape.unit}</span>
        </>
      ) : (
        input
      );
    }
    case 'date':
      return (
        <input
          {...control}
          type="date"
          value={text}
          onChange={(e) => onText(e.target.value)}
          aria-label={label}
        />
      );
    case 'select': {
      const known = shape.options.some((o) => o.value === text);
      return (
        <select {...control} value={text} onChange={(e) => onText(e.target.value)} aria-label={label}>
          <option value="">{shape.choose}</option>
          {shape.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          {known || !text ? null : <option value={text}>{text}</option>}
        </select>
      );
    }
    case 'choices':
      return (
        <fieldset
          className="checkbox-group is-inline"
          id={control.id}
          aria-label={label}
          aria-describedby={control['aria-describedby']}
        >
          <div className="checkbox-options">
            {shape.options.map((o) => {
              const id = `${control.id}-${o.value.replace(/[^A-Za-z0-9_-]/g, '-')}`;
              return (
                <span key={o.value} className="checkbox-option">
                  <input
                    id={id}
                    type="checkbox"
                    checked={values.includes(o.value)}
                    onChange={(e) => onValues(toggled(values, o.value, e.target.checked))}
                  />
                  <label htmlFor={id}>{o.label}</label>
                </span>
              );
            })}
          </div>
        </fieldset>
      );
    case 'text':
      return (
        <input
          {...control}
          value={text}
          onChange={(e) => onText(e.target.value)}
          aria-label={label}
          placeholder={shape.placeholder}
          autoComplete="off"
        />
      );
  }
}

// ---------------------------------------------------------------------------
// Actions

type ActionType = RuleAction['type'];

export const ACTION_LABEL: Record<ActionType, string> = {
  set_priority: 'Set the priority',
  set_status: 'Set the status',
  set_department: 'Move to a department',
  set_team: 'Move to a team',
  set_assignee: 'Assign',
  set_field: 'Set a custom field',
  add_tags: 'Add tags',
  remove_tags: 'Remove tags',
  add_note: 'Add an internal note',
  notify: 'Notify',
  webhook: 'Call a webhook',
};
export const ACTION_TYPES = Object.keys(ACTION_LABEL) as ActionType[];

type NotifyChoice = 'assignee' | 'team' | 'supervisor' | 'customer' | 'agent' | 'a_team';
const NOTIFY_LABEL: Record<NotifyChoice, string> = {
  assignee: 'The assignee',
  team: "The ticket's team",
  supervisor: 'Supervisors',
  customer: 'The customer',
  agent: 'An agent…',
  a_team: 'A team…',
};

/** `round_robin`: the team's assignment strategy picks the agent (domain/rules/actions.ts). */
export const ROUND_ROBIN = 'round_robin';

export interface ActionDraft {
  key: number;
  type: ActionType;
  priority: Priority;
  status: TicketStatus;
  departmentId: string;
  teamId: string;
  assigneeId: string;
  fieldId: string;
  fieldText: string;
  fieldValues: string[];
  clearField: boolean;
  tags: string;
  body: string;
  notify: NotifyChoice;
  notifyId: string;
  subject: string;
  url: string;
  bodyTemplate: string;
}

export function actionDraft(a?: RuleAction, type: ActionType = 'set_priority'): ActionDraft {
  const d: ActionDraft = {
    key: rowKey(),
    type: a?.type ?? type,
    priority: 'high',
    status: 'open',
    departmentId: '',
    teamId: '',
    assigneeId: '',
    fieldId: '',
    fieldText: '',
    fieldValues: [],
    clearField: false,
    tags: '',
    body: '',
    notify: 'assignee',
    notifyId: '',
    subject: '',
    url: '',
    bodyTemplate: '',
  };
  if (!a) return d;
  switch (a.type) {
    case 'set_priority':
      return { ...d, priority: a.priority };
    case 'set_status':
      return { ...d, status: a.status };
    case 'set_department':
      return { ...d, departmentId: a.departmentId ?? '' };
    case 'set_team':
      return { ...d, teamId: a.teamId ?? '' };
    case 'set_assignee':
      return { ...d, assigneeId: a.assigneeId ?? '' };
    case 'set_field': {
      const v = a.value;
      return {
        ...d,
        fieldId: a.fieldId,
        clearField: v === null,
        fieldText: v === null || Array.isArray(v) ? '' : String(v),
        fieldValues: Array.isArray(v) ? v : [],
      };
    }
    case 'add_tags':
    case 'remove_tags':
      return { ...d, tags: a.tags.join(', ') };
    case 'add_note':
      return { ...d, body: a.body };
    case 'notify': {
      const to = a.to;
      const notify: NotifyChoice = typeof to === 'string' ? to : 'agentId' in to ? 'agent' : 'a_team';
      const notifyId = typeof to === 'string' ? '' : 'agentId' in to ? to.agentId : to.teamId;
      return { ...d, notify, notifyId, subject: a.template.subject, body: a.template.body };
    }
    case 'webhook':
      return { ...d, url: a.url, bodyTemplate: a.bodyTemplate ?? '' };
  }
}

function fieldValue(
  d: ActionDraft,
  field: FieldDefinition | undefined,
): string | number | boolean | string[] | null {
  if (d.clearField) return null;
  switch (field?.type) {
    case 'number':
      return d.fieldText.trim() === '' ? null : Number(d.fieldText);
    case 'checkbox':
      return d.fieldText === 'true';
    case 'multi_picklist':
      return d.fieldValues;
    default:
      return d.fieldText;
  }
}

export function actionBody(d: ActionDraft, lists: RuleLists): RuleAction {
  const tags = () => splitList(d.tags.toLowerCase(), /[,\s]+/);
  switch (d.type) {
    case 'set_priority':
      return { type: d.type, priority: d.priority };
    case 'set_status':
      return { type: d.type, status: d.status };
    case 'set_department':
      return { type: d.type, departmentId: d.departmentId || null };
    case 'set_team':
      return { type: d.type, teamId: d.teamId || null };
    case 'set_assignee':
      return { type: d.type, assigneeId: d.assigneeId || null };
    case 'set_field':
      return {
        type: d.type,
        fieldId: d.fieldId,
        value: fieldValue(
          d,
          lists.fields.find((f) => f.id === d.fieldId),
        ),
      };
    case 'add_tags':
    case 'remove_tags':
      return { type: d.type, tags: tags() };
    case 'add_note':
      return { type: d.type, body: d.body };
    case 'notify': {
      const to: NotifyTarget =
        d.notify === 'agent'
          ? { agentId: d.notifyId }
          : d.notify === 'a_team'
            ? { teamId: d.notifyId }
            : d.notify;
      return { type: d.type, to, template: { subject: d.subject, body: d.body } };
    }
    case 'webhook':
      return {
        type: d.type,
        url: d.url.trim(),
        method: 'POST',
        ...(d.bodyTemplate.trim() ? { bodyTemplate: d.bodyTemplate } : {}),
      };
  }
}

/** A line of text for an action: "Set the priority: High". */
export function actionText(a: RuleAction, lists: RuleLists): string {
  const department = (id: string | null) =>
    id === null ? 'triage (no department)' : (lists.departments.find((d) => d.id === id)?.name ?? id);
  const team = (id: string | null) =>
    id === null ? 'no team' : (lists.teams.find((t) => t.id === id)?.name ?? id);
  const agent = (id: string | null) =>
    id === null
      ? 'nobody'
      : id === ROUND_ROBIN
        ? "the team's strategy"
        : (lists.agents.find((x) => x.id === id)?.name ?? id);
  switch (a.type) {
    case 'set_priority':
      return `Priority → ${PRIORITY_LABEL[a.priority]}`;
    case 'set_status':
      return `Status → ${STATUS_LABEL[a.status]}`;
    case 'set_department':
      return `Department → ${department(a.departmentId)}`;
    case 'set_team':
      return `Team → ${team(a.teamId)}`;
    case 'set_assignee':
      return `Assign → ${agent(a.assigneeId)}`;
    case 'set_field': {
      const label = lists.fields.find((f) => f.id === a.fieldId)?.label ?? a.fieldId;
      return `${label} → ${a.value === null ? 'cleared' : Array.isArray(a.value) ? a.value.join(', ') : String(a.value)}`;
    }
    case 'add_tags':
      return `Add tags ${a.tags.join(', ')}`;
    case 'remove_tags':
      return `Remove tags ${a.tags.join(', ')}`;
    case 'add_note':
      return 'Internal note';
    case 'notify': {
      const to = a.to;
      const who =
        typeof to === 'string'
          ? NOTIFY_LABEL[to].toLowerCase()
          : 'agentId' in to
            ? agent(to.agentId)
            : team(to.teamId);
      return `Notify ${who}`;
    }
    case 'webhook':
      return `Webhook ${a.url}`;
  }
}

const PLACEHOLDERS =
  '{{ticket.number}}, {{ticket.subject}}, {{ticket.status}}, {{customer.name}}, {{customer.email}}, {{desk.name}}';

export function ActionRows({
  rows,
  onChange,
  errors,
  lists,
  types = ACTION_TYPES,
  addId,
  focusLater,
  legend = 'Actions',
  hint,
}: {
  rows: ActionDraft[];
  onChange(rows: ActionDraft[]): void;
  errors: FormErrors;
  lists: RuleLists;
  types?: readonly ActionType[];
  addId: string;
  focusLater(id: string): void;
  legend?: string;
  hint?: ReactNode;
}) {
  const set = (key: number, change: Partial<ActionDraft>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  return (
    <fieldset className="form-section" {...errors.group('actions')}>
      <legend className="section-title">{legend}</legend>
      {hint ? <p className="field-hint">{hint}</p> : null}
      <FieldMessage errors={errors} path="actions" />
      {rows.length === 0 ? <p className="muted small">No actions.</p> : null}
      <ol className="rule-rows" aria-label={legend}>
        {rows.map((row, i) => (
          <ActionRow
            key={row.key}
            row={row}
            path={`actions.${i}`}
            label={`Action ${i + 1}`}
            errors={errors}
            lists={lists}
            types={types}
            onChange={(change) => set(row.key, change)}
            onRemove={() => {
              onChange(rows.filter((r) => r.key !== row.key));
              focusLater(addId);
            }}
          />
        ))}
      </ol>
      <button
        type="button"
        id={addId}
        className="btn btn-secondary btn-sm"
        onClick={() => {
          onChange([...rows, actionDraft(undefined, types[0])]);
          focusLater(errors.id(`actions.${rows.length}.type`));
        }}
      >
        Add action
      </button>
    </fieldset>
  );
}

function ActionRow({
  row,
  path,
  label,
  errors,
  lists,
  types,
  onChange,
  onRemove,
}: {
  row: ActionDraft;
  path: string;
  label: string;
  errors: FormErrors;
  lists: RuleLists;
  types: readonly ActionType[];
  onChange(change: Partial<ActionDraft>): void;
  onRemove(): void;
}) {
  const control = (part: string) => errors.control(`${path}.${part}`, true);
  const select = (
    part: string,
    value: string,
    change: (value: string) => void,
    name: string,
    options: { value: string; label: string }[],
  ) => {
    const known = value === '' || options.some((o) => o.value === value);
    return (
      <select
        {...control(part)}
        value={value}
        onChange={(e) => change(e.target.value)}
        aria-label={`${label}: ${name}`}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
        {known ? null : <option value={value}>{value}</option>}
      </select>
    );
  };
  const field = lists.fields.find((f) => f.id === row.fieldId);
  const teamsOf = lists.teams.map((t) => ({
    value: t.id,
    label: `${t.name} (${lists.departments.find((d) => d.id === t.departmentId)?.name ?? t.departmentId})`,
  }));

  let inputs: ReactNode = null;
  let wide: ReactNode = null;
  switch (row.type) {
    case 'set_priority':
      inputs = select(
        'priority',
        row.priority,
        (v) => onChange({ priority: v as Priority }),
        'priority',
        [...PRIORITIES].reverse().map((p) => ({ value: p, label: PRIORITY_LABEL[p] })),
      );
      break;
    case 'set_status':
      inputs = select(
        'status',
        row.status,
        (v) => onChange({ status: v as TicketStatus }),
        'status',
        STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] })),
      );
      break;
    case 'set_department':
      inputs = select('departmentId', row.departmentId, (v) => onChange({ departmentId: v }), 'department', [
        { value: '', label: 'Triage queue (no department)' },
        ...lists.departments.map((d) => ({ value: d.id, label: d.name })),
      ]);
      break;
    case 'set_team':
      inputs = select('teamId', row.teamId, (v) => onChange({ teamId: v }), 'team', [
        { value: '', label: 'No team' },
        ...teamsOf,
      ]);
      break;
    case 'set_assignee':
      inputs = select('assigneeId', row.assigneeId, (v) => onChange({ assigneeId: v }), 'assignee', [
        { value: ROUND_ROBIN, label: "Whoever the team's strategy picks" },
        { value: '', label: 'Nobody (unassign)' },
        ...lists.agents
          .filter((a) => a.active || a.id === row.assigneeId)
          .map((a) => ({ value: a.id, label: a.name })),
      ]);
      break;
    case 'set_field':
      inputs = (
        <>
          {select(
            'fieldId',
            row.fieldId,
            (v) => onChange({ fieldId: v, fieldText: '', fieldValues: [] }),
            'field',
            [
              { value: '', label: 'Choose a field…' },
              ...lists.fields
                .filter((f) => f.active || f.id === row.fieldId)
                .map((f) => ({ value: f.id, label: f.label })),
            ],
          )}
          {field && !row.clearField ? (
            <FieldValueInput
              field={field}
              row={row}
              control={control('value')}
              label={`${label}: value`}
              onChange={onChange}
            />
          ) : null}
          {field ? (
            <span className="checkbox-option">
              <input
                id={`${errors.id(path)}-clear`}
                type="checkbox"
                checked={row.clearField}
                onChange={(e) => onChange({ clearField: e.target.checked })}
              />
              <label htmlFor={`${errors.id(path)}-clear`}>Clear it</label>
            </span>
          ) : null}
        </>
      );
      break;
    case 'add_tags':
    case 'remove_tags':
      inputs = (
        <input
          {...control('tags')}
          value={row.tags}
          onChange={(e) => onChange({ tags: e.target.value })}
          aria-label={`${label}: tags`}
          placeholder="e.g. refund, vip"
          autoComplete="off"
          spellCheck={false}
        />
      );
      break;
    case 'add_note':
      wide = (
        <textarea
          {...control('body')}
          value={row.body}
          onChange={(e) => onChange({ body: e.target.value })}
          aria-label={`${label}: note`}
          placeholder={`Internal note; placeholders: ${PLACEHOLDERS}`}
          rows={3}
        />
      );
      break;
    case 'notify':
      inputs = (
        <>
          {select(
            'to',
            row.notify,
            (v) => onChange({ notify: v as NotifyChoice, notifyId: '' }),
            'recipient',
            (Object.keys(NOTIFY_LABEL) as NotifyChoice[]).map((n) => ({ value: n, label: NOTIFY_LABEL[n] })),
          )}
          {row.notify === 'agent'
            ? select('to.agentId', row.notifyId, (v) => onChange({ notifyId: v }), 'agent', [
                { value: '', label: 'Choose an agent…' },
                ...lists.agents.map((a) => ({ value: a.id, label: a.name })),
              ])
            : null}
          {row.notify === 'a_team'
            ? select('to.teamId', row.notifyId, (v) => onChange({ notifyId: v }), 'team to notify', [
                { value: '', label: 'Choose a team…' },
                ...teamsOf,
              ])
            : null}
        </>
      );
      wide = (
        <>
          <input
            {...control('template.subject')}
            value={row.subject}
            onChange={(e) => onChange({ subject: e.target.value })}
            aria-label={`${label}: subject`}
            placeholder="Subject, e.g. Ticket #{{ticket.number}} needs you"
            autoComplete="off"
          />
          <textarea
            {...control('template.body')}
            value={row.body}
            onChange={(e) => onChange({ body: e.target.value })}
            aria-label={`${label}: message`}
            placeholder={`Message; placeholders: ${PLACEHOLDERS}`}
            rows={3}
          />
        </>
      );
      break;
    case 'webhook':
      inputs = (
        <input
          {...control('url')}
          type="url"
          value={row.url}
          onChange={(e) => onChange({ url: e.target.value })}
          aria-label={`${label}: URL`}
          placeholder="https://example.com/hooks/helpdesk"
          autoComplete="off"
          spellCheck={false}
        />
      );
      wide = (
        <textarea
          {...control('bodyTemplate')}
          value={row.bodyTemplate}
          onChange={(e) => onChange({ bodyTemplate: e.target.value })}
          aria-label={`${label}: body`}
          placeholder="Optional JSON body with placeholders; empty: a JSON summary of the ticket"
          rows={3}
          spellCheck={false}
        />
      );
      break;
  }

  return (
    <li className="rule-row">
      <div className="rule-row-inputs">
        <select
          {...errors.control(`${path}.type`)}
          value={row.type}
          onChange={(e) => onChange({ type: e.target.value as ActionType })}
          aria-label={`${label}: type`}
        >
          {types.map((t) => (
            <option key={t} value={t}>
              {ACTION_LABEL[t]}
            </option>
          ))}
          {types.includes(row.type) ? null : <option value={row.type}>{ACTION_LABEL[row.type]}</option>}
        </select>
        {inputs}
        <button
          type="button"
          className="btn btn-ghost btn-sm icon-button"
          aria-label={`Remove ${label}`}
          onClick={onRemove}
        >
          ×
        </button>
      </div>
      {wide ? <div className="rule-row-wide">{wide}</div> : null}
      <FieldMessage errors={errors} path={path} nested />
    </li>
  );
}

function FieldValueInput({
  field,
  row,
  control,
  label,
  onChange,
}: {
  field: FieldDefinition;
  row: ActionDraft;
  control: ReturnType<FormErrors['control']>;
  label: string;
  onChange(change: Partial<ActionDraft>): void;
}) {
  const options = () => allOptions(field).map((o) => ({ value: o, label: o }));
  const shape: ValueShape =
    field.type === 'number' || field.type === 'date'
      ? { kind: field.type }
      : field.type === 'checkbox'
        ? { kind: 'boolean', yes: 'Checked', no: 'Unchecked' }
        : field.type === 'picklist'
          ? { kind: 'select', options: options(), choose: 'Choose a value…' }
          : field.type === 'multi_picklist'
            ? { kind: 'choices', options: options() }
            : { kind: 'text' };
  return (
    <ValueControl
      shape={shape}
      text={row.fieldText}
      values={row.fieldValues}
      onText={(fieldText) => onChange({ fieldText })}
      onValues={(fieldValues) => onChange({ fieldValues })}
      control={control}
      label={label}
    />
  );
}

/**
 * Some checks come back as one message naming a path ("conditions.all.0:
 * there is no custom field ...") rather than as a field: put those on the
 * path they name.
 */
export function withNamedPaths(problem: SaveProblem | undefined): SaveProblem | undefined {
  if (problem?.kind !== 'error') return problem;
  const details: FieldError[] = problem.details.flatMap((d) => {
    if (d.field !== '') return [d];
    const parts = d.message.split(/;\s+(?=(?:conditions|actions|target)\.)/);
    return parts.map((part) => {
      const match = /^((?:conditions|actions|target)(?:\.[\w-]+)*):\s*(.+)$/s.exec(part);
      return match
        ? { field: match[1] as string, message: match[2] as string }
        : { field: '', message: part };
    });
  });
  return { ...problem, details };
}
