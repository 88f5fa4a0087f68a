import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoFieldRepository } from '../../functions/adapters/dynamodb/field-repository.js';
import type { AppContext } from '../../functions/composition/deps.js';
import { parseFieldDefinition, parseLayout } from '../../functions/domain/fields/model.js';
import { VersionConflict } from '../../functions/domain/shared/errors.js';
import { createTicket, updateTicket } from '../../functions/domain/tickets/use-cases.js';
import { freshTable, seedOrg } from './support.js';

const at = new Date('2026-03-02T09:00:00.000Z');
const admin = {
  agentId: 'boss',
  email: 'boss@x.test',
  name: 'Boss',
  role: 'admin' as const,
  departmentIds: [],
};

const orderNumber = parseFieldDefinition({
  id: 'order_number',
  label: 'Order number',
  type: 'text',
  active: true,
  version: 1,
});
const reason = parseFieldDefinition({
  id: 'reason',
  label: 'Reason',
  type: 'picklist',
  optionsByDepartment: { returns: ['Damaged', 'Wrong size'], billing: ['Refund', 'Invoice'] },
  active: true,
  version: 1,
});

let app: AppContext & { tableName: string };
beforeEach(async () => {
  const table = await freshTable();
  app = { ...table, tableName: table.config.TABLE_NAME };
  await seedOrg(app);
});

describe('custom fields and layouts on DynamoDB', () => {
  it('saves definitions and layouts version-checked, with who and when', async () => {
    expect(await app.fields.putDefinition(orderNumber, null, 'boss@x.test', at)).toBe(1);
    await expect(app.fields.putDefinition(orderNumber, null, 'boss@x.test', at)).rejects.toThrow(
      VersionConflict,
    );
    expect(await app.fields.putDefinition({ ...orderNumber, label: 'Order no.' }, 1, 'boss@x.test', at)).toBe(
      2,
    );
    await app.fields.putDefinition(reason, null, 'boss@x.test', at);
    const definitions = await app.fields.listDefinitions();
    expect(definitions.map((d) => [d.id, d.version, d.label]).sort()).toEqual([
      ['order_number', 2, 'Order no.'],
      ['reason', 1, 'Reason'],
    ]);

    const layout = parseLayout(
      { departmentId: 'returns', fields: [{ fieldId: 'reason', required: true }], version: 1 },
      definitions,
    );
    expect(await app.fields.getLayout('returns')).toBeNull();
    expect(await app.fields.putLayout(layout, null, 'boss@x.test', at)).toBe(1);
    await expect(app.fields.putLayout(layout, 3, 'boss@x.test', at)).rejects.toThrow(VersionConflict);
    expect(await app.fields.getLayout('returns')).toEqual({ ...layout, version: 1 });
    expect(await app.fields.listLayouts()).toEqual([{ ...layout, version: 1 }]);
  });

  it('serves the ticket path from a short cache that a save through the same store refreshes', async () => {
    await app.fields.putDefinition(orderNumber, null, 'boss@x.test', at);
    expect((await app.fields.setup()).definitions.map((d) => d.id)).toEqual(['order_number']);
    // Another process (another store on the same table) adds a field: this one keeps its cached view...
    const elsewhere = new DynamoFieldRepository(app.documentClient, app.tableName);
    await elsewhere.putDefinition(reason, null, 'other@x.test', at);
    expect((await app.fields.setup()).definitions.map((d) => d.id)).toEqual(['order_number']);
    // ...until it saves something itself (or 30 s pass).
    await app.fields.putLayout(
      parseLayout({ departmentId: 'billing', fields: [{ fieldId: 'reason' }], version: 1 }, [reason]),
      null,
      'boss@x.test',
      at,
    );
    const fresh = await app.fields.setup();
    expect(fresh.definitions.map((d) => d.id).sort()).toEqual(['order_number', 'reason']);
    expect(fresh.layouts.map((l) => l.departmentId)).toEqual(['billing']);

    let clock = 0;
    const timed = new DynamoFieldRepository(app.documentClient, app.tableName, () => clock);
    expect((await timed.setup()).definitions).toHaveLength(2);
    await elsewhere.putDefinition({ ...orderNumber, id: 'third', label: 'Third' }, null, 'other@x.test', at);
    clock = 29_999;
    expect((await timed.setup()).definitions).toHaveLength(2);
    clock = 30_000;
    expect((await timed.setup()).definitions).toHaveLength(3);
  });

  it('checks and carries ticket values with the production adapters', async () => {
    await app.fields.putDefinition(orderNumber, null, 'boss@x.test', at);
    await app.fields.putDefinition(reason, null, 'boss@x.test', at);
    const definitions = await app.fields.listDefinitions();
    for (const departmentId of ['returns', 'billing']) {
      await app.fields.putLayout(
        parseLayout(
          { departmentId, fields: [{ fieldId: 'order_number' }, { fieldId: 'reason' }], version: 1 },
          definitions,
        ),
        null,
        'boss@x.test',
        at,
      );
    }
    const { ticket } = await createTicket(app.deps, {
      subject: 'Wrong size',
      description: 'Too small.',
      customer: { email: 'ann@example.com' },
      channel: 'web',
      departmentId: 'returns',
      createdBy: 'customer',
    });
    await updateTicket(app.deps, admin, ticket.id, {
      customFields: { order_number: 'A-1', reason: 'wrong size' },
    });
    const moved = await updateTicket(app.deps, admin, ticket.id, { departmentId: 'billing' });
    expect(moved.customFields).toEqual({ order_number: 'A-1' });
    expect(await app.deps.tickets.get(ticket.id)).toMatchObject({ customFields: { order_number: 'A-1' } });
    const events = (await app.deps.tickets.timeline(ticket.id, { limit: 10, includeNotes: true })).items;
    expect(events.at(-1)?.droppedFields).toEqual([
      { field: 'reason', value: 'Wrong size', reason: 'the value is not allowed in department billing' },
    ]);
  });
});
