import type { FieldDefinition, Layout } from '../fields/model.js';
import { layoutFor } from '../fields/model.js';
import { carryOverFields, type DroppedField, validateFieldValues } from '../fields/values.js';
import { renderTemplate, type TemplateContext } from '../macros/templates.js';
import {
  allowedNextStatuses,
  type CustomFieldValue,
  type Ticket,
  type TicketPatch,
  type TicketStatus,
} from '../tickets/model.js';
import { canMoveStatus } from '../tickets/status.js';
import { type Action, type NotifyTarget, ROUND_ROBIN } from './actions.js';
import type { PlannedNotification, PlannedWebhook, Recipient } from './automation-entry.js';

/**
 * Planning actions (pure): turns a list of actions into one ticket patch and
 * the side effects to perform, without performing any. The caller applies the
 * patch with `applyPatch` as one change, adds the notes, sends the
 * notifications, calls the webhooks and, when `assignment` is `round_robin`,
 * picks the assignee with the team's strategy (`pickAssignee`).
 *
 * Actions apply in order: a later action wins on the same property; tags
 * accumulate. Only real changes are in the patch (setting the current
 * priority adds nothing). A failing action (illegal status move, bad field
 * value, change to a closed ticket) is left out and reported in `errors`; the
 * others still apply. Templates render against the ticket as it will be after
 * the patch.
 */

export interface PlanContext {
  /** The ticket's customer; falls back to the ticket's requester. */
  customer?: { id?: string; name: string | null; email: string | null } | null;
  /** The agent on whose behalf the actions run (a macro's user); `{{agent.name}}`. */
  agent?: { id: string; name: string | null } | null;
  desk?: { name: string | null } | null;
  /** When given, `set_field` values are checked against the layouts and a department move carries fields over. */
  fields?: { definitions: readonly FieldDefinition[]; layouts: readonly Layout[] };
}

export type { PlannedNotification, PlannedWebhook, Recipient } from './automation-entry.js';

export interface PlanError {
  /** Index of the failing action in the list. */
  index: number;
  type: Action['type'];
  message: string;
}

export interface ActionPlan {
  patch: TicketPatch;
  /** Internal notes to add, rendered. */
  notes: string[];
  notifications: PlannedNotification[];
  webhooks: PlannedWebhook[];
  /** `round_robin`: the assignee is to be picked by the (new) team's strategy after the patch. */
  assignment: typeof ROUND_ROBIN | null;
  /** Custom field values a department move leaves behind (already cleared in the patch). */
  droppedFields: DroppedField[];
  errors: PlanError[];
}

/** The template context for `ticket` once `patch` is applied. */
export function templateContextFor(
  ticket: Ticket,
  patch: TicketPatch,
  context: PlanContext,
): TemplateContext {
  return {
    customer: {
      name: context.customer?.name ?? ticket.requester.name,
      email: context.customer?.email ?? ticket.requester.email,
    },
    ticket: { number: ticket.number, subject: ticket.subject, status: patch.status ?? ticket.status },
    agent: context.agent ? { name: context.agent.name } : null,
    desk: context.desk ?? null,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.join('\u0000') === b.join('\u0000');

/** Plans `actions` on `ticket`. Pure: no I/O, no clock. */
export function planActions(
  ticket: Ticket,
  actions: readonly Action[],
  context: PlanContext = {},
): ActionPlan {
  const errors: PlanError[] = [];
  const closed = ticket.status === 'closed';
  let status: TicketStatus = ticket.status;
  let priority = ticket.priority;
  let departmentId = ticket.departmentId;
  let teamId = ticket.teamId;
  let assigneeId = ticket.assigneeId;
  let assignment: typeof ROUND_ROBIN | null = null;
  const tags = new Set(ticket.tags);
  /** field id → [value, index of the last action setting it]. */
  const fieldSets = new Map<string, { value: CustomFieldValue; index: number }>();

  actions.forEach((action, index) => {
    const fail = (message: string) => errors.push({ index, type: action.type, message });
    if (closed && action.type !== 'notify' && action.type !== 'webhook') {
      fail('a closed ticket cannot be changed');
      return;
    }
    switch (action.type) {
      case 'set_priority':
        priority = action.priority;
        break;
      case 'set_status':
        if (canMoveStatus(ticket.status, action.status)) status = action.status;
        else {
          const allowed = allowedNextStatuses(ticket.status);
          fail(
            `${/^[aeiou]/.test(ticket.status) ? 'an' : 'a'} ${ticket.status} ticket cannot become ${action.status}; it can become ${allowed.join(', ')}`,
          );
        }
        break;
      case 'set_department':
        departmentId = action.departmentId;
        break;
      case 'set_team':
        teamId = action.teamId;
        break;
      case 'set_assignee':
        if (action.assigneeId === ROUND_ROBIN) assignment = ROUND_ROBIN;
        else {
          assigneeId = action.assigneeId;
          assignment = null;
        }
        break;
      case 'set_field':
        fieldSets.set(action.fieldId, { value: action.value, index });
        break;
      case 'add_tags':
        for (const tag of action.tags) tags.add(tag);
        break;
      case 'remove_tags':
        for (const tag of action.tags) tags.delete(tag);
        break;
      case 'add_note':
      case 'notify':
      case 'webhook':
        break;
    }
  });

  const patch: TicketPatch = {};
  if (status !== ticket.status) patch.status = status;
  if (priority !== ticket.priority) patch.priority = priority;
  if (departmentId !== ticket.departmentId) patch.departmentId = departmentId;
  if (teamId !== ticket.teamId) patch.teamId = teamId;
  if (assigneeId !== ticket.assigneeId) patch.assigneeId = assigneeId;
  const nextTags = [...tags].sort();
  if (!sameList(nextTags, [...ticket.tags].sort())) patch.tags = nextTags;

  const { customFields, droppedFields } = planFields(ticket, departmentId, fieldSets, context, errors);
  if (Object.keys(customFields).length > 0) patch.customFields = customFields;

  const templates = templateContextFor(ticket, patch, context);
  const notes: string[] = [];
  const notifications: PlannedNotification[] = [];
  const webhooks: PlannedWebhook[] = [];
  actions.forEach((action, index) => {
    if (action.type === 'add_note' && !closed) notes.push(renderTemplate(action.body, templates));
    if (action.type === 'notify') {
      const to = resolveRecipient(action.to, {
        ticket,
        teamId,
        assigneeId,
        departmentId,
        assignment,
        context,
      });
      if (typeof to === 'string') errors.push({ index, type: action.type, message: to });
      else {
        notifications.push({
          to,
          subject: renderTemplate(action.template.subject, templates),
          body: renderTemplate(action.template.body, templates),
        });
      }
    }
    if (action.type === 'webhook') {
      // Without a template the caller builds the standard payload (`webhookPayload`) at call time.
      const body =
        action.bodyTemplate === undefined
          ? null
          : renderTemplate(action.bodyTemplate, templates, { escape: 'json' });
      webhooks.push({ url: action.url, method: 'POST', contentType: 'application/json', body });
    }
  });

  errors.sort((a, b) => a.index - b.index);
  return { patch, notes, notifications, webhooks, assignment, droppedFields, errors };
}

function planFields(
  ticket: Ticket,
  departmentId: string | null,
  fieldSets: Map<string, { value: CustomFieldValue; index: number }>,
  context: PlanContext,
  errors: PlanError[],
): { customFields: Record<string, CustomFieldValue>; droppedFields: DroppedField[] } {
  const customFields: Record<string, CustomFieldValue> = {};
  let droppedFields: DroppedField[] = [];
  const fields = context.fields;
  if (!fields) {
    for (const [fieldId, { value }] of fieldSets) {
      const current = ticket.customFields[fieldId];
      if (value === null ? current !== undefined : JSON.stringify(current) !== JSON.stringify(value)) {
        customFields[fieldId] = value;
      }
    }
    return { customFields, droppedFields };
  }

  let base: Record<string, CustomFieldValue> = { ...ticket.customFields };
  const layout = layoutFor(fields.layouts, departmentId);
  if (departmentId !== ticket.departmentId) {
    const carried = carryOverFields({
      definitions: fields.definitions,
      values: ticket.customFields,
      toLayout: layout,
      toDepartmentId: departmentId,
    });
    Object.assign(customFields, carried.patch);
    droppedFields = carried.dropped;
    base = carried.kept;
  }
  for (const [fieldId, { value, index }] of fieldSets) {
    const checked = validateFieldValues({
      definitions: fields.definitions,
      layout,
      departmentId,
      current: base,
      patch: { [fieldId]: value },
      requireComplete: false,
    });
    if (!checked.ok) {
      for (const e of checked.errors) errors.push({ index, type: 'set_field', message: e.message });
      continue;
    }
    const normalised = checked.patch[fieldId] ?? null;
    const current = base[fieldId];
    if (
      normalised === null ? current !== undefined : JSON.stringify(current) !== JSON.stringify(normalised)
    ) {
      customFields[fieldId] = normalised;
      if (normalised === null) delete base[fieldId];
      else base[fieldId] = normalised;
    }
  }
  return { customFields, droppedFields };
}

function resolveRecipient(
  to: NotifyTarget,
  state: {
    ticket: Ticket;
    teamId: string | null;
    assigneeId: string | null;
    departmentId: string | null;
    assignment: typeof ROUND_ROBIN | null;
    context: PlanContext;
  },
): Recipient | string {
  if (typeof to === 'object') {
    return 'agentId' in to ? { kind: 'agent', agentId: to.agentId } : { kind: 'team', teamId: to.teamId };
  }
  switch (to) {
    case 'assignee':
      if (state.assignment === ROUND_ROBIN) return { kind: 'pending_assignee' };
      return state.assigneeId === null
        ? 'the ticket has no assignee to notify'
        : { kind: 'agent', agentId: state.assigneeId };
    case 'team':
      return state.teamId === null
        ? 'the ticket has no team to notify'
        : { kind: 'team', teamId: state.teamId };
    case 'supervisor':
      return { kind: 'supervisors', departmentId: state.departmentId };
    case 'customer':
      return {
        kind: 'customer',
        customerId: state.context.customer?.id ?? state.ticket.customerId,
        email: state.context.customer?.email ?? state.ticket.requester.email,
      };
  }
}
