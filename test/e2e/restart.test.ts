import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { type LocalDesk, startLocal } from '../../local/runtime.js';
import { DeskClient } from './client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'desk-restart-'));
let desk: LocalDesk | undefined;

afterAll(async () => {
  await desk?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start keeps its data', () => {
  it('seeds once, and after a restart finds the tickets and sign-in it had', async () => {
    desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, quiet: true });
    expect(desk.seeded).toBe(true);
    const first = await new DeskClient(desk.url).login('admin@demo.local');
    const created = await first.post<Ticket>('/tickets', {
      subject: 'Survive a restart',
      description: 'x',
      customer: { email: 'restart@example.com' },
    });
    expect(created.status).toBe(201);
    const seededCount = (await first.get<{ items: Ticket[] }>('/tickets?limit=100')).body.items.length;
    await desk.stop();
    desk = undefined;
    expect(existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).toBe(true);

    desk = await startLocal({ port: 0, jvm: 'fast-start', dataDir, quiet: true });
    expect(desk.seeded).toBe(false);
    const again = await new DeskClient(desk.url).login('admin@demo.local');
    const ticket = await again.get<Ticket>(`/tickets/${created.body.id}`);
    expect(ticket.status).toBe(200);
    expect(ticket.body.subject).toBe('Survive a restart');
    expect((await again.get<{ items: Ticket[] }>('/tickets?limit=100')).body.items.length).toBe(seededCount);
    // The ticket number counter carries on rather than starting over.
    const next = await again.post<Ticket>('/tickets', {
      subject: 'After restart',
      description: 'y',
      customer: { email: 'restart@example.com' },
    });
    expect(next.body.number).toBe(created.body.number + 1);
  });
});
