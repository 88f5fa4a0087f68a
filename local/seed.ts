/**
 * Demo data for the local desk, written once through the same use cases the
 * API runs (a marker item records that it was done, so a restart keeps what
 * the user changed).
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../functions/composition/deps.js';
import type { Agent, Principal, Team } from '../functions/domain/agents/model.js';
import { Conflict } from '../functions/domain/shared/errors.js';
import { addNote, addReply, createTicket, updateTicket } from '../functions/domain/tickets/use-cases.js';
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

const TEAMS: Omit<Team, 'version' | 'createdAt' | 'updatedAt' | 'active'>[] = [
  { id: 'tier-1', name: 'Tier 1', departmentId: 'general' },
  { id: 'tier-2', name: 'Tier 2', departmentId: 'technical' },
  { id: 'replacement', name: 'Replacement', departmentId: 'technical' },
  { id: 'returns-team', name: 'Returns team', departmentId: 'returns' },
  { id: 'billing-team', name: 'Billing team', departmentId: 'billing' },
  { id: 'warehouse-team', name: 'Warehouse team', departmentId: 'warehouse' },
];

const AGENTS: Omit<Agent, 'version' | 'createdAt' | 'updatedAt' | 'active'>[] = [
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
