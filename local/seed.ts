/**
 * Demo data for the local desk, written once through the same use cases the
 * API runs (a marker item records that it was done, so a restart keeps what
 * the user changed).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { forgetDefinitions } from '../functions/blueprints/engine.js';
import { blueprintContext } from '../functions/composition/blueprints.js';
import type { AppContext } from '../functions/composition/deps.js';
import type { AgentInput, Principal, TeamInput } from '../functions/domain/agents/model.js';
import { validateBlueprint } from '../functions/domain/blueprints/definition.js';
import { SAMPLE_RETURNS_BLUEPRINT } from '../functions/domain/blueprints/sample-returns.js';
import { type BusinessCalendar, parseBusinessCalendar } from '../functions/domain/business-hours/calendar.js';
import {
  type FieldDefinition,
  type Layout,
  parseFieldDefinition,
  parseLayout,
} from '../functions/domain/fields/model.js';
import { type CannedResponse, parseCannedResponse } from '../functions/domain/macros/canned.js';
import { Conflict, VersionConflict } from '../functions/domain/shared/errors.js';
import { parseSlaPolicy, type SlaPolicy } from '../functions/domain/sla/policy.js';
import { addNote, addReply, createTicket, updateTicket } from '../functions/domain/tickets/use-cases.js';
import { forgetSetup } from '../functions/sla/engine.js';
import { hashPassword } from './auth.js';

export const DEMO_PASSWORD = 'demo';
export const DEMO_SUPPORT_ADDRESS = 'support@demo.local';

const DEPARTMENTS = [
  { id: 'general', name: 'General' },
  { id: 'technical', name: 'Technical Support' },
  { id: 'returns', name: 'Returns' },
  { id: 'billing', name: 'Billing' },
  { id: 'warehouse', name: 'Warehouse' },
];

const TEAMS: Omit<TeamInput, 'version' | 'createdAt' | 'updatedAt' | 'active'>[] = [
  { id: 'tier-1', name: 'Tier 1', departmentId: 'general' },
  { id: 'tier-2', name: 'Tier 2', departmentId: 'technical' },
  { id: 'replacement', name: 'Replacement', departmentId: 'technical' },
  { id: 'returns-team', name: 'Returns team', departmentId: 'returns' },
  { id: 'billing-team', name: 'Billing team', departmentId: 'billing' },
  { id: 'warehouse-team', name: 'Warehouse team', departmentId: 'warehouse' },
];

const AGENTS: Omit<AgentInput, 'version' | 'createdAt' | 'updatedAt' | 'active'>[] = [
  {
    id: 'agent-admin',
    email: 'admin@demo.local',
    name: 'Alex Admin',
    role: 'admin',
    departmentIds: ['general', 'technical', 'returns', 'billing', 'warehouse'],
    teamIds: ['tier-1'],
  },
  {
    id: 'agent-supervisor',
    email: 'supervisor@demo.local',
    name: 'Sky Supervisor',
    role: 'supervisor',
    departmentIds: ['general', 'technical'],
    teamIds: ['tier-2'],
  },
  {
    id: 'agent-sam',
    email: 'agent@demo.local',
    name: 'Sam Agent',
    role: 'agent',
    departmentIds: ['general', 'technical'],
    teamIds: ['tier-1', 'replacement'],
  },
  // One agent per team of the returns process (Returns → Warehouse → Billing).
  {
    id: 'agent-rita',
    email: 'rita@demo.local',
    name: 'Rita Returns',
    role: 'agent',
    departmentIds: ['returns'],
    teamIds: ['returns-team'],
  },
  {
    id: 'agent-walt',
    email: 'walt@demo.local',
    name: 'Walt Warehouse',
    role: 'agent',
    departmentIds: ['warehouse'],
    teamIds: ['warehouse-team'],
  },
  {
    id: 'agent-bea',
    email: 'bea@demo.local',
    name: 'Bea Billing',
    role: 'agent',
    departmentIds: ['billing'],
    teamIds: ['billing-team'],
  },
];

const TICKETS = [
  {
    subject: 'My phone is overheating while charging',
    description: 'Since yesterday my phone gets very hot when I charge it. Is it safe?',
    email: 'maria.garcia@example.com',
    name: 'María García',
    channel: 'email',
    departmentId: 'technical',
    priority: 'high',
  },
  {
    subject: 'Where is my order #55231?',
    description: 'I ordered a kettle two weeks ago and it has not arrived yet.',
    email: 'j.smith@example.org',
    name: 'John Smith',
    channel: 'web',
    departmentId: 'general',
    priority: 'normal',
  },
  {
    subject: 'Refund for returned headphones',
    description: 'I sent the headphones back last Monday, when will I get my refund?',
    email: 'li.wei@example.net',
    name: 'Li Wei',
    channel: 'email',
    departmentId: 'returns',
    priority: 'normal',
  },
  {
    subject: 'Invoice shows the wrong VAT number',
    description: 'Our VAT number on invoice INV-2291 is wrong, please correct it.',
    email: 'accounts@acme.example',
    name: 'Acme Accounts',
    channel: 'email',
    departmentId: 'billing',
    priority: 'low',
  },
  {
    subject: 'Called about a damaged parcel',
    description: 'Customer called: parcel arrived with a crushed corner, the blender inside is cracked.',
    phone: '+44 20 7946 0958',
    name: 'Priya Patel',
    channel: 'phone',
    departmentId: 'returns',
    priority: 'urgent',
  },
  {
    subject: 'Cannot log in to my account',
    description: 'The password reset email never arrives.',
    email: 'maria.garcia@example.com',
    name: 'María García',
    channel: 'chat',
    departmentId: null,
    priority: 'normal',
  },
] as const;

/** Seeds departments, teams, the demo agents and a few tickets, once. Returns false when already seeded. */
/** The demo's office hours: weekdays 9–17 in Berlin, with the German public holidays of the season. */
export const DEMO_CALENDAR: BusinessCalendar = parseBusinessCalendar({
  id: 'office-hours',
  name: 'Office hours (Berlin)',
  timeZone: 'Europe/Berlin',
  weekly: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }],
    fri: [{ start: '09:00', end: '17:00' }],
  },
  holidays: [
    { date: '2026-12-24', name: 'Christmas Eve' },
    { date: '2026-12-25', name: 'Christmas Day' },
    { date: '2026-12-26', name: 'Boxing Day' },
    { date: '2027-01-01', name: 'New Year' },
  ],
});

/** Standard support: targets per priority in office hours, reminders at 75 %, alerts and a higher tier after. */
export const DEMO_SLA_POLICY: SlaPolicy = parseSlaPolicy({
  id: 'standard',
  name: 'Standard support',
  position: 10,
  active: true,
  conditions: {},
  calendarId: 'office-hours',
  targets: {
    urgent: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 480 },
    high: { firstResponseMinutes: 120, nextResponseMinutes: 240, resolutionMinutes: 960 },
    normal: { firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 1440 },
    low: { firstResponseMinutes: 480, resolutionMinutes: 2880 },
  },
  escalations: {
    first_response: [
      { atPercent: 75, actions: [{ type: 'notify_assignee' }] },
      { atPercent: 100, actions: [{ type: 'notify_supervisor' }] },
      {
        atPercent: 150,
        actions: [
          { type: 'set_team', teamId: 'tier-2' },
          { type: 'set_priority', priority: 'high' },
        ],
      },
    ],
    resolution: [{ atPercent: 100, actions: [{ type: 'notify_supervisor' }] }],
  },
});

/**
 * Two custom fields: a "Sub-category" picklist whose values differ between
 * Returns and Technical Support, and an "Order number" used in both (so a
 * ticket moved between them keeps its order number and loses its
 * sub-category). The order number is required in Returns before a ticket is
 * solved or closed outside its blueprint.
 */
export const DEMO_FIELDS: FieldDefinition[] = [
  parseFieldDefinition({
    id: 'sub_category',
    label: 'Sub-category',
    type: 'picklist',
    optionsByDepartment: {
      returns: ['Damaged item', 'Wrong item', 'Missing parts', 'Changed my mind'],
      technical: ['Battery', 'Display', 'Connectivity', 'Software'],
    },
    active: true,
    version: 1,
  }),
  parseFieldDefinition({
    id: 'order_number',
    label: 'Order number',
    type: 'text',
    maxLength: 40,
    active: true,
    version: 1,
  }),
];

export const DEMO_LAYOUTS: Layout[] = [
  parseLayout(
    {
      departmentId: 'returns',
      fields: [
        { fieldId: 'order_number', required: true },
        { fieldId: 'sub_category', required: false },
      ],
      version: 1,
    },
    DEMO_FIELDS,
  ),
  parseLayout(
    {
      departmentId: 'technical',
      fields: [
        { fieldId: 'sub_category', required: false },
        { fieldId: 'order_number', required: false },
      ],
      version: 1,
    },
    DEMO_FIELDS,
  ),
];

/** Three shared canned responses, with the placeholders of `functions/domain/macros/templates.ts`. */
export const DEMO_CANNED_RESPONSES: CannedResponse[] = [
  parseCannedResponse({
    id: 'greeting',
    title: 'Greeting',
    body:
      'Hi {{customer.name}},\n\nThank you for contacting {{desk.name}}. We have your request ' +
      '(ticket #{{ticket.number}}) and will get back to you shortly.',
    tags: ['greeting'],
    scope: 'shared',
  }),
  parseCannedResponse({
    id: 'order-number',
    title: 'We need your order number',
    body:
      'Hi {{customer.name}},\n\nTo look into this we need your order number. Please reply to this ' +
      'message with it, quoting ticket #{{ticket.number}}.',
    tags: ['order'],
    scope: 'shared',
  }),
  parseCannedResponse({
    id: 'closing',
    title: 'Closing',
    body:
      'Glad we could help! If anything else comes up, just reply to this message.\n\n' +
      'Best regards,\n{{agent.name}}\n{{desk.name}}',
    tags: ['closing'],
    scope: 'shared',
  }),
];

function ignoreConflict(error: unknown): void {
  if (!(error instanceof VersionConflict)) throw error;
}

export async function seedDemoData(app: AppContext): Promise<boolean> {
  const table = app.config.TABLE_NAME;
  const marker = { pk: 'SEED#demo', sk: 'SEED' };
  const existing = await app.documentClient.send(new GetCommand({ TableName: table, Key: marker }));
  if (existing.Item) return false;

  const at = app.deps.clock.now().toISOString();
  for (const department of DEPARTMENTS) {
    await app.directory.createDepartmentIfMissing({
      ...department,
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
  }
  for (const team of TEAMS)
    await app.directory.putTeam({ ...team, active: true, version: 1, createdAt: at, updatedAt: at });
  const credential = await hashPassword(DEMO_PASSWORD);
  for (const agent of AGENTS) {
    try {
      await app.directory.createAgent(
        { ...agent, active: true, version: 1, createdAt: at, updatedAt: at },
        credential,
      );
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
    }
  }

  // Business hours and an SLA policy, before the tickets, so the demo tickets run on SLA clocks.
  const now = app.deps.clock.now();
  await app.sla.putCalendar(DEMO_CALENDAR, null, 'seed', now).catch(ignoreConflict);
  await app.sla.putPolicy(DEMO_SLA_POLICY, null, 'seed', now).catch(ignoreConflict);
  forgetSetup();
  // The sample returns process (Returns → Warehouse → Billing), published as version 1.
  const returns = validateBlueprint(SAMPLE_RETURNS_BLUEPRINT);
  await blueprintContext(app).store.publish(returns, 'seed', now).catch(ignoreConflict);
  forgetDefinitions();
  // Custom fields and the Returns / Technical Support layouts (the store's own cache sees them at once).
  for (const field of DEMO_FIELDS)
    await app.fields.putDefinition(field, null, 'seed', now).catch(ignoreConflict);
  for (const layout of DEMO_LAYOUTS)
    await app.fields.putLayout(layout, null, 'seed', now).catch(ignoreConflict);
  // Canned responses every agent can insert into a reply.
  for (const canned of DEMO_CANNED_RESPONSES)
    await app.views.putCanned(canned, null, 'seed', now).catch(ignoreConflict);

  const admin: Principal = {
    agentId: 'agent-admin',
    email: 'admin@demo.local',
    name: 'Alex Admin',
    role: 'admin',
    departmentIds: [],
  };
  const created = [];
  for (const t of TICKETS) {
    const { ticket } = await createTicket(app.deps, {
      subject: t.subject,
      description: t.description,
      customer: {
        name: t.name,
        ...('email' in t ? { email: t.email } : {}),
        ...('phone' in t ? { phone: t.phone } : {}),
      },
      channel: t.channel,
      priority: t.priority,
      departmentId: t.departmentId,
      createdBy: t.channel === 'phone' ? { type: 'agent', id: 'agent-sam', name: 'Sam Agent' } : 'customer',
    });
    created.push(ticket);
  }
  const [overheating, order, refund] = created;
  if (overheating && order && refund) {
    await updateTicket(app.deps, admin, overheating.id, {
      assigneeId: 'agent-sam',
      teamId: 'replacement',
      tags: ['overheating', 'hardware'],
      customFields: { sub_category: 'Battery' },
    });
    await addNote(app.deps, admin, overheating.id, {
      body: 'Known battery batch issue — check the serial number before offering a replacement.',
    });
    await addReply(app.deps, admin, order.id, {
      body: 'Thanks John, I have asked the carrier for an update and will write back today.',
      status: 'pending',
    });
    await updateTicket(app.deps, admin, refund.id, { assigneeId: 'agent-admin', tags: ['refund'] });
  }
  await app.documentClient.send(new PutCommand({ TableName: table, Item: { ...marker, seededAt: at } }));
  return true;
}
