/**
 * The SPA's small copies of server rules for the agent tools: the saved
 * views a sidebar link leads to exist among the built-ins, the inbox filters
 * saved as a view are filters the server accepts and that select the same
 * tickets, a picklist offers the values the server allows in the ticket's
 * department, and only the views the server lets an agent delete offer it.
 */
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../functions/domain/agents/model.js';
import {
  allowedOptions,
  type FieldDefinition,
  parseFieldDefinition,
} from '../../../functions/domain/fields/model.js';
import {
  BUILT_IN_VIEWS,
  matchesFilters,
  ViewFiltersSchema,
  type ViewTicket,
} from '../../../functions/domain/views/model.js';
import type { SavedViewItem } from '../../../web/src/api/types.js';
import { layoutEntries, optionsFor } from '../../../web/src/lib/fields.js';
import { parseRoute } from '../../../web/src/lib/router.js';
import { canDeleteView, countText, inboxViewFilters } from '../../../web/src/lib/views.js';

describe('saved views in the SPA', () => {
  it('opens the built-in views at the old inbox addresses, and any view at /views/<id>', () => {
    const mine = parseRoute('/inbox/mine', '');
    const unassigned = parseRoute('/inbox/unassigned', '');
    expect(mine).toEqual({ name: 'view', id: 'my_open', moved: true });
    expect(unassigned).toEqual({ name: 'view', id: 'unassigned', moved: true });
    for (const route of [mine, unassigned]) {
      expect(Object.keys(BUILT_IN_VIEWS)).toContain(route.name === 'view' ? route.id : '');
    }
    expect(parseRoute('/views/bulk-x1', '')).toEqual({ name: 'view', id: 'bulk-x1' });
    expect(parseRoute('/views', '').name).toBe('not_found');
    expect(parseRoute('/inbox/pending', '?tag=vip')).toMatchObject({ name: 'inbox', view: 'pending' });
  });

  it('saves inbox filters as view filters the server accepts, selecting the same tickets', () => {
    const filters = inboxViewFilters({
      status: 'pending',
      assignee: 'me',
      departmentId: '_none',
      priority: 'high',
      tag: 'vip',
    });
    expect(ViewFiltersSchema.parse(filters)).toEqual(filters);
    expect(filters).toEqual({
      status: ['pending'],
      assigneeId: 'me',
      departmentId: 'none',
      priority: ['high'],
      tag: 'vip',
    });
    const ticket: ViewTicket = {
      status: 'pending',
      priority: 'high',
      channel: 'web',
      departmentId: null,
      teamId: null,
      assigneeId: null,
      tags: ['vip'],
      customFields: {},
    };
    expect(matchesFilters(filters, { ...ticket, assigneeId: 'agent-sam' }, 'agent-sam')).toBe(true);
    expect(matchesFilters(filters, { ...ticket, assigneeId: 'agent-bea' }, 'agent-sam')).toBe(false);
    expect(
      matchesFilters(filters, { ...ticket, departmentId: 'billing', assigneeId: 'agent-sam' }, 'agent-sam'),
    ).toBe(false);
    expect(inboxViewFilters({ status: '', assignee: '', departmentId: '', priority: '', tag: '' })).toEqual(
      {},
    );
  });

  it('offers deleting a view only to whoever the server lets delete it', () => {
    const view = (over: Partial<SavedViewItem>): SavedViewItem => ({
      id: 'v',
      name: 'V',
      scope: 'personal',
      ownerId: 'agent-sam',
      filters: {},
      sort: 'updated',
      builtIn: false,
      version: 1,
      count: 3,
      countIsEstimate: false,
      ...over,
    });
    const sam = { id: 'agent-sam', role: 'agent' } as Pick<Agent, 'id' | 'role'>;
    const sky = { id: 'agent-supervisor', role: 'supervisor' } as Pick<Agent, 'id' | 'role'>;
    expect(canDeleteView(view({}), sam)).toBe(true);
    expect(canDeleteView(view({ ownerId: 'agent-bea' }), sam)).toBe(false);
    expect(canDeleteView(view({ scope: 'shared', ownerId: undefined }), sam)).toBe(false);
    expect(canDeleteView(view({ scope: 'shared', ownerId: undefined }), sky)).toBe(true);
    expect(
      canDeleteView(view({ id: 'my_open', builtIn: true, scope: 'shared', ownerId: undefined }), sky),
    ).toBe(false);
    expect(countText(view({ count: 1000, countIsEstimate: true }))).toBe('1000+');
    expect(countText(view({}))).toBe('3');
  });
});

describe('custom fields in the SPA', () => {
  const subCategory = parseFieldDefinition({
    id: 'sub_category',
    label: 'Sub-category',
    type: 'picklist',
    options: ['Other'],
    optionsByDepartment: { technical: ['Battery', 'Display'], returns: ['Damaged item'] },
    active: true,
    version: 1,
  });
  const retired: FieldDefinition = parseFieldDefinition({
    id: 'retired',
    label: 'Retired',
    type: 'text',
    active: false,
    version: 1,
  });
  const units = parseFieldDefinition({
    id: 'units',
    label: 'Units',
    type: 'number',
    min: 1,
    active: true,
    version: 1,
  });

  it("offers a picklist's values of the ticket's department, like the server allows", () => {
    for (const department of ['technical', 'returns', 'billing', null]) {
      expect(optionsFor(subCategory, department)).toEqual(allowedOptions(subCategory, department));
    }
  });

  it("shows the fields of the department's layout in order, leaving out inactive and unknown ones", () => {
    const setup = {
      definitions: new Map([subCategory, retired, units].map((d) => [d.id, d])),
      layouts: [
        {
          departmentId: 'technical',
          version: 1,
          fields: [
            { fieldId: 'units', required: true },
            { fieldId: 'retired', required: false },
            { fieldId: 'gone', required: false },
            { fieldId: 'sub_category', required: false },
          ],
        },
      ],
    };
    expect(layoutEntries(setup, 'technical').map((e) => [e.definition.id, e.required])).toEqual([
      ['units', true],
      ['sub_category', false],
    ]);
    expect(layoutEntries(setup, 'billing')).toEqual([]);
    expect(layoutEntries(setup, null)).toEqual([]);
  });
});
