import { z } from 'zod';
import { ValidationFailed } from '../shared/errors.js';
import { parseOrFail } from '../shared/validation.js';

/**
 * Custom fields and per-department field layouts.
 *
 * A field is defined once for the whole desk (`FieldDefinition`); each
 * department's `Layout` decides which fields apply there, in which order, and
 * which are required. A picklist can carry different values per department
 * (`optionsByDepartment`, e.g. a "Sub-category" whose values differ between
 * Books and Electronics); a department without its own list uses the
 * desk-wide `options`.
 *
 * Values live on the ticket as `customFields` (`CustomFieldValue`, see
 * tickets/model.ts), keyed by field id. Checking them is in `values.ts`.
 */

export const FIELD_TYPES = ['text', 'number', 'date', 'checkbox', 'picklist', 'multi_picklist'] as const;
export const FieldTypeSchema = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldTypeSchema>;

/** Same shape as the keys of a ticket's `customFields`: lower_snake_case, up to 64 characters. */
export const FIELD_ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const FieldIdSchema = z
  .string()
  .regex(
    FIELD_ID_PATTERN,
    'field ids are lower_snake_case slugs: a letter, then letters, digits or _, up to 64 characters',
  );

const DepartmentIdSchema = z.string().trim().min(1).max(100);

/** Longest text value a ticket can hold (see `CustomFieldValueSchema`). */
export const MAX_TEXT_LENGTH = 2000;

const OptionSchema = z.string().trim().min(1, 'picklist values cannot be blank').max(200);
const OptionListSchema = z
  .array(OptionSchema)
  .min(1, 'a picklist needs at least one value')
  .max(500, 'at most 500 values per picklist')
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    for (const option of options) {
      const key = option.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `the value "${option}" is listed twice` });
      seen.add(key);
    }
  });

const isPicklist = (type: FieldType) => type === 'picklist' || type === 'multi_picklist';

export const FieldDefinitionSchema = z
  .object({
    id: FieldIdSchema,
    label: z.string().trim().min(1).max(100),
    type: FieldTypeSchema,
    /** Picklists: the desk-wide values, used in departments without their own list. */
    options: OptionListSchema.optional(),
    /** Picklists: values per department id, replacing `options` in that department. */
    optionsByDepartment: z.record(DepartmentIdSchema, OptionListSchema).optional(),
    /** Numbers: inclusive bounds. */
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    /** Text: longest value in characters. */
    maxLength: z.number().int().positive().max(MAX_TEXT_LENGTH).optional(),
    /** An inactive field keeps its stored values but cannot be set nor added to a layout. */
    active: z.boolean(),
    version: z.number().int().min(1),
  })
  .superRefine((d, ctx) => {
    if (isPicklist(d.type)) {
      const perDepartment = Object.keys(d.optionsByDepartment ?? {}).length;
      if (!d.options && perDepartment === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['options'],
          message: 'a picklist needs its values: options (desk-wide) and/or optionsByDepartment',
        });
      }
    } else {
      if (d.options)
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'only picklists have options' });
      if (d.optionsByDepartment) {
        ctx.addIssue({
          code: 'custom',
          path: ['optionsByDepartment'],
          message: 'only picklists have options',
        });
      }
    }
    if (d.type !== 'number' && (d.min !== undefined || d.max !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'only number fields have min and max' });
    }
    if (d.min !== undefined && d.max !== undefined && d.min > d.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must not be less than min' });
    }
    if (d.type !== 'text' && d.maxLength !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'only text fields have maxLength' });
    }
  });
export type FieldDefinition = z.infer<typeof FieldDefinitionSchema>;

/** Validates untrusted input as a field definition; throws ValidationFailed. */
export function parseFieldDefinition(input: unknown): FieldDefinition {
  return parseOrFail(FieldDefinitionSchema, input, 'custom field');
}

/**
 * The values a picklist offers in a department: the department's own list
 * when it has one, otherwise the desk-wide `options` (empty for other types
 * and for a department with neither).
 */
export function allowedOptions(definition: FieldDefinition, departmentId: string | null): readonly string[] {
  if (!isPicklist(definition.type)) return [];
  const own = departmentId === null ? undefined : definition.optionsByDepartment?.[departmentId];
  return own ?? definition.options ?? [];
}

export const LayoutFieldSchema = z.object({
  fieldId: FieldIdSchema,
  required: z.boolean().default(false),
});
export type LayoutField = z.infer<typeof LayoutFieldSchema>;

export const LayoutSchema = z.object({
  departmentId: DepartmentIdSchema,
  /** The fields that apply in the department, in display order. */
  fields: z
    .array(LayoutFieldSchema)
    .max(100, 'at most 100 fields per layout')
    .superRefine((fields, ctx) => {
      const seen = new Set<string>();
      fields.forEach((f, i) => {
        if (seen.has(f.fieldId)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'fieldId'],
            message: `field ${f.fieldId} is listed twice`,
          });
        }
        seen.add(f.fieldId);
      });
    }),
  version: z.number().int().min(1),
});
export type Layout = z.infer<typeof LayoutSchema>;

/**
 * Validates untrusted input as a department's layout against the desk's
 * field definitions: every field must exist and be active, and a picklist
 * must have values in that department. Throws ValidationFailed naming every
 * problem (details: `{ problems: [{ fieldId, message }] }`).
 */
export function parseLayout(input: unknown, definitions: readonly FieldDefinition[]): Layout {
  const layout = parseOrFail(LayoutSchema, input, 'field layout');
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const problems: { fieldId: string; message: string }[] = [];
  for (const { fieldId } of layout.fields) {
    const definition = byId.get(fieldId);
    if (!definition) problems.push({ fieldId, message: `field ${fieldId} does not exist` });
    else if (!definition.active) problems.push({ fieldId, message: `field ${fieldId} is inactive` });
    else if (isPicklist(definition.type) && allowedOptions(definition, layout.departmentId).length === 0) {
      problems.push({
        fieldId,
        message: `picklist ${fieldId} has no values for department ${layout.departmentId}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new ValidationFailed(`Invalid field layout: ${problems.map((p) => p.message).join('; ')}`, {
      problems,
    });
  }
  return layout;
}

/** The layout of one department from a list of layouts, or null. */
export function layoutFor(layouts: readonly Layout[], departmentId: string | null): Layout | null {
  if (departmentId === null) return null;
  return layouts.find((l) => l.departmentId === departmentId) ?? null;
}
