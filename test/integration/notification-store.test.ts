import { beforeEach, describe, expect, it } from 'vitest';
import { notificationTime } from '../../functions/adapters/dynamodb/agent-notification-repository.js';
import type { AppContext } from '../../functions/composition/deps.js';
import type { NewAgentNotification } from '../../functions/domain/agents/notifications.js';
import { freshTable } from './support.js';

let app: AppContext;
beforeEach(async () => {
  app = await freshTable();
});

const now = new Date('2026-03-10T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const item = (n: number, at: Date, agentId = 'sam'): NewAgentNotification => ({
  agentId,
  kind: 'assigned',
  ticket: { id: `t${n}`, number: 1000 + n, subject: `Ticket ${n}` },
  text: `Assigned to you (${n}).`,
  at,
  dedupeKey: `assign#e${n}`,
});

describe('agent notification feed on DynamoDB', () => {
  it('writes each item once, lists newest first within 30 days, counts unread, marks read', async () => {
    const feed = app.notifications;
    expect(await feed.add(item(1, minutesAgo(30)))).toBe(true);
    expect(await feed.add(item(1, minutesAgo(30)))).toBe(false);
    // The same dedupe key at another time (a retried reaction) is still the same item.
    expect(await feed.add(item(1, minutesAgo(1)))).toBe(false);
    await feed.add(item(2, minutesAgo(20)));
    await feed.add(item(3, minutesAgo(10)));
    await feed.add(item(4, new Date(now.getTime() - 31 * 86_400_000)));
    await feed.add(item(5, minutesAgo(5), 'sally'));

    let listed = await feed.list('sam', 2, now);
    expect(listed.unread).toBe(3);
    expect(listed.items.map((n) => [n.ticketNumber, n.read])).toEqual([
      [1003, false],
      [1002, false],
    ]);
    expect(listed.items[0]).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      at: minutesAgo(10).toISOString(),
      kind: 'assigned',
      ticketId: 't3',
      ticketNumber: 1003,
      subject: 'Ticket 3',
      text: 'Assigned to you (3).',
      read: false,
    });
    expect(notificationTime(listed.items[0]?.id ?? '')).toBe(minutesAgo(10).toISOString());

    await feed.markRead(
      'sam',
      [listed.items[1]?.id as string, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'nonsense'],
      now,
    );
    listed = await feed.list('sam', 10, now);
    expect(listed.items.map((n) => [n.ticketNumber, n.read])).toEqual([
      [1003, false],
      [1002, true],
      [1001, false],
    ]);
    expect(listed.unread).toBe(2);

    // "All read" up to now; a newer item is unread again.
    await feed.markRead('sam', null, minutesAgo(2));
    await feed.add(item(6, minutesAgo(1)));
    listed = await feed.list('sam', 10, now);
    expect(listed.unread).toBe(1);
    expect(listed.items.map((n) => [n.ticketNumber, n.read])).toEqual([
      [1006, false],
      [1003, true],
      [1002, true],
      [1001, true],
    ]);
    // Marking all read never moves back.
    await feed.markRead('sam', null, minutesAgo(60));
    expect((await feed.list('sam', 10, now)).unread).toBe(1);
    expect((await feed.list('sally', 10, now)).items.map((n) => n.ticketNumber)).toEqual([1005]);
  });

  it('claims a stream record for re-routing once, and gives it back', async () => {
    expect(await app.routing.claimRecord('ev-1')).toBe(true);
    expect(await app.routing.claimRecord('ev-1')).toBe(false);
    await app.routing.releaseRecord('ev-1');
    expect(await app.routing.claimRecord('ev-1')).toBe(true);
  });
});
