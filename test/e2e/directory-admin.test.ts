/**
 * Managing the desk over HTTP on the local runtime: admins create, rename and
 * disable departments, create teams and agents (who then sign in with the
 * local login), memberships are checked, non-admins are refused, stale
 * If-Match answers 412, every change lands in the audit log naming who
 * changed what, and a support address given to a department receives mail
 * over SMTP into that department.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Department, Team } from '../../functions/domain/agents/model.js';
import type { AuditEntry } from '../../functions/domain/audit/model.js';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import type { OutboxMessage } from '../../local/outbox.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { eventually } from '../support/eventually.js';
import { DeskClient } from './client.js';

type Page<T> = { items: T[]; nextCursor: string | null };

let desk: LocalDesk;
let dataDir: string;
let admin: DeskClient;
let agent: DeskClient;
let supervisor: DeskClient;
let smtp: Transporter;

const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'desk-directory-'));
  desk = await startLocal({ port: 0, jvm: 'fast-start', inMemory: true, dataDir, quiet: true });
  [admin, agent, supervisor] = await Promise.all([
    new DeskClient(desk.url).login('admin@demo.local'),
    new DeskClient(desk.url).login('agent@demo.local'),
    new DeskClient(desk.url).login('supervisor@demo.local'),
  ]);
  smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: desk.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
}, 60_000);

afterAll(async () => {
  smtp?.close();
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('managing the desk over HTTP', () => {
  it('refuses non-admins (403) and lets supervisors read the audit log only', async () => {
    expect((await agent.post('/departments', { name: 'Sneaky' })).status).toBe(403);
    expect((await supervisor.patch('/departments/general', { name: 'Mine' })).status).toBe(403);
    expect((await supervisor.post('/teams', { name: 'Mine', departmentId: 'general' })).status).toBe(403);
    expect(
      (
        await agent.post('/agents', {
          email: 'x@demo.local',
          name: 'X',
          role: 'admin',
          departmentIds: [],
          password: 'pass1234',
        })
      ).status,
    ).toBe(403);
    expect((await agent.patch('/agents/agent-sam', { role: 'admin' })).status).toBe(403);
    expect((await agent.get('/audit')).status).toBe(403);
    expect((await supervisor.get('/audit')).status).toBe(200);
  });

  it('creates, renames (If-Match, 412 when stale) and disables a department; a disabled one takes no new tickets', async () => {
    const created = await admin.post<Department>('/departments', { name: 'Field Service' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ id: 'field-service', active: true, supportAddresses: [] });

    const renamed = await admin.patch<Department>(
      '/departments/field-service',
      { name: 'Field work' },
      ifMatch(1),
    );
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).toBe('"2"');
    const stale = await admin.patch('/departments/field-service', { name: 'Too late' }, ifMatch(1));
    expect(stale.status).toBe(412);
    const read = await admin.get<Department>('/departments/field-service');
    expect([read.body.name, read.headers.get('etag')]).toEqual(['Field work', '"2"']);
    expect((await admin.get('/departments/nowhere')).status).toBe(404);
    expect((await admin.patch('/departments/nowhere', { name: 'x' })).status).toBe(404);

    // A ticket it had before being disabled stays in it.
    const before = await admin.post<Ticket>('/tickets', {
      subject: 'Fence broken',
      description: 'Please come by.',
      customer: { email: 'fence@customer.example' },
      departmentId: 'field-service',
    });
    expect(before.status).toBe(201);
    expect((await admin.patch('/departments/field-service', { active: false }, ifMatch(2))).status).toBe(200);
    const refused = await admin.post('/tickets', {
      subject: 'Gate broken',
      description: 'Please come by.',
      customer: { email: 'gate@customer.example' },
      departmentId: 'field-service',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.details).toEqual([
      { field: 'departmentId', message: 'Department Field work is disabled: it takes no new tickets' },
    ]);
    const other = await admin.post<Ticket>('/tickets', {
      subject: 'Hinge squeaks',
      description: 'x',
      customer: { email: 'hinge@customer.example' },
      departmentId: 'general',
    });
    const moved = await admin.patch(`/tickets/${other.body.id}`, { departmentId: 'field-service' });
    expect(moved.status).toBe(400);
    expect((await admin.get<Ticket>(`/tickets/${before.body.id}`)).body.departmentId).toBe('field-service');
    // Listed still (as disabled), for old tickets' sake.
    const list = await admin.get<Page<Department>>('/departments');
    expect(list.body.items.find((d) => d.id === 'field-service')?.active).toBe(false);
  });

  it('creates a team and an agent, who signs in locally; memberships are checked with field details', async () => {
    expect((await admin.post('/departments', { id: 'installs', name: 'Installations' })).status).toBe(201);
    const team = await admin.post<Team>('/teams', { name: 'Install crew', departmentId: 'installs' });
    expect(team.status).toBe(201);
    expect(team.body).toMatchObject({
      id: 'install-crew',
      departmentId: 'installs',
      assignment: { strategy: 'manual' },
    });
    expect(
      (await admin.post('/teams', { id: 'install-crew', name: 'Twin', departmentId: 'installs' })).status,
    ).toBe(409);
    const disabledDepartment = await admin.post('/teams', { name: 'Ghosts', departmentId: 'field-service' });
    expect(disabledDepartment.status).toBe(400);
    expect(disabledDepartment.body.error?.details?.[0]?.field).toBe('departmentId');

    const mismatch = await admin.post('/agents', {
      email: 'nia@demo.local',
      name: 'Nia',
      role: 'agent',
      departmentIds: ['general'],
      teamIds: ['install-crew', 'ghost-team'],
      password: 'nia-pass',
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error?.details).toEqual([
      { field: 'teamIds', message: 'no team ghost-team' },
      { field: 'teamIds', message: expect.stringContaining('Install crew belongs to Installations') },
    ]);

    const created = await admin.post<Agent>('/agents', {
      email: 'Nia@demo.local',
      name: 'Nia Field',
      role: 'agent',
      departmentIds: ['installs'],
      teamIds: ['install-crew'],
      capacity: 5,
      skills: ['ladders'],
      password: 'nia-pass',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'nia@demo.local',
      capacity: 5,
      skills: ['ladders'],
      active: true,
    });
    const again = await admin.post('/agents', {
      email: 'nia@demo.local',
      name: 'Nia again',
      role: 'agent',
      departmentIds: [],
      password: 'nia-pass',
    });
    expect(again.status).toBe(409);
    const missingPassword = await admin.post('/agents', {
      email: 'nopass@demo.local',
      name: 'No Pass',
      role: 'agent',
      departmentIds: [],
    });
    expect(missingPassword.body.error?.details).toEqual([{ field: 'password', message: expect.any(String) }]);

    const nia = await new DeskClient(desk.url).login('nia@demo.local', 'nia-pass');
    const me = await nia.get<{ agent: Agent }>('/me');
    expect(me.body.agent).toMatchObject({ id: created.body.id, departmentIds: ['installs'] });

    const members = await admin.get<Team & { members: { id: string; name: string }[] }>(
      '/teams/install-crew',
    );
    expect(members.body.members).toEqual([{ id: created.body.id, name: 'Nia Field' }]);

    // Leaving the department of her team is refused; leaving both together is fine.
    const leave = await admin.patch(`/agents/${created.body.id}`, { departmentIds: ['general'] }, ifMatch(1));
    expect(leave.status).toBe(400);
    expect(leave.body.error?.details?.[0]?.field).toBe('teamIds');
    const moved = await admin.patch<Agent>(
      `/agents/${created.body.id}`,
      { departmentIds: ['general'], teamIds: [], name: 'Nia Gate' },
      ifMatch(1),
    );
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    expect((await admin.patch(`/agents/${created.body.id}`, { capacity: 9 }, ifMatch(1))).status).toBe(412);

    // Disabled: she cannot sign in again (tokens already issued stop working within the 30 s principal cache).
    expect((await admin.patch(`/agents/${created.body.id}`, { active: false }, ifMatch(2))).status).toBe(200);
    const login = await nia.request('POST', '/local/login', {
      email: 'nia@demo.local',
      password: 'nia-pass',
    });
    expect(login.status).toBe(401);
  });

  it('keeps the last active admin (409) and moves teams only with their members', async () => {
    const demote = await admin.patch('/agents/agent-admin', { role: 'agent' });
    expect(demote.status).toBe(409);
    expect(demote.body.error?.message).toMatch(/last active admin/);
    expect((await admin.patch('/agents/agent-admin', { active: false })).status).toBe(409);
    const moveTeam = await admin.patch('/teams/tier-2', { departmentId: 'billing' });
    expect(moveTeam.status).toBe(400);
    expect(moveTeam.body.error?.details?.[0]?.field).toBe('departmentId');
    const renamed = await admin.patch<Team>('/teams/tier-2', { name: 'Second line', active: true });
    expect(renamed.body).toMatchObject({ name: 'Second line', departmentId: 'technical' });
  });

  it('lists who changed what in the audit log, newest first, in pages', async () => {
    const page = await supervisor.get<Page<AuditEntry>>('/audit?limit=100');
    expect(page.status).toBe(200);
    const mine = page.body.items.filter((e) => e.by === 'admin@demo.local');
    const at = mine.map((e) => e.at);
    expect(at).toEqual([...at].sort().reverse());
    const rename = mine.find((e) => e.type === 'department' && e.id === 'field-service' && e.version === 2);
    expect(rename).toMatchObject({
      action: 'updated',
      changes: [{ field: 'name', from: 'Field Service', to: 'Field work' }],
    });
    const disable = mine.find((e) => e.type === 'department' && e.id === 'field-service' && e.version === 3);
    expect(disable?.changes).toEqual([{ field: 'active', from: true, to: false }]);
    expect(mine.find((e) => e.type === 'team' && e.id === 'install-crew')?.action).toBe('created');
    const agentCreated = mine.find((e) => e.type === 'agent' && e.action === 'created');
    expect(agentCreated?.changes).toContainEqual({ field: 'email', to: 'nia@demo.local' });
    const agentChanged = mine.find((e) => e.type === 'agent' && e.version === 2);
    expect(agentChanged?.changes).toEqual(
      expect.arrayContaining([
        { field: 'departmentIds', from: ['installs'], to: ['general'] },
        { field: 'name', from: 'Nia Field', to: 'Nia Gate' },
      ]),
    );
    // Refused changes left no entry.
    expect(mine.some((e) => e.type === 'agent' && e.id === 'agent-admin')).toBe(false);

    const first = await supervisor.get<Page<AuditEntry>>('/audit?limit=2');
    expect(first.body.items).toEqual(page.body.items.slice(0, 2));
    const second = await supervisor.get<Page<AuditEntry>>(
      `/audit?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    expect(second.body.items).toEqual(page.body.items.slice(2, 4));
    expect((await supervisor.get('/audit?cursor=not-a-cursor')).status).toBe(400);
  });

  it('a support address an admin gives a department receives mail into it, and replies go out from it', async () => {
    const sales = await admin.post<Department>('/departments', { name: 'Sales' });
    expect(sales.status).toBe(201);
    const foreign = await admin.patch('/departments/sales', {
      supportAddresses: ['sales@elsewhere.example'],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error?.details).toEqual([
      { field: 'supportAddresses.0', message: expect.stringContaining('demo.local') },
    ]);
    expect(
      (await admin.patch('/departments/sales', { supportAddresses: ['billing@demo.local'] })).status,
    ).toBe(409);
    const saved = await admin.patch<Department>(
      '/departments/sales',
      { supportAddresses: ['Sales@demo.local'] },
      ifMatch(1),
    );
    expect(saved.status).toBe(200);
    expect(saved.body.supportAddresses).toEqual(['sales@demo.local']);
    expect(
      (await admin.patch('/departments/installs', { supportAddresses: ['sales@demo.local'] })).status,
    ).toBe(409);

    const messageId = `deal.${Date.now()}@customer.example`;
    await smtp.sendMail({
      from: '"Dana Buyer" <dana@customer.example>',
      to: 'sales@demo.local',
      subject: 'Quote for 40 kettles',
      text: 'What would 40 cost?',
      messageId: `<${messageId}>`,
    });
    const found = await desk.app.deps.tickets.findMessage(`mid:${messageId}`);
    expect(found).not.toBeNull();
    const ticket = (await admin.get<Ticket>(`/tickets/${found?.ticketId}`)).body;
    expect(ticket).toMatchObject({
      departmentId: 'sales',
      supportAddress: 'sales@demo.local',
      channel: 'email',
    });

    const ack = await eventually(
      async () =>
        (await admin.get<{ items: OutboxMessage[] }>('/local/outbox')).body.items.find(
          (m) => m.inReplyTo === messageId,
        ),
      { accept: (m) => m !== undefined, what: 'the acknowledgement from sales@' },
    );
    expect(ack?.from).toBe('sales@demo.local');
    expect(ack?.replyTo).toMatch(new RegExp(`^sales\\+t${ticket.number}\\.[a-z2-7]{16}@demo\\.local$`));

    // An address given up no longer receives mail.
    expect((await admin.patch('/departments/sales', { supportAddresses: [] }, ifMatch(2))).status).toBe(200);
    await expect(
      smtp.sendMail({ from: 'dana@customer.example', to: 'sales@demo.local', subject: 'x', text: 'y' }),
    ).rejects.toThrow(/550/);
  });
});
