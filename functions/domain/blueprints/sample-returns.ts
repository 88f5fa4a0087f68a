import type { BlueprintDefinitionInput } from './definition.js';

/**
 * The demo's sample blueprint: a return across three departments. The Returns
 * team approves (with the order number) or rejects (with a note) and sends
 * the label; the Warehouse team (another department) confirms the item
 * arrived; the Billing team refunds (with the amount); Returns closes.
 * Department and team ids are those of the demo seed. Time limits: a working
 * day to decide, two business hours to send the label, three weeks for the
 * customer to ship, two working days to refund, three days to close.
 *
 * Data, not code: seed it with `validateBlueprint(SAMPLE_RETURNS_BLUEPRINT)`.
 */
export const SAMPLE_RETURNS_BLUEPRINT: BlueprintDefinitionInput = {
  id: 'sample-returns',
  name: 'Returns',
  departmentId: 'returns',
  version: 1,
  entry: {
    conditions: [{ field: 'channel', operator: 'in', value: ['email', 'web', 'phone', 'chat'] }],
  },
  startState: 'requested',
  states: [
    { id: 'requested', name: 'Requested', status: 'open', timeLimit: { minutes: 480, clock: 'business' } },
    { id: 'approved', name: 'Approved', status: 'open', timeLimit: { minutes: 120, clock: 'business' } },
    {
      id: 'label-sent',
      name: 'Label sent',
      status: 'pending',
      timeLimit: { minutes: 21 * 24 * 60, clock: 'calendar' },
    },
    {
      id: 'item-received',
      name: 'Item received',
      status: 'open',
      timeLimit: { minutes: 960, clock: 'business' },
    },
    {
      id: 'refunded',
      name: 'Refunded',
      status: 'solved',
      timeLimit: { minutes: 3 * 24 * 60, clock: 'calendar' },
    },
    { id: 'closed', name: 'Closed', status: 'closed', final: true },
    { id: 'rejected', name: 'Rejected', status: 'solved', final: true },
  ],
  transitions: [
    {
      id: 'approve',
      name: 'Approve return',
      from: 'requested',
      to: 'approved',
      performers: { teamIds: ['returns-team'] },
      requiredFields: [{ fieldId: 'order_number', label: 'Order number', type: 'text' }],
    },
    {
      id: 'reject',
      name: 'Reject return',
      from: 'requested',
      to: 'rejected',
      performers: { teamIds: ['returns-team'] },
      requireNote: true,
      actions: [
        {
          type: 'notify',
          to: 'customer',
          template: {
            subject: 'About your return request',
            body: 'We are sorry, we cannot accept this return. Please see our reply for the reason.',
          },
        },
      ],
    },
    {
      id: 'send-label',
      name: 'Send return label',
      from: 'approved',
      to: 'label-sent',
      performers: { teamIds: ['returns-team'] },
      actions: [
        { type: 'set_field', fieldId: 'return_label_sent', value: true },
        {
          type: 'notify',
          to: 'customer',
          template: {
            subject: 'Your return label',
            body: 'Your return was approved. Print the attached label and drop the parcel off within three weeks.',
          },
        },
      ],
    },
    {
      id: 'receive-item',
      name: 'Confirm item received',
      from: 'label-sent',
      to: 'item-received',
      performers: { teamIds: ['warehouse-team'], departmentIds: ['warehouse'] },
      requiredFields: [
        {
          fieldId: 'item_condition',
          label: 'Condition',
          type: 'picklist',
          options: ['As new', 'Used', 'Damaged'],
        },
      ],
      actions: [
        {
          type: 'notify',
          to: { teamId: 'billing-team' },
          template: {
            subject: 'Returned item received',
            body: 'The item is back in the warehouse: please refund.',
          },
        },
      ],
    },
    {
      id: 'refund',
      name: 'Issue refund',
      from: 'item-received',
      to: 'refunded',
      performers: { teamIds: ['billing-team'] },
      requiredFields: [{ fieldId: 'refund_amount', label: 'Refund amount', type: 'number' }],
      actions: [
        {
          type: 'notify',
          to: 'customer',
          template: {
            subject: 'Your refund is on its way',
            body: 'We have refunded your return. The money reaches your account within a few days.',
          },
        },
      ],
    },
    {
      id: 'close',
      name: 'Close return',
      from: 'refunded',
      to: 'closed',
      performers: { teamIds: ['returns-team'], roles: ['supervisor', 'admin'] },
    },
  ],
};
