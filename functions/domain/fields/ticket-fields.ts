import type { CustomFieldValue, Ticket, TicketPatch, TicketStatus } from '../tickets/model.js';
import { layoutFor } from './model.js';
import type { FieldSetup } from './ports.js';
import { carryOverFields, type DroppedField, type FieldError, validateFieldValues } from './values.js';

/**
 * The custom-field rules of a ticket change (pure), on top of `values.ts`:
 *
 * - Values follow the layout of the ticket's department (after the change):
 *   a field not in that layout, an unknown or inactive field, a wrong type or
 *   a picklist value the department does not offer is refused. Values are
 *   stored normalised. A ticket without a department (triage) takes no
 *   values; clearing a value (null) is always allowed, except a required one.
 * - Required fields: a change cannot clear a required value, and a ticket
 *   cannot become solved or closed while a required (active) field of its
 *   layout is empty. A new ticket or an open one may lack them.
 * - Moving a ticket to another department keeps the values that still apply
 *   there and drops the others (`dropped`, for the change's event entry, so
 *   the old values stay on the timeline).
 *
 * Only defined fields are governed: a key that is no field definition (a
 * value a blueprint transition captured) is left as it is by moves, and
 * cannot be set through a ticket change.
 *
 * Errors name the field as `customFields.<id>` (the API's `details`).
 */

export type TicketFieldsResult =
  | {
      ok: true;
      /** The patch to apply: normalised values, plus null for values a department move drops. */
      patch: TicketPatch;
      dropped: DroppedField[];
    }
  | { ok: false; errors: FieldError[] };

const CLOSING: readonly TicketStatus[] = ['solved', 'closed'];

const hasValue = (value: CustomFieldValue | undefined) =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** The error field of a custom field in the API's details. */
export const fieldPath = (fieldId: string) => `customFields.${fieldId}`;

/** True when `patch` touches custom-field rules at all (so the field setup must be read). */
export function needsFieldCheck(
  ticket: Pick<Ticket, 'departmentId' | 'status'>,
  patch: Pick<TicketPatch, 'customFields' | 'departmentId' | 'status'>,
): boolean {
  return (
    (patch.customFields !== undefined && Object.keys(patch.customFields).length > 0) ||
    (patch.departmentId !== undefined && patch.departmentId !== ticket.departmentId) ||
    (patch.status !== undefined && patch.status !== ticket.status && CLOSING.includes(patch.status))
  );
}

/**
 * Checks a ticket change against the field setup and returns the patch to
 * apply (values normalised, values that do not carry over to a new
 * department cleared), or every problem.
 */
export function checkTicketFields(
  setup: FieldSetup,
  ticket: Pick<Ticket, 'departmentId' | 'status' | 'customFields'>,
  patch: TicketPatch,
): TicketFieldsResult {
  const { definitions, layouts } = setup;
  const defined = new Map(definitions.map((d) => [d.id, d]));
  const departmentId = patch.departmentId !== undefined ? patch.departmentId : ticket.departmentId;
  const layout = layoutFor(layouts, departmentId);

  let base: Record<string, CustomFieldValue> = { ...ticket.customFields };
  const fieldPatch: Record<string, CustomFieldValue> = {};
  let dropped: DroppedField[] = [];
  if (departmentId !== ticket.departmentId) {
    const governed = Object.fromEntries(Object.entries(base).filter(([key]) => defined.has(key)));
    const carried = carryOverFields({
      definitions,
      values: governed,
      toLayout: layout,
      toDepartmentId: departmentId,
    });
    const ungoverned = Object.fromEntries(Object.entries(base).filter(([key]) => !defined.has(key)));
    base = { ...ungoverned, ...carried.kept };
    Object.assign(fieldPatch, carried.patch);
    dropped = carried.dropped;
  }

  const errors: FieldError[] = [];
  if (patch.customFields !== undefined && Object.keys(patch.customFields).length > 0) {
    const checked = validateFieldValues({
      definitions,
      layout,
      departmentId,
      current: base,
      patch: patch.customFields,
      requireComplete: false,
    });
    if (!checked.ok) errors.push(...checked.errors);
    else {
      Object.assign(fieldPatch, checked.patch);
      base = checked.values;
    }
  }

  const status = patch.status ?? ticket.status;
  if (errors.length === 0 && status !== ticket.status && CLOSING.includes(status)) {
    for (const { fieldId, required } of layout?.fields ?? []) {
      const definition = defined.get(fieldId);
      if (!required || !definition?.active || hasValue(base[fieldId])) continue;
      errors.push({
        field: fieldId,
        message: `"${definition.label}" is required before the ticket can be ${status}`,
      });
    }
  }

  if (errors.length > 0) {
    return { ok: false, errors: errors.map((e) => ({ field: fieldPath(e.field), message: e.message })) };
  }
  const next: TicketPatch = { ...patch };
  delete next.customFields;
  if (Object.keys(fieldPatch).length > 0) next.customFields = fieldPatch;
  return { ok: true, patch: next, dropped };
}

/** Checks the values a new ticket is created with (required fields may still be empty). */
export function checkNewTicketFields(
  setup: FieldSetup,
  departmentId: string | null,
  values: Readonly<Record<string, unknown>>,
): { ok: true; values: Record<string, CustomFieldValue> } | { ok: false; errors: FieldError[] } {
  const checked = validateFieldValues({
    definitions: setup.definitions,
    layout: layoutFor(setup.layouts, departmentId),
    departmentId,
    current: {},
    patch: values,
    requireComplete: false,
  });
  if (!checked.ok) {
    return {
      ok: false,
      errors: checked.errors.map((e) => ({ field: fieldPath(e.field), message: e.message })),
    };
  }
  return { ok: true, values: checked.values };
}
