import type { CustomFieldValue } from '../tickets/model.js';
import { allowedOptions, type FieldDefinition, type Layout, MAX_TEXT_LENGTH } from './model.js';

/**
 * Checking a ticket's custom-field values against the field definitions and
 * the layout of the ticket's department.
 *
 * Normalisation (the value returned is what should be stored):
 * - text is trimmed; an empty text clears the field (same as null);
 * - a picklist value matches its option case-insensitively and is stored with
 *   the option's spelling;
 * - an empty multi-picklist list clears the field.
 */

export interface FieldError {
  /** The field id (the key of the patch). */
  field: string;
  message: string;
}

export type FieldValuesResult =
  | {
      ok: true;
      /** Every value of the ticket after the patch (cleared fields absent). */
      values: Record<string, CustomFieldValue>;
      /** The patch, normalised: what to pass as `TicketPatch.customFields` (null clears a field). */
      patch: Record<string, CustomFieldValue>;
    }
  | { ok: false; errors: FieldError[] };

export interface ValidateFieldValuesInput {
  definitions: readonly FieldDefinition[];
  /** The layout of the ticket's department; null when the department has none (or the ticket has no department). */
  layout: Layout | null;
  departmentId: string | null;
  /** The ticket's current `customFields`. */
  current: Readonly<Record<string, CustomFieldValue>>;
  /** Field id → new value; null removes the value. Untrusted. */
  patch: Readonly<Record<string, unknown>>;
  /**
   * True (default): every required field of the layout must have a value
   * after the patch. False: only removing a required value is refused (for
   * automation that sets one field on a ticket that may predate the layout).
   */
  requireComplete?: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-29 is not one). */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

const quoted = (definition: FieldDefinition) => `"${definition.label}"`;
const listOf = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/**
 * Checks one value (not null) against a field's type, bounds and the values it
 * allows in `departmentId`. Returns the normalised value (null when it clears
 * the field) or a message naming the field.
 */
export function checkFieldValue(
  definition: FieldDefinition,
  value: unknown,
  departmentId: string | null,
): { ok: true; value: CustomFieldValue } | { ok: false; message: string } {
  const name = quoted(definition);
  switch (definition.type) {
    case 'text': {
      if (typeof value !== 'string') return { ok: false, message: `${name} must be text` };
      const text = value.trim();
      if (text === '') return { ok: true, value: null };
      const max = definition.maxLength ?? MAX_TEXT_LENGTH;
      if (text.length > max) return { ok: false, message: `${name} must be at most ${max} characters` };
      return { ok: true, value: text };
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return { ok: false, message: `${name} must be a number` };
      }
      if (definition.min !== undefined && value < definition.min) {
        return { ok: false, message: `${name} must be at least ${definition.min}` };
      }
      if (definition.max !== undefined && value > definition.max) {
        return { ok: false, message: `${name} must be at most ${definition.max}` };
      }
      return { ok: true, value };
    }
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) {
        return { ok: false, message: `${name} must be a date written YYYY-MM-DD` };
      }
      return { ok: true, value };
    case 'checkbox':
      if (typeof value !== 'boolean') return { ok: false, message: `${name} must be true or false` };
      return { ok: true, value };
    case 'picklist': {
      const options = allowedOptions(definition, departmentId);
      if (typeof value !== 'string') return { ok: false, message: `${name} must be one of its values` };
      const match = options.find((o) => o.toLowerCase() === value.trim().toLowerCase());
      if (match === undefined) return { ok: false, message: notAllowed(definition, value, departmentId) };
      return { ok: true, value: match };
    }
    case 'multi_picklist': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        return { ok: false, message: `${name} must be a list of its values` };
      }
      if (value.length === 0) return { ok: true, value: null };
      const options = allowedOptions(definition, departmentId);
      const picked: string[] = [];
      for (const v of value as string[]) {
        const match = options.find((o) => o.toLowerCase() === v.trim().toLowerCase());
        if (match === undefined) return { ok: false, message: notAllowed(definition, v, departmentId) };
        if (picked.includes(match)) return { ok: false, message: `${name} lists "${match}" twice` };
        picked.push(match);
      }
      return { ok: true, value: picked };
    }
  }
}

function notAllowed(definition: FieldDefinition, value: string, departmentId: string | null): string {
  const options = allowedOptions(definition, departmentId);
  const where = departmentId === null ? '' : ` in department ${departmentId}`;
  return options.length === 0
    ? `${quoted(definition)} has no values${where}`
    : `"${value}" is not a value of ${quoted(definition)}${where}; choose one of ${listOf(options)}`;
}

/**
 * Validates a ticket update's custom-field patch against the ticket's
 * department layout. Errors, one per problem, name the field:
 * unknown field; field not in the department's layout; inactive field; wrong
 * type or value not allowed in the department; a required field missing
 * after the patch, or removed by it. Clearing (null) a field that is not in
 * the layout is allowed, so leftovers from another department can be removed.
 */
export function validateFieldValues(input: ValidateFieldValuesInput): FieldValuesResult {
  const { definitions, layout, departmentId, current, patch } = input;
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const inLayout = new Map((layout?.fields ?? []).map((f) => [f.fieldId, f]));
  const errors: FieldError[] = [];
  const normalised: Record<string, CustomFieldValue> = {};

  for (const [field, raw] of Object.entries(patch)) {
    const definition = byId.get(field);
    if (!definition) {
      errors.push({ field, message: `There is no custom field "${field}"` });
      continue;
    }
    if (raw === null || raw === undefined) {
      normalised[field] = null;
      continue;
    }
    if (!inLayout.has(field)) {
      errors.push({
        field,
        message:
          departmentId === null
            ? `${quoted(definition)} cannot be set on a ticket without a department`
            : `${quoted(definition)} is not used in department ${departmentId}`,
      });
      continue;
    }
    if (!definition.active) {
      errors.push({ field, message: `${quoted(definition)} is inactive and cannot be set` });
      continue;
    }
    const checked = checkFieldValue(definition, raw, departmentId);
    if (checked.ok) normalised[field] = checked.value;
    else errors.push({ field, message: checked.message });
  }

  const values: Record<string, CustomFieldValue> = { ...current };
  for (const [field, value] of Object.entries(normalised)) {
    if (value === null) delete values[field];
    else values[field] = value;
  }

  const requireComplete = input.requireComplete ?? true;
  for (const { fieldId, required } of layout?.fields ?? []) {
    if (!required || errors.some((e) => e.field === fieldId)) continue;
    const value = values[fieldId];
    if (value !== undefined && value !== null) continue;
    const label = byId.get(fieldId)?.label ?? fieldId;
    if (fieldId in normalised) {
      errors.push({ field: fieldId, message: `"${label}" is required and cannot be removed` });
    } else if (requireComplete) {
      errors.push({ field: fieldId, message: `"${label}" is required` });
    }
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, values, patch: normalised };
}

export interface DroppedField {
  field: string;
  /** The value (for a multi-picklist: the values) that did not carry over. */
  value: CustomFieldValue;
  reason: string;
}

export interface CarryOverResult {
  /** The values the ticket keeps in its new department. */
  kept: Record<string, CustomFieldValue>;
  dropped: DroppedField[];
  /** What to pass as `TicketPatch.customFields` with the move: null for dropped fields, the trimmed lists. */
  patch: Record<string, CustomFieldValue>;
  /** Required fields of the new layout that have no value after the move (ask the agent to fill them). */
  missingRequired: string[];
}

/**
 * Moving a ticket to another department: keeps the values that still apply
 * there (field in the new layout, active, value allowed in the new
 * department) and drops the others with a reason. A multi-picklist keeps the
 * values the new department allows and drops the rest. `toLayout` null (no
 * layout, or no department) drops every value.
 */
export function carryOverFields(input: {
  definitions: readonly FieldDefinition[];
  values: Readonly<Record<string, CustomFieldValue>>;
  toLayout: Layout | null;
  toDepartmentId: string | null;
}): CarryOverResult {
  const { definitions, values, toLayout, toDepartmentId } = input;
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const inLayout = new Set((toLayout?.fields ?? []).map((f) => f.fieldId));
  const where = toDepartmentId === null ? 'without a department' : `in department ${toDepartmentId}`;
  const kept: Record<string, CustomFieldValue> = {};
  const dropped: DroppedField[] = [];
  const patch: Record<string, CustomFieldValue> = {};
  const drop = (field: string, value: CustomFieldValue, reason: string) => {
    dropped.push({ field, value, reason });
    patch[field] = null;
  };

  for (const [field, value] of Object.entries(values)) {
    if (value === null) continue;
    const definition = byId.get(field);
    if (!definition) drop(field, value, 'the field no longer exists');
    else if (!inLayout.has(field)) drop(field, value, `the field is not used ${where}`);
    else if (!definition.active) drop(field, value, 'the field is inactive');
    else if (definition.type === 'multi_picklist' && Array.isArray(value)) {
      const options = allowedOptions(definition, toDepartmentId);
      const canonical = (v: string) => options.find((o) => o.toLowerCase() === v.toLowerCase());
      const keep = [...new Set(value.map(canonical).filter((v): v is string => v !== undefined))];
      const lose = value.filter((v) => canonical(v) === undefined);
      if (keep.length === 0) drop(field, value, `none of these values is allowed ${where}`);
      else {
        kept[field] = keep;
        if (lose.length > 0)
          dropped.push({ field, value: lose, reason: `these values are not allowed ${where}` });
        if (JSON.stringify(keep) !== JSON.stringify(value)) patch[field] = keep;
      }
    } else {
      const checked = checkFieldValue(definition, value, toDepartmentId);
      if (checked.ok && checked.value !== null) kept[field] = checked.value;
      else if (definition.type === 'picklist') drop(field, value, `the value is not allowed ${where}`);
      else drop(field, value, checked.ok ? 'the value is empty' : checked.message);
    }
  }

  const missingRequired = (toLayout?.fields ?? [])
    .filter((f) => f.required && kept[f.fieldId] === undefined)
    .map((f) => f.fieldId);
  return { kept, dropped, patch, missingRequired };
}
