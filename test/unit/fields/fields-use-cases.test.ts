import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryWorkflowStore, memoryDeps } from '../../../functions/adapters/memory/memory-store.js';
import { AgentSchema, type Principal } from '../../../functions/domain/agents/model.js';
import {
  type FieldDefinition,
  parseFieldDefinition,
  parseLayout,
} from '../../../functions/domain/fields/model.js';
import { checkTicketFields } from '../../../functions/domain/fields/ticket-fields.js';
import { parseRule } from '../../../functions/domain/rules/model.js';
import {
  DomainError,
  Forbidden,
  NotFoundError,
  ValidationFailed,
  VersionConflict,
} from '../../../functions/domain/shared/errors.js';
import type { Ticket, TimelineEntry } from '../../../functions/domain/tickets/model.js';
import {
  addReply,
  applySystemChange,
  createTicket,
  updateTicket,
} from '../../../functions/domain/tickets/use-cases.js';
import {
  getLayout,
  listFields,
  listLayouts,
  saveField,
  saveLayout,
} from '../../../functions/fields/admin.js';
import { applyMacro, saveMacro } from '../../../functions/rules/admin.js';
import { reactToRuleEvent } from '../../../functions/rules/engine.js';

const at = '2026-03-01T00:00:00.000Z';
const department = (id: string) =>
  ({ id, name: id, active: true, version: 1, createdAt: at, updatedAt: at }) as never;

const admin: Principal = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin',
  departmentIds: [],
};
const sam: Principal = {
  agentId: 'sam',
  email: 'sam@x.test',
  name: 'Sam',
  role: 'agent',
  departmentIds: ['returns', 'tech'],
};

const SUB_CATEGORY = {
  label: 'Sub-category',
  type: 'picklist',
  optionsByDepartment: {
    returns: ['Damaged item', 'Wrong item'],
    tech: ['Battery', 'Display'],
  },
  active: true,
};
const ORDER_NUMBER = { label: 'Order number', type: 'text', maxLength: 20, active: true };

let deps: ReturnType<typeof memoryDeps>;

/** Fields and layouts through the admin use cases: returns requires the order number. */
async function setUpFields() {
  await saveField(deps, deps.fields, admin, 'sub_category', SUB_CATEGORY, null);
  await saveField(deps, deps.fields, admin, 'order_number', ORDER_NUMBER, null);
  await saveLayout(
    deps,
    deps.fields,
    admin,
    'returns',
    {
      fields: [
        { fieldId: 'order_number', required: true },
        { fieldId: 'sub_category', required: false },
      ],
    },
    null,
  );
  await saveLayout(
    deps,
    deps.fields,
    admin,
    'tech',
    { fields: [{ fieldId: 'sub_category' }, { fieldId: 'order_number' }] },
    null,
  );
}

async function newTicket(departmentId: string | null = 'returns', extra = {}): Promise<Ticket> {
  const { ticket } = await createTicket(deps, {
    subject: 'Broken kettle',
    description: 'It leaks.',
    customer: { email: 'ann@example.com', name: 'Ann' },
    channel: 'web',
    departmentId,
    createdBy: 'customer',
    ...extra,
  });
  return ticket;
}

const timeline = (id: string): TimelineEntry[] => deps.state.entries.get(id) ?? [];

/** The rejection a call ends in, with its details. */
async function rejection(call: Promise<unknown>): Promise<DomainError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a domain error, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  deps = memoryDeps();
  for (const id of ['returns', 'tech', 'billing']) deps.state.departments.set(id, department(id));
  deps.state.agents.set(
    'sam',
    AgentSchema.parse({
      id: 'sam',
      email: 'sam@x.test',
      name: 'Sam',
      role: 'agent',
      departmentIds: ['returns', 'tech'],
      teamIds: [],
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    }),
  );
  await setUpFields();
});

describe('field and layout settings', () => {
  it('lists every definition by label, inactive ones too, for any agent', async () => {
    await saveField(
      deps,
      deps.fields,
      admin,
      'aa_old',
      { ...ORDER_NUMBER, label: 'Zeta', active: false },
      null,
    );
    const items = await listFields(deps.fields, sam);
    expect(items.map((d) => d.label)).toEqual(['Order number', 'Sub-category', 'Zeta']);
    expect(items.find((d) => d.id === 'aa_old')?.active).toBe(false);
  });

  it('lets only admins change fields and layouts', async () => {
    await expect(saveField(deps, deps.fields, sam, 'x', ORDER_NUMBER, null)).rejects.toBeInstanceOf(
      Forbidden,
    );
    await expect(saveLayout(deps, deps.fields, sam, 'tech', { fields: [] }, null)).rejects.toBeInstanceOf(
      Forbidden,
    );
  });

  it('versions a field: a stale If-Match is refused, the type never changes, bad input names the field', async () => {
    const saved = await saveField(
      deps,
      deps.fields,
      admin,
      'order_number',
      { ...ORDER_NUMBER, maxLength: 30 },
      1,
    );
    expect(saved).toMatchObject({ id: 'order_number', version: 2, maxLength: 30 });
    await expect(saveField(deps, deps.fields, admin, 'order_number', ORDER_NUMBER, 1)).rejects.toBeInstanceOf(
      VersionConflict,
    );

    const typeChange = await rejection(
      saveField(
        deps,
        deps.fields,
        admin,
        'order_number',
        { label: 'Order number', type: 'number', active: true },
        2,
      ),
    );
    expect(typeChange).toBeInstanceOf(ValidationFailed);
    expect(typeChange.details).toEqual({ field: 'type' });

    const bad = await rejection(
      saveField(deps, deps.fields, admin, 'Bad Id', { label: '', type: 'colour', active: true }, null),
    );
    const paths = (bad.details as { path: string[] }[]).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'label', 'type']));
    expect((await deps.fields.listDefinitions()).map((d) => d.id).sort()).toEqual([
      'order_number',
      'sub_category',
    ]);
  });

  it('keeps picklist values in every department whose layout uses the picklist', async () => {
    const error = await rejection(
      saveField(
        deps,
        deps.fields,
        admin,
        'sub_category',
        { ...SUB_CATEGORY, optionsByDepartment: { returns: ['Damaged item'] } },
        1,
      ),
    );
    expect(error.details).toEqual({ field: 'options' });
    expect(error.message).toContain('tech');
  });

  it('reads a layout (an empty one, version 0, for a department without), 404 for an unknown department', async () => {
    expect(await getLayout(deps, deps.fields, sam, 'billing')).toEqual({
      departmentId: 'billing',
      fields: [],
      version: 0,
    });
    expect((await getLayout(deps, deps.fields, sam, 'returns')).fields[0]).toEqual({
      fieldId: 'order_number',
      required: true,
    });
    await expect(getLayout(deps, deps.fields, sam, 'nowhere')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      saveLayout(deps, deps.fields, admin, 'nowhere', { fields: [] }, null),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await listLayouts(deps.fields, sam)).map((l) => l.departmentId)).toEqual(['returns', 'tech']);
  });

  it('names each bad layout entry by its position', async () => {
    await saveField(
      deps,
      deps.fields,
      admin,
      'legacy',
      { ...ORDER_NUMBER, label: 'Legacy', active: false },
      null,
    );
    const error = await rejection(
      saveLayout(
        deps,
        deps.fields,
        admin,
        'billing',
        {
          fields: [
            { fieldId: 'order_number' },
            { fieldId: 'ghost' },
            { fieldId: 'legacy' },
            { fieldId: 'sub_category' },
          ],
        },
        null,
      ),
    );
    expect(error.details).toEqual([
      { field: 'fields.1.fieldId', message: 'field ghost does not exist' },
      { field: 'fields.2.fieldId', message: 'field legacy is inactive' },
      { field: 'fields.3.fieldId', message: 'picklist sub_category has no values for department billing' },
    ]);
    const twice = await rejection(
      saveLayout(
        deps,
        deps.fields,
        admin,
        'billing',
        { fields: [{ fieldId: 'order_number' }, { fieldId: 'order_number' }] },
        null,
      ),
    );
    expect((twice.details as { path: unknown[] }[])[0]?.path).toEqual(['fields', 1, 'fieldId']);
  });

  it('saves a layout for a department without one from If-Match "0", and refuses a stale version', async () => {
    const saved = await saveLayout(
      deps,
      deps.fields,
      admin,
      'billing',
      { fields: [{ fieldId: 'order_number' }] },
      0,
    );
    expect(saved).toEqual({
      departmentId: 'billing',
      fields: [{ fieldId: 'order_number', required: false }],
      version: 1,
    });
    await expect(saveLayout(deps, deps.fields, admin, 'billing', { fields: [] }, 0)).rejects.toBeInstanceOf(
      VersionConflict,
    );
  });
});

describe('custom fields on tickets follow the department layout', () => {
  it('refuses a value the department does not offer, naming the field, and changes nothing', async () => {
    const ticket = await newTicket();
    const error = await rejection(
      updateTicket(deps, sam, ticket.id, { customFields: { sub_category: 'Battery', order_number: 'A-1' } }),
    );
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error.details).toEqual([
      {
        field: 'customFields.sub_category',
        message: expect.stringContaining('"Battery" is not a value of "Sub-category" in department returns'),
      },
    ]);
    expect(await deps.tickets.get(ticket.id)).toMatchObject({ customFields: {}, version: 1 });
  });

  it('stores values normalised: trimmed text, the picklist value as the option spells it', async () => {
    const ticket = await newTicket();
    const after = await updateTicket(deps, sam, ticket.id, {
      customFields: { sub_category: ' damaged ITEM ', order_number: '  A-1042 ' },
    });
    expect(after.customFields).toEqual({ sub_category: 'Damaged item', order_number: 'A-1042' });
    expect((await deps.tickets.get(ticket.id))?.customFields).toEqual(after.customFields);
  });

  it('refuses unknown fields, fields of another layout and any value on a ticket without a department', async () => {
    await saveField(
      deps,
      deps.fields,
      admin,
      'warranty',
      { label: 'Warranty', type: 'checkbox', active: true },
      null,
    );
    const ticket = await newTicket();
    const unknown = await rejection(updateTicket(deps, sam, ticket.id, { customFields: { colour: 'red' } }));
    expect(unknown.details).toEqual([
      { field: 'customFields.colour', message: 'There is no custom field "colour"' },
    ]);
    const notHere = await rejection(updateTicket(deps, sam, ticket.id, { customFields: { warranty: true } }));
    expect(notHere.details).toEqual([
      { field: 'customFields.warranty', message: '"Warranty" is not used in department returns' },
    ]);
    const triage = await newTicket(null);
    const none = await rejection(
      updateTicket(deps, admin, triage.id, { customFields: { order_number: 'A-1' } }),
    );
    expect(none.details).toEqual([
      {
        field: 'customFields.order_number',
        message: '"Order number" cannot be set on a ticket without a department',
      },
    ]);
  });

  it('checks the values a ticket is created with', async () => {
    const created = await newTicket('tech', { customFields: { sub_category: 'battery' } });
    expect(created.customFields).toEqual({ sub_category: 'Battery' });
    const error = await rejection(newTicket('tech', { customFields: { sub_category: 'Damaged item' } }));
    expect((error.details as { field: string }[])[0]?.field).toBe('customFields.sub_category');
    expect(deps.state.tickets.size).toBe(1);
  });

  it('requires the layout’s required fields before solving (PATCH or reply), and never clears them', async () => {
    const ticket = await newTicket();
    const solve = await rejection(updateTicket(deps, sam, ticket.id, { status: 'solved' }));
    expect(solve.details).toEqual([
      {
        field: 'customFields.order_number',
        message: '"Order number" is required before the ticket can be solved',
      },
    ]);
    const viaReply = await rejection(addReply(deps, sam, ticket.id, { body: 'Done.', status: 'solved' }));
    expect((viaReply.details as { field: string }[])[0]?.field).toBe('customFields.order_number');
    expect((await deps.tickets.get(ticket.id))?.status).toBe('new');

    // Pending is fine without it; solving works once it is filled.
    await updateTicket(deps, sam, ticket.id, { status: 'pending' });
    const solved = await updateTicket(deps, sam, ticket.id, {
      status: 'solved',
      customFields: { order_number: 'A-7' },
    });
    expect(solved).toMatchObject({ status: 'solved', customFields: { order_number: 'A-7' } });
    const cleared = await rejection(
      updateTicket(deps, sam, ticket.id, { customFields: { order_number: null } }),
    );
    expect(cleared.details).toEqual([
      { field: 'customFields.order_number', message: '"Order number" is required and cannot be removed' },
    ]);
  });

  it('moving to another department keeps the values that apply there and records the dropped ones', async () => {
    const ticket = await newTicket();
    await updateTicket(deps, sam, ticket.id, {
      customFields: { sub_category: 'Wrong item', order_number: 'A-1042' },
    });
    // A value a blueprint transition captured is no custom field: moves leave it alone.
    deps.state.tickets.get(ticket.id)!.customFields.refund_amount = 39.9;

    const moved = await updateTicket(deps, sam, ticket.id, { departmentId: 'tech' });
    expect(moved.customFields).toEqual({ order_number: 'A-1042', refund_amount: 39.9 });
    const event = timeline(ticket.id).at(-1);
    expect(event?.kind).toBe('event');
    expect(event?.droppedFields).toEqual([
      { field: 'sub_category', value: 'Wrong item', reason: 'the value is not allowed in department tech' },
    ]);
    expect(event?.changes.find((c) => c.field === 'customFields')).toMatchObject({
      from: { sub_category: 'Wrong item', order_number: 'A-1042', refund_amount: 39.9 },
      to: { order_number: 'A-1042', refund_amount: 39.9 },
    });

    // The move and a value of the new department in one change.
    const back = await updateTicket(deps, sam, ticket.id, {
      departmentId: 'returns',
      customFields: { sub_category: 'damaged item' },
    });
    expect(back.customFields).toEqual({
      order_number: 'A-1042',
      refund_amount: 39.9,
      sub_category: 'Damaged item',
    });
    expect(timeline(ticket.id).at(-1)?.droppedFields).toBeUndefined();
  });

  it('moves by the desk (routing, rules) carry fields over the same way', async () => {
    const ticket = await newTicket('tech', {
      customFields: { sub_category: 'Display', order_number: 'Z-9' },
    });
    const actor = { type: 'system' as const, id: 'routing-rule:r1', name: 'Routing rule "r1"' };
    const moved = await applySystemChange(deps, ticket.id, { departmentId: 'billing' }, actor);
    expect(moved.customFields).toEqual({});
    expect(
      timeline(ticket.id)
        .at(-1)
        ?.droppedFields?.map((d) => d.field)
        .sort(),
    ).toEqual(['order_number', 'sub_category']);
    expect(timeline(ticket.id).at(-1)?.author).toEqual(actor);
  });
});

describe('automation goes through the same checks', () => {
  it('a workflow rule’s invalid set_field is reported on its system entry; its other actions apply', async () => {
    const store = new MemoryWorkflowStore();
    await store.putRule(
      parseRule({
        id: 'tag-it',
        name: 'Tag returns',
        active: true,
        position: 0,
        trigger: 'ticket_created',
        conditions: {},
        actions: [
          { type: 'set_priority', priority: 'high' },
          { type: 'set_field', fieldId: 'sub_category', value: 'Battery' },
          { type: 'set_field', fieldId: 'order_number', value: ' R-1 ' },
        ],
        version: 1,
      }),
      null,
      'boss@x.test',
      new Date(at),
    );
    const ticket = await newTicket();
    const outcome = await reactToRuleEvent(
      { deps, store },
      { trigger: 'ticket_created', eventId: 'e1', ticketId: ticket.id },
    );
    expect(outcome.fired).toHaveLength(1);
    expect(await deps.tickets.get(ticket.id)).toMatchObject({
      priority: 'high',
      customFields: { order_number: 'R-1' },
    });
    const system = timeline(ticket.id).find((e) => e.kind === 'system');
    expect(system?.body).toContain('set fields order_number');
    expect(system?.body).toContain('could not set field: "Battery" is not a value of "Sub-category"');
  });

  it('a macro with an invalid field value fails for that ticket only, with the reason', async () => {
    const store = new MemoryWorkflowStore();
    await saveMacro(
      deps,
      store,
      admin,
      'damaged',
      {
        name: 'Damaged',
        scope: 'shared',
        active: true,
        actions: [{ type: 'set_field', fieldId: 'sub_category', value: 'Damaged item' }],
      },
      null,
    );
    const returns = await newTicket('returns');
    const tech = await newTicket('tech');
    const results = await applyMacro(deps, store, sam, 'damaged', [returns.id, tech.id]);
    expect(results[0]).toEqual({ ticketId: returns.id, ok: true });
    expect(results[1]).toMatchObject({
      ticketId: tech.id,
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('not a value of "Sub-category"') },
    });
    expect((await deps.tickets.get(returns.id))?.customFields).toEqual({ sub_category: 'Damaged item' });
    expect((await deps.tickets.get(tech.id))?.customFields).toEqual({});
  });

  it('a macro that moves the ticket records the values it drops', async () => {
    const store = new MemoryWorkflowStore();
    await saveMacro(
      deps,
      store,
      admin,
      'to-tech',
      {
        name: 'To tech',
        scope: 'shared',
        active: true,
        actions: [{ type: 'set_department', departmentId: 'tech' }],
      },
      null,
    );
    const ticket = await newTicket('returns', {
      customFields: { sub_category: 'Wrong item', order_number: 'A-3' },
    });
    expect(await applyMacro(deps, store, sam, 'to-tech', [ticket.id])).toEqual([
      { ticketId: ticket.id, ok: true },
    ]);
    expect((await deps.tickets.get(ticket.id))?.customFields).toEqual({ order_number: 'A-3' });
    expect(timeline(ticket.id).find((e) => e.kind === 'event')?.droppedFields).toEqual([
      { field: 'sub_category', value: 'Wrong item', reason: 'the value is not allowed in department tech' },
    ]);
  });
});

describe('checkTicketFields (pure)', () => {
  const definitions: FieldDefinition[] = [
    parseFieldDefinition({ id: 'order_number', version: 1, ...ORDER_NUMBER }),
    parseFieldDefinition({ id: 'legacy', version: 1, ...ORDER_NUMBER, label: 'Legacy', active: false }),
  ];
  const layouts = [
    parseLayout(
      { departmentId: 'returns', fields: [{ fieldId: 'order_number', required: true }], version: 1 },
      definitions,
    ),
  ];

  it('leaves a patch that touches no field rule as it is', () => {
    const ticket = { departmentId: 'returns', status: 'open' as const, customFields: {} };
    expect(checkTicketFields({ definitions, layouts }, ticket, { priority: 'high' })).toEqual({
      ok: true,
      patch: { priority: 'high' },
      dropped: [],
    });
  });

  it('checks required fields on closing as well, and on a move into a department that requires them', () => {
    const open = { departmentId: 'returns', status: 'solved' as const, customFields: {} };
    const closing = checkTicketFields({ definitions, layouts }, open, { status: 'closed' });
    expect(closing).toEqual({
      ok: false,
      errors: [
        {
          field: 'customFields.order_number',
          message: '"Order number" is required before the ticket can be closed',
        },
      ],
    });
    const elsewhere = { departmentId: 'tech', status: 'open' as const, customFields: {} };
    expect(
      checkTicketFields({ definitions, layouts }, elsewhere, { departmentId: 'returns', status: 'solved' })
        .ok,
    ).toBe(false);
    // Moving alone is fine: required fields wait for solving.
    expect(checkTicketFields({ definitions, layouts }, elsewhere, { departmentId: 'returns' }).ok).toBe(true);
  });
});
