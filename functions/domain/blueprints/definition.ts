import { z } from 'zod';
import { NotFoundError, ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';
import {
  CHANNELS,
  CustomFieldValueSchema,
  PRIORITIES,
  PrioritySchema,
  type Ticket,
  TicketStatusSchema,
} from '../tickets/model.js';
import { canMoveStatus } from '../tickets/status.js';

/**
 * Blueprint definitions: a department's multi-step process across teams, as
 * data (versioned, edited in the SPA, interpreted by one generic state
 * machine; see `statemachines/blueprint.asl.json`).
 *
 * - States map onto the ticket's status and may carry a time limit.
 * - Transitions are the only way from one state to the next: who may perform
 *   them (agents, teams, roles, whole departments, other departments
 *   included), which fields the performer must fill in, whether a note is
 *   required, and what happens afterwards (set fields, priority, notify).
 * - Entry conditions say which tickets of the department enter automatically.
 *
 * `validateBlueprint` checks the shape (zod) and the graph. Publishing gives
 * each saved definition a new version; a ticket's run remembers the
 * `{ blueprintId, version }` it started with, so editing a blueprint never
 * changes the process of tickets already under way.
 */

const IdSchema = z.string().trim().min(1).max(100);
const NameSchema = z.string().trim().min(1).max(200);

/** State and transition ids: short slugs, stable across versions so runs and dashboards can refer to them. */
export const StepIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'ids are lower-case slugs: letters, digits, _ or -, up to 64 characters',
  );

/** Same shape as the keys of a ticket's `customFields`. */
export const BlueprintFieldIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'field ids are lower_snake_case, up to 64 characters');

// ---------------------------------------------------------------------------
// Entry conditions
// ---------------------------------------------------------------------------

/** Ticket fields an entry condition can look at; `custom.<fieldId>` reads a custom field. */
export const ENTRY_FIELDS = ['channel', 'priority', 'departmentId', 'tags'] as const;
export const EntryFieldSchema = z.union([
  z.enum(ENTRY_FIELDS),
  z.string().regex(/^custom\.[a-z][a-z0-9_]{0,63}$/, 'custom field conditions are written custom.<field_id>'),
]);
export type EntryField = z.infer<typeof EntryFieldSchema>;

const ScalarSchema = z.union([z.string().max(2000), z.number().finite(), z.boolean()]);

/**
 * One entry condition:
 * - `is`: the ticket's value equals `value` (a single value);
 * - `in`: the ticket's value is one of `value` (a list);
 * - `includes`: the ticket's list (tags, a multi-value custom field) contains `value`.
 */
export const EntryConditionSchema = z
  .object({
    field: EntryFieldSchema,
    operator: z.enum(['is', 'in', 'includes']),
    value: z.union([ScalarSchema, z.array(ScalarSchema).min(1).max(100)]),
  })
  .superRefine((c, ctx) => {
    const list = Array.isArray(c.value);
    if (c.operator === 'in' && !list) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: '"in" needs a list of values' });
    }
    if (c.operator !== 'in' && list) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" needs a single value` });
    }
    if (c.operator === 'includes' && c.field !== 'tags' && !c.field.startsWith('custom.')) {
      ctx.addIssue({
        code: 'custom',
        path: ['operator'],
        message: '"includes" applies to tags and custom fields only',
      });
    }
    const values = Array.isArray(c.value) ? c.value : [c.value];
    const allowed: readonly unknown[] | null =
      c.field === 'channel' ? CHANNELS : c.field === 'priority' ? PRIORITIES : null;
    const bad = allowed ? values.find((v) => !allowed.includes(v)) : undefined;
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${String(bad)} is not a ${c.field}` });
    }
  });
export type EntryCondition = z.infer<typeof EntryConditionSchema>;

// ---------------------------------------------------------------------------
// States and transitions
// ---------------------------------------------------------------------------

export const TimeLimitSchema = z.object({
  minutes: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 60),
  /** `business`: minutes of the department's business calendar; `calendar`: wall-clock minutes. */
  clock: z.enum(['business', 'calendar']),
});
export type TimeLimit = z.infer<typeof TimeLimitSchema>;

export const BlueprintStateSchema = z.object({
  id: StepIdSchema,
  name: NameSchema,
  /** The ticket status while the ticket is in this state. */
  status: TicketStatusSchema,
  timeLimit: TimeLimitSchema.optional(),
  /** Reaching a final state completes the blueprint. */
  final: z.boolean().optional(),
});
export type BlueprintState = z.infer<typeof BlueprintStateSchema>;

const IdListSchema = z.array(IdSchema).min(1).max(100);

/**
 * Who may perform a transition: anyone matching at least one list (an agent
 * by id, a member of one of the teams, an agent with one of the roles, or a
 * member of one of the departments, including departments other than the
 * blueprint's own).
 */
export const PerformersSchema = z
  .object({
    agentIds: IdListSchema.optional(),
    teamIds: IdListSchema.optional(),
    roles: z
      .array(z.enum(['admin', 'supervisor', 'agent']))
      .min(1)
      .optional(),
    departmentIds: IdListSchema.optional(),
  })
  .refine((p) => Boolean(p.agentIds || p.teamIds || p.roles || p.departmentIds), {
    message: 'a transition needs at least one performer (agents, teams, roles or departments)',
  });
export type Performers = z.infer<typeof PerformersSchema>;

export const REQUIRED_FIELD_TYPES = ['text', 'number', 'date', 'checkbox', 'picklist'] as const;

export const RequiredFieldSchema = z
  .object({
    fieldId: BlueprintFieldIdSchema,
    label: z.string().trim().min(1).max(100),
    type: z.enum(REQUIRED_FIELD_TYPES),
    /** Picklists only: the values the performer chooses from. */
    options: z.array(z.string().trim().min(1).max(200)).min(1).max(500).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.type === 'picklist' && !f.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a picklist field needs its options' });
    }
    if (f.type !== 'picklist' && f.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only picklist fields have options' });
    }
    if (f.options && new Set(f.options.map((o) => o.toLowerCase())).size !== f.options.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'picklist options must be distinct' });
    }
  });
export type RequiredField = z.infer<typeof RequiredFieldSchema>;

/**
 * Who a transition's notification goes to: the customer, the ticket's
 * assignee, the team of the agent who performed it, the department's
 * supervisors, or a named team or agent.
 */
export const NotifyTargetSchema = z.union([
  z.enum(['customer', 'assignee', 'performer_team', 'supervisor']),
  z.object({ teamId: IdSchema }).strict(),
  z.object({ agentId: IdSchema }).strict(),
]);
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

export const TemplateSchema = z.object({
  subject: z.string().trim().min(1).max(200),
  body: z.string().trim().min(1).max(5000),
});
export type Template = z.infer<typeof TemplateSchema>;

export const TransitionActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('set_field'), fieldId: BlueprintFieldIdSchema, value: CustomFieldValueSchema }),
  z.object({ type: z.literal('notify'), to: NotifyTargetSchema, template: TemplateSchema }),
  z.object({ type: z.literal('set_priority'), priority: PrioritySchema }),
]);
export type TransitionAction = z.infer<typeof TransitionActionSchema>;

export const BlueprintTransitionSchema = z.object({
  id: StepIdSchema,
  name: NameSchema,
  from: StepIdSchema,
  to: StepIdSchema,
  performers: PerformersSchema,
  requiredFields: z.array(RequiredFieldSchema).max(20).optional(),
  requireNote: z.boolean().optional(),
  actions: z.array(TransitionActionSchema).max(20).optional(),
});
export type BlueprintTransition = z.infer<typeof BlueprintTransitionSchema>;

export const BlueprintDefinitionSchema = z.object({
  id: IdSchema,
  name: NameSchema,
  /** The department that owns the blueprint; only its tickets enter it. */
  departmentId: IdSchema,
  /** 1, 2, ... as published; runs keep the version they started with. */
  version: z.number().int().min(1),
  entry: z.object({
    /** Every condition must hold; an empty list lets every ticket of the department in. */
    conditions: z.array(EntryConditionSchema).max(20),
  }),
  states: z.array(BlueprintStateSchema).min(2).max(50),
  startState: StepIdSchema,
  transitions: z.array(BlueprintTransitionSchema).min(1).max(200),
});
export type BlueprintDefinition = z.infer<typeof BlueprintDefinitionSchema>;
/** A definition as an admin writes it (before defaults and trimming). */
export type BlueprintDefinitionInput = z.input<typeof BlueprintDefinitionSchema>;
/** What the designer saves: a definition without its version, which publishing assigns. */
export type BlueprintDraft = Omit<BlueprintDefinitionInput, 'version'> & { version?: number };

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const key = (name: string) => name.trim().toLowerCase();
const quote = (name: string) => `"${name}"`;

function duplicates<T>(items: readonly T[], keyOf: (item: T) => string): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const item of items) {
    const k = keyOf(item);
    if (seen.has(k)) twice.add(k);
    seen.add(k);
  }
  return [...twice];
}

/** Every problem of the graph, each a sentence naming the offending state or transition. */
function graphProblems(def: BlueprintDefinition): string[] {
  const problems: string[] = [];
  const states = new Map(def.states.map((s) => [s.id, s]));
  const label = (id: string) => {
    const s = states.get(id);
    return s ? `${quote(s.name)} (${id})` : id;
  };
  const transitionLabel = (t: BlueprintTransition) => `transition ${quote(t.name)} (${t.id})`;

  for (const id of duplicates(def.states, (s) => s.id)) problems.push(`two states share the id ${id}`);
  for (const name of duplicates(def.states, (s) => key(s.name))) {
    problems.push(`two states share the name ${quote(name)}`);
  }
  for (const id of duplicates(def.transitions, (t) => t.id)) {
    problems.push(`two transitions share the id ${id}`);
  }

  const start = states.get(def.startState);
  if (!start) problems.push(`the start state ${def.startState} is not one of the states`);
  else if (start.final) problems.push(`the start state ${label(start.id)} cannot be final`);
  if (!def.states.some((s) => s.final)) problems.push('a blueprint needs at least one final state');

  const outgoing = new Map<string, BlueprintTransition[]>();
  for (const t of def.transitions) {
    const from = states.get(t.from);
    const to = states.get(t.to);
    if (!from) problems.push(`${transitionLabel(t)} starts from an unknown state ${t.from}`);
    if (!to) problems.push(`${transitionLabel(t)} leads to an unknown state ${t.to}`);
    if (from && to && !canMoveStatus(from.status, to.status)) {
      problems.push(
        `${transitionLabel(t)} would move the ticket from status ${from.status} to ${to.status}, which tickets cannot do`,
      );
    }
    const list = outgoing.get(t.from) ?? [];
    list.push(t);
    outgoing.set(t.from, list);

    for (const fieldId of duplicates(t.requiredFields ?? [], (f) => f.fieldId)) {
      problems.push(`${transitionLabel(t)} asks for the field ${fieldId} twice`);
    }
    for (const action of t.actions ?? []) {
      if (action.type === 'set_field' && t.requiredFields?.some((f) => f.fieldId === action.fieldId)) {
        problems.push(`${transitionLabel(t)} both asks for and sets the field ${action.fieldId}`);
      }
    }
  }

  for (const state of def.states) {
    const out = outgoing.get(state.id) ?? [];
    if (state.final && out.length > 0) {
      problems.push(
        `the final state ${label(state.id)} has outgoing transitions: ${out.map((t) => quote(t.name)).join(', ')}`,
      );
    }
    if (!state.final && out.length === 0) {
      problems.push(`the state ${label(state.id)} is a dead end: it is not final and has no transition out`);
    }
    if (!state.final && state.status === 'closed') {
      problems.push(`the state ${label(state.id)} closes the ticket, so it must be final`);
    }
    for (const name of duplicates(out, (t) => key(t.name))) {
      problems.push(`two transitions out of ${label(state.id)} share the name ${quote(name)}`);
    }
  }

  if (start) {
    const reached = new Set([start.id]);
    const queue = [start.id];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      for (const t of outgoing.get(id) ?? []) {
        if (states.has(t.to) && !reached.has(t.to)) {
          reached.add(t.to);
          queue.push(t.to);
        }
      }
    }
    for (const state of def.states) {
      if (!reached.has(state.id)) {
        problems.push(`the state ${label(state.id)} cannot be reached from the start state`);
      }
    }
  }
  return problems;
}

/**
 * Validates untrusted input as a blueprint definition: the shape (zod), then
 * the graph. Throws ValidationFailed whose message lists every graph problem,
 * each naming the state or transition at fault (details: `{ problems }`).
 *
 * Graph rules: state ids and names are unique, transition ids are unique,
 * transitions out of one state have distinct names (the same name, such as
 * "Reject", may leave different states); every transition joins known states
 * by a status move tickets may make; the start state exists and is not
 * final; there is a final state; final states have no way out, other states
 * have at least one (no dead ends) and a state that closes the ticket is
 * final; every state is reachable from the start state.
 */
export function validateBlueprint(input: unknown): BlueprintDefinition {
  const def = parseOrFail(BlueprintDefinitionSchema, input, 'blueprint');
  const problems = graphProblems(def);
  if (problems.length > 0) {
    throw new ValidationFailed(`Blueprint ${quote(def.name)} is not valid: ${problems.join('; ')}`, {
      blueprintId: def.id,
      problems,
    });
  }
  return def;
}

/**
 * Publishing a draft: returns the version number the draft is saved under
 * (1 for a new blueprint, the previous version + 1 otherwise) after checking
 * that `{ ...draft, version }` is a valid blueprint of the same id. Store
 * `validateBlueprint({ ...draft, version })` as a new item and keep the old
 * ones: a run keeps the `{ blueprintId, version }` it started with until it
 * completes, so in-flight tickets follow the version they entered.
 */
export function publishVersion(previous: BlueprintDefinition | null, draft: BlueprintDraft): number {
  if (previous && previous.id !== draft.id) {
    throw new ValidationFailed(`A new version of blueprint ${previous.id} cannot have the id ${draft.id}`, {
      expected: previous.id,
      actual: draft.id,
    });
  }
  const version = (previous?.version ?? 0) + 1;
  validateBlueprint({ ...draft, version });
  return version;
}

/**
 * The exact version a run follows, from the stored versions of its blueprint.
 * Throws NotFoundError (code `blueprint_not_found`) when that version is gone.
 */
export function definitionForRun(
  versions: readonly BlueprintDefinition[],
  ref: { blueprintId: string; version: number },
): BlueprintDefinition {
  const found = versions.find((d) => d.id === ref.blueprintId && d.version === ref.version);
  if (!found) throw new NotFoundError('Blueprint', `${ref.blueprintId} version ${ref.version}`);
  return found;
}

// ---------------------------------------------------------------------------
// Lookups and entry
// ---------------------------------------------------------------------------

export function findState(def: BlueprintDefinition, stateId: string): BlueprintState | undefined {
  return def.states.find((s) => s.id === stateId);
}

export function findTransition(
  def: BlueprintDefinition,
  transitionId: string,
): BlueprintTransition | undefined {
  return def.transitions.find((t) => t.id === transitionId);
}

export function transitionsFrom(def: BlueprintDefinition, stateId: string): BlueprintTransition[] {
  return def.transitions.filter((t) => t.from === stateId);
}

type EntryTicket = Pick<Ticket, 'channel' | 'priority' | 'departmentId' | 'tags' | 'customFields'>;

function ticketValue(ticket: EntryTicket, field: EntryField): unknown {
  if (field.startsWith('custom.')) return ticket.customFields[field.slice('custom.'.length)];
  return ticket[field as (typeof ENTRY_FIELDS)[number]];
}

const same = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

function conditionHolds(condition: EntryCondition, ticket: EntryTicket): boolean {
  const actual = ticketValue(ticket, condition.field);
  if (actual === undefined || actual === null) return false;
  const expected = Array.isArray(condition.value) ? condition.value : [condition.value];
  if (condition.operator === 'includes') {
    return Array.isArray(actual) && actual.some((v) => same(v, expected[0]));
  }
  const actuals = Array.isArray(actual) ? actual : [actual];
  return actuals.some((a) => expected.some((e) => same(a, e)));
}

/**
 * Whether `ticket` enters `def` automatically: the ticket belongs to the
 * blueprint's department and every entry condition holds (string values
 * compare case-insensitively; a list-valued ticket field matches `is`/`in`
 * when any of its values does).
 */
export function matchesEntry(def: BlueprintDefinition, ticket: EntryTicket): boolean {
  if (ticket.departmentId !== def.departmentId) return false;
  return def.entry.conditions.every((c) => conditionHolds(c, ticket));
}

/** The blueprint a new ticket enters: the first of `definitions` (latest versions, by id) it matches, or null. */
export function findEntryBlueprint(
  definitions: readonly BlueprintDefinition[],
  ticket: EntryTicket,
): BlueprintDefinition | null {
  const ordered = [...definitions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ordered.find((d) => matchesEntry(d, ticket)) ?? null;
}
