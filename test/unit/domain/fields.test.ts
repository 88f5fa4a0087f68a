import { describe, expect, it } from 'vitest';
import {
  allowedOptions,
  type FieldDefinition,
  type Layout,
  layoutFor,
  parseFieldDefinition,
  parseLayout,
} from '../../../functions/domain/fields/model.js';
import {
  carryOverFields,
  isCalendarDate,
  validateFieldValues,
} from '../../../functions/domain/fields/values.js';
import { ValidationFailed } from '../../../functions/domain/shared/errors.js';
import type { CustomFieldValue } from '../../../functions/domain/tickets/model.js';

const definitions: FieldDefinition[] = [
  { id: 'order_number', label: 'Order number', type: 'text', maxLength: 20, active: true, version: 1 },
  {
    id: 'sub_category',
    label: 'Sub-category',
    type: 'picklist',
    optionsByDepartment: {
      books: ['Fiction', 'Non-fiction', 'Comics'],
      electronics: ['Laptops', 'Phones', 'Cameras'],
    },
    active: true,
    version: 1,
  },
  {
    id: 'languages',
    label: 'Languages',
    type: 'multi_picklist',
    options: ['English', 'French', 'German'],
    optionsByDepartment: { electronics: ['English', 'German'] },
    active: true,
    version: 1,
  },
  { id: 'quantity', label: 'Quantity', type: 'number', min: 1, max: 100, active: true, version: 1 },
  { id: 'gift', label: 'Gift', type: 'checkbox', active: true, version: 1 },
  { id: 'warranty_until', label: 'Warranty until', type: 'date', active: true, version: 1 },
  { id: 'legacy_code', label: 'Legacy code', type: 'text', active: false, version: 3 },
].map((d) => parseFieldDefinition(d));

const books: Layout = parseLayout(
  {
    departmentId: 'books',
    fields: [
      { fieldId: 'order_number', required: true },
      { fieldId: 'sub_category', required: true },
      { fieldId: 'languages', required: false },
      { fieldId: 'quantity', required: false },
      { fieldId: 'gift', required: false },
    ],
    version: 1,
  },
  definitions,
);

const electronics: Layout = parseLayout(
  {
    departmentId: 'electronics',
    fields: [
      { fieldId: 'order_number', required: true },
      { fieldId: 'sub_category', required: false },
      { fieldId: 'languages', required: false },
      { fieldId: 'warranty_until', required: true },
      { fieldId: 'quantity' },
    ],
    version: 1,
  },
  definitions,
);

const validBooks = { order_number: 'A-1', sub_category: 'Fiction' };

function check(
  patch: Record<string, unknown>,
  options: { current?: Record<string, CustomFieldValue>; layout?: Layout; requireComplete?: boolean } = {},
) {
  const layout = options.layout ?? books;
  return validateFieldValues({
    definitions,
    layout,
    departmentId: layout.departmentId,
    current: options.current ?? {},
    patch,
    ...(options.requireComplete === undefined ? {} : { requireComplete: options.requireComplete }),
  });
}

function errorsOf(result: ReturnType<typeof check>) {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.values)}`);
  return result.errors;
}

describe('field definitions', () => {
  it('accepts a picklist with per-department values only', () => {
    const sub = definitions.find((d) => d.id === 'sub_category');
    expect(sub?.optionsByDepartment?.books).toEqual(['Fiction', 'Non-fiction', 'Comics']);
  });

  it.each([
    [{ id: 'Sub Category', label: 'x', type: 'text' }, 'lower_snake_case'],
    [{ id: 'kind', label: 'Kind', type: 'picklist' }, 'a picklist needs its values'],
    [
      { id: 'kind', label: 'Kind', type: 'picklist', options: ['A', 'b', 'a'] },
      'the value "a" is listed twice',
    ],
    [{ id: 'kind', label: 'Kind', type: 'picklist', options: [] }, 'at least one value'],
    [{ id: 'note', label: 'Note', type: 'text', options: ['x'] }, 'only picklists have options'],
    [{ id: 'qty', label: 'Qty', type: 'number', min: 5, max: 1 }, 'max must not be less than min'],
    [{ id: 'qty', label: 'Qty', type: 'number', maxLength: 5 }, 'only text fields have maxLength'],
    [{ id: 'when', label: 'When', type: 'date', min: 1 }, 'only number fields have min and max'],
  ])('refuses %j', (input, message) => {
    expect(() => parseFieldDefinition({ active: true, version: 1, ...input })).toThrow(ValidationFailed);
    expect(() => parseFieldDefinition({ active: true, version: 1, ...input })).toThrow(message);
  });

  it('gives each department its own picklist values and the desk-wide ones elsewhere', () => {
    const sub = definitions.find((d) => d.id === 'sub_category')!;
    const langs = definitions.find((d) => d.id === 'languages')!;
    expect(allowedOptions(sub, 'books')).toEqual(['Fiction', 'Non-fiction', 'Comics']);
    expect(allowedOptions(sub, 'electronics')).toEqual(['Laptops', 'Phones', 'Cameras']);
    expect(allowedOptions(sub, 'garden')).toEqual([]);
    expect(allowedOptions(langs, 'books')).toEqual(['English', 'French', 'German']);
    expect(allowedOptions(langs, 'electronics')).toEqual(['English', 'German']);
    expect(allowedOptions(langs, null)).toEqual(['English', 'French', 'German']);
  });
});

describe('layouts', () => {
  const layout = (fields: unknown[], departmentId = 'books') =>
    parseLayout({ departmentId, fields, version: 1 }, definitions);

  it('keeps the display order and defaults required to false', () => {
    expect(electronics.fields.map((f) => f.fieldId)).toEqual([
      'order_number',
      'sub_category',
      'languages',
      'warranty_until',
      'quantity',
    ]);
    expect(electronics.fields[4]).toEqual({ fieldId: 'quantity', required: false });
  });

  it('refuses a field listed twice', () => {
    expect(() => layout([{ fieldId: 'gift' }, { fieldId: 'gift', required: true }])).toThrow(
      'field gift is listed twice',
    );
  });

  it('refuses unknown and inactive fields, naming each', () => {
    try {
      layout([{ fieldId: 'colour' }, { fieldId: 'legacy_code' }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationFailed);
      expect((error as ValidationFailed).message).toContain('field colour does not exist');
      expect((error as ValidationFailed).message).toContain('field legacy_code is inactive');
    }
  });

  it('refuses a picklist that has no values in the department', () => {
    expect(() => layout([{ fieldId: 'sub_category' }], 'garden')).toThrow(
      'picklist sub_category has no values for department garden',
    );
  });

  it('finds the layout of a department', () => {
    expect(layoutFor([books, electronics], 'electronics')).toBe(electronics);
    expect(layoutFor([books, electronics], 'garden')).toBeNull();
    expect(layoutFor([books, electronics], null)).toBeNull();
  });
});

describe('validateFieldValues', () => {
  it('accepts a valid patch and returns the values after it', () => {
    const result = check({ ...validBooks, quantity: 3, gift: true, languages: ['French', 'English'] });
    expect(result).toEqual({
      ok: true,
      values: {
        order_number: 'A-1',
        sub_category: 'Fiction',
        quantity: 3,
        gift: true,
        languages: ['French', 'English'],
      },
      patch: {
        order_number: 'A-1',
        sub_category: 'Fiction',
        quantity: 3,
        gift: true,
        languages: ['French', 'English'],
      },
    });
  });

  it('checks picklist values against the department: Books vs Electronics', () => {
    const wrong = errorsOf(check({ ...validBooks, sub_category: 'Laptops' }));
    expect(wrong).toEqual([
      {
        field: 'sub_category',
        message:
          '"Laptops" is not a value of "Sub-category" in department books; choose one of "Fiction", "Non-fiction", "Comics"',
      },
    ]);
    const ok = check(
      { order_number: 'B-2', sub_category: 'Laptops', warranty_until: '2027-01-31' },
      { layout: electronics },
    );
    expect(ok.ok).toBe(true);
    const fiction = errorsOf(
      check(
        { order_number: 'B-2', sub_category: 'Fiction', warranty_until: '2027-01-31' },
        { layout: electronics },
      ),
    );
    expect(fiction[0]?.field).toBe('sub_category');
  });

  it('matches picklist values case-insensitively and stores the option spelling', () => {
    const result = check({ ...validBooks, sub_category: 'non-FICTION', languages: ['german'] });
    expect(result.ok && result.patch).toMatchObject({ sub_category: 'Non-fiction', languages: ['German'] });
  });

  it('uses the department list of a multi-picklist', () => {
    const errors = errorsOf(
      check(
        { order_number: 'B', warranty_until: '2027-01-01', languages: ['English', 'French'] },
        { layout: electronics },
      ),
    );
    expect(errors).toEqual([
      {
        field: 'languages',
        message:
          '"French" is not a value of "Languages" in department electronics; choose one of "English", "German"',
      },
    ]);
  });

  it('refuses unknown fields and fields outside the layout', () => {
    const errors = errorsOf(check({ ...validBooks, colour: 'red', warranty_until: '2027-01-01' }));
    expect(errors).toEqual([
      { field: 'colour', message: 'There is no custom field "colour"' },
      { field: 'warranty_until', message: '"Warranty until" is not used in department books' },
    ]);
  });

  it('refuses values on a ticket without a department', () => {
    const result = validateFieldValues({
      definitions,
      layout: null,
      departmentId: null,
      current: {},
      patch: { gift: true },
    });
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'gift', message: '"Gift" cannot be set on a ticket without a department' }],
    });
  });

  it.each([
    [{ quantity: '3' }, 'quantity', '"Quantity" must be a number'],
    [{ quantity: Number.POSITIVE_INFINITY }, 'quantity', '"Quantity" must be a number'],
    [{ quantity: Number.NaN }, 'quantity', '"Quantity" must be a number'],
    [{ quantity: 0 }, 'quantity', '"Quantity" must be at least 1'],
    [{ quantity: 101 }, 'quantity', '"Quantity" must be at most 100'],
    [{ gift: 'yes' }, 'gift', '"Gift" must be true or false'],
    [{ order_number: 42 }, 'order_number', '"Order number" must be text'],
    [{ order_number: 'x'.repeat(21) }, 'order_number', '"Order number" must be at most 20 characters'],
    [{ languages: 'English' }, 'languages', '"Languages" must be a list of its values'],
    [{ languages: ['English', 'english'] }, 'languages', '"Languages" lists "English" twice'],
    [{ sub_category: ['Fiction'] }, 'sub_category', '"Sub-category" must be one of its values'],
  ])('type-checks %j', (patch, field, message) => {
    expect(errorsOf(check({ ...validBooks, ...patch }))).toEqual([{ field, message }]);
  });

  it.each(['2026-02-30', '2026-2-3', '2026-13-01', '03/02/2026', '2026-02-03T00:00:00Z'])(
    'refuses the date %s',
    (value) => {
      const errors = errorsOf(check({ order_number: 'B', warranty_until: value }, { layout: electronics }));
      expect(errors).toEqual([
        { field: 'warranty_until', message: '"Warranty until" must be a date written YYYY-MM-DD' },
      ]);
    },
  );

  it('knows leap years', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
    expect(isCalendarDate('2100-02-29')).toBe(false);
  });

  it('names the required field that is missing', () => {
    const errors = errorsOf(check({ order_number: 'A-1' }));
    expect(errors).toEqual([{ field: 'sub_category', message: '"Sub-category" is required' }]);
  });

  it('counts current values towards required fields', () => {
    expect(check({ gift: false }, { current: validBooks }).ok).toBe(true);
  });

  it('refuses removing a required value, with null or an empty text', () => {
    expect(errorsOf(check({ sub_category: null }, { current: validBooks }))).toEqual([
      { field: 'sub_category', message: '"Sub-category" is required and cannot be removed' },
    ]);
    expect(errorsOf(check({ order_number: '   ' }, { current: validBooks }))).toEqual([
      { field: 'order_number', message: '"Order number" is required and cannot be removed' },
    ]);
  });

  it('removes an optional value with null or an empty list', () => {
    const result = check(
      { quantity: null, languages: [] },
      { current: { ...validBooks, quantity: 2, languages: ['French'] } },
    );
    expect(result).toEqual({
      ok: true,
      values: validBooks,
      patch: { quantity: null, languages: null },
    });
  });

  it('trims text', () => {
    const result = check({ ...validBooks, order_number: '  A-9  ' });
    expect(result.ok && result.values.order_number).toBe('A-9');
  });

  it('lets leftovers from another department be cleared', () => {
    const result = check(
      { warranty_until: null },
      { current: { ...validBooks, warranty_until: '2027-01-01' } },
    );
    expect(result.ok && result.values).toEqual(validBooks);
  });

  it('refuses setting an inactive field', () => {
    const withLegacy: Layout = {
      ...books,
      fields: [...books.fields, { fieldId: 'legacy_code', required: false }],
    };
    const errors = errorsOf(check({ ...validBooks, legacy_code: 'X' }, { layout: withLegacy }));
    expect(errors).toEqual([
      { field: 'legacy_code', message: '"Legacy code" is inactive and cannot be set' },
    ]);
  });

  it('with requireComplete false only refuses removals of required values', () => {
    expect(check({ gift: true }, { requireComplete: false }).ok).toBe(true);
    expect(check({ sub_category: null }, { current: validBooks, requireComplete: false }).ok).toBe(false);
  });

  it('collects every error at once', () => {
    const errors = errorsOf(check({ quantity: -1, gift: 1 }));
    expect(errors.map((e) => e.field)).toEqual(['quantity', 'gift', 'order_number', 'sub_category']);
  });
});

describe('carryOverFields', () => {
  it('moving Books → Electronics keeps what applies and drops the rest with reasons', () => {
    const result = carryOverFields({
      definitions,
      values: {
        order_number: 'A-1',
        sub_category: 'Fiction',
        gift: true,
        quantity: 2,
        languages: ['French', 'German'],
      },
      toLayout: electronics,
      toDepartmentId: 'electronics',
    });
    expect(result.kept).toEqual({ order_number: 'A-1', quantity: 2, languages: ['German'] });
    expect(result.dropped).toEqual([
      {
        field: 'sub_category',
        value: 'Fiction',
        reason: 'the value is not allowed in department electronics',
      },
      { field: 'gift', value: true, reason: 'the field is not used in department electronics' },
      {
        field: 'languages',
        value: ['French'],
        reason: 'these values are not allowed in department electronics',
      },
    ]);
    expect(result.patch).toEqual({ sub_category: null, gift: null, languages: ['German'] });
    expect(result.missingRequired).toEqual(['warranty_until']);
  });

  it('keeps a picklist value the new department also offers', () => {
    const result = carryOverFields({
      definitions,
      values: { sub_category: 'Laptops', order_number: 'B' },
      toLayout: electronics,
      toDepartmentId: 'electronics',
    });
    expect(result.kept).toEqual({ sub_category: 'Laptops', order_number: 'B' });
    expect(result.dropped).toEqual([]);
    expect(result.patch).toEqual({});
  });

  it('drops a multi-picklist with no allowed value left, and unknown fields', () => {
    const result = carryOverFields({
      definitions,
      values: { languages: ['French'], ghost: 'boo' },
      toLayout: electronics,
      toDepartmentId: 'electronics',
    });
    expect(result.kept).toEqual({});
    expect(result.dropped).toEqual([
      {
        field: 'languages',
        value: ['French'],
        reason: 'none of these values is allowed in department electronics',
      },
      { field: 'ghost', value: 'boo', reason: 'the field no longer exists' },
    ]);
  });

  it('drops everything when the new department has no layout', () => {
    const result = carryOverFields({ definitions, values: validBooks, toLayout: null, toDepartmentId: null });
    expect(result.kept).toEqual({});
    expect(result.dropped.map((d) => d.reason)).toEqual([
      'the field is not used without a department',
      'the field is not used without a department',
    ]);
    expect(result.patch).toEqual({ order_number: null, sub_category: null });
  });
});
