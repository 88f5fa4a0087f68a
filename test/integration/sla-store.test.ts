import { beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../functions/composition/deps.js';
import { parseBusinessCalendar } from '../../functions/domain/business-hours/calendar.js';
import { ValidationFailed, VersionConflict } from '../../functions/domain/shared/errors.js';
import { parseSlaPolicy } from '../../functions/domain/sla/policy.js';
import { reconcileSla, type SlaRecord } from '../../functions/domain/sla/record.js';
import type { Ticket } from '../../functions/domain/tickets/model.js';
import { createTicket } from '../../functions/domain/tickets/use-cases.js';
import { freshTable } from './support.js';

const policy = parseSlaPolicy({
  id: 'std',
  name: 'Standard',
  position: 0,
  active: true,
  conditions: {},
  calendarId: null,
  targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } },
});
const calendar = parseBusinessCalendar({
  id: 'berlin',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [{ start: '09:00', end: '17:00' }] },
});
const at = new Date('2026-03-02T09:00:00.000Z');

let app: AppContext;
beforeEach(async () => {
  app = await freshTable();
});

let customers = 0;
async function newTicket(): Promise<Ticket> {
  const { ticket } = await createTicket(app.deps, {
    subject: 'Printer on fire',
    description: 'Hello',
    customer: { email: `sla${++customers}@example.com`, name: 'Ann' },
    channel: 'email',
    createdBy: 'customer',
  });
  return ticket;
}

/** The record the events handler would write for a new ticket, due at `nextDueAt`. */
function recordFor(ticket: Ticket, nextDueAt: string | null = '2026-03-02T10:00:00.000Z'): SlaRecord {
  const { record } = reconcileSla(
    null,
    { policies: [policy], calendars: [] },
    { type: 'ticket', before: null, after: ticket },
    at,
  );
  if (!record) throw new Error('the policy matches every ticket');
  return { ...record, nextDueAt };
}

describe('SLA records on DynamoDB Local', () => {
  it('saves and reads back a record; an unknown ticket has none', async () => {
    const ticket = await newTicket();
    const record = recordFor(ticket);
    record.executions.first_response = 'arn:aws:states:eu-west-1:1:execution:sla:x';
    record.breachesReported = { first_response: '2026-03-02T10:00:00.000Z' };
    await app.sla.save(record, null);
    expect(await app.sla.get(ticket.id)).toEqual(record);
    expect(await app.sla.get('no-such-ticket')).toBeNull();
    // The ticket item next to it is untouched.
    expect(await app.deps.tickets.get(ticket.id)).toEqual(ticket);
  });

  it('checks the version: no second create, no save from a stale version', async () => {
    const ticket = await newTicket();
    const record = recordFor(ticket);
    await app.sla.save(record, null);
    await expect(app.sla.save(record, null)).rejects.toBeInstanceOf(VersionConflict);
    const next = { ...record, version: 2 };
    await app.sla.save(next, 1);
    await expect(app.sla.save({ ...record, version: 2 }, 1)).rejects.toBeInstanceOf(VersionConflict);
    expect((await app.sla.get(ticket.id))?.version).toBe(2);
  });

  it('deletes a record only from its current version', async () => {
    const ticket = await newTicket();
    await app.sla.save(recordFor(ticket), null);
    await expect(app.sla.delete(ticket.id, 7)).rejects.toBeInstanceOf(VersionConflict);
    await app.sla.delete(ticket.id, 1);
    expect(await app.sla.get(ticket.id)).toBeNull();
    expect((await app.sla.listRunning({ limit: 10 })).items).toEqual([]);
  });

  it('lists the running records in due order, with their tickets, and only those', async () => {
    const [a, b, c, d] = [await newTicket(), await newTicket(), await newTicket(), await newTicket()];
    await app.sla.save(recordFor(a!, '2026-03-02T12:00:00.000Z'), null);
    await app.sla.save(recordFor(b!, '2026-03-02T09:30:00.000Z'), null);
    await app.sla.save(recordFor(c!, '2026-03-02T11:00:00.000Z'), null);
    await app.sla.save(recordFor(d!, null), null);
    const page = await app.sla.listRunning({ limit: 10 });
    expect(page.items.map((i) => i.ticket.id)).toEqual([b!.id, c!.id, a!.id]);
    expect(page.items.map((i) => i.sla.nextDueAt)).toEqual([
      '2026-03-02T09:30:00.000Z',
      '2026-03-02T11:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
    ]);
    expect(page.items[0]?.ticket).toEqual(b);
    expect(page.nextCursor).toBeNull();

    // Due at or before 11:00.
    const soon = await app.sla.listRunning({ limit: 10, dueBefore: '2026-03-02T11:00:00.000Z' });
    expect(soon.items.map((i) => i.ticket.id)).toEqual([b!.id, c!.id]);
  });

  it('a record saved with nothing running leaves the at-risk index; running again, it is back', async () => {
    const ticket = await newTicket();
    const record = recordFor(ticket, '2026-03-02T10:00:00.000Z');
    await app.sla.save(record, null);
    expect((await app.sla.listRunning({ limit: 10 })).items).toHaveLength(1);
    await app.sla.save({ ...record, nextDueAt: null, version: 2 }, 1);
    expect((await app.sla.listRunning({ limit: 10 })).items).toEqual([]);
    expect((await app.sla.get(ticket.id))?.nextDueAt).toBeNull();
    await app.sla.save({ ...record, nextDueAt: '2026-03-03T10:00:00.000Z', version: 3 }, 2);
    const page = await app.sla.listRunning({ limit: 10 });
    expect(page.items.map((i) => i.sla.nextDueAt)).toEqual(['2026-03-03T10:00:00.000Z']);
  });

  it('pages with a cursor, and refuses a cursor of another list', async () => {
    const tickets: Ticket[] = [];
    for (let i = 0; i < 5; i++) {
      const ticket = await newTicket();
      tickets.push(ticket);
      await app.sla.save(recordFor(ticket, `2026-03-02T1${i}:00:00.000Z`), null);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await app.sla.listRunning({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.ticket.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(tickets.map((t) => t.id));
    expect(pages).toBeGreaterThanOrEqual(3);

    const foreign = Buffer.from(
      JSON.stringify({ pk: 'TICKET#x', sk: 'SLA', gsi1pk: 'DEPT#x', gsi1sk: 'y' }),
    ).toString('base64url');
    await expect(app.sla.listRunning({ limit: 2, cursor: foreign })).rejects.toBeInstanceOf(ValidationFailed);
    await expect(app.sla.listRunning({ limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationFailed,
    );
  });
});

describe('SLA policies and calendars on DynamoDB Local', () => {
  it('puts policies with version checks and lists them', async () => {
    const when = new Date('2026-03-01T12:00:00.000Z');
    expect(await app.sla.putPolicy(policy, null, 'ada@x.test', when)).toBe(1);
    await expect(app.sla.putPolicy(policy, null, 'ada@x.test', when)).rejects.toBeInstanceOf(VersionConflict);
    const renamed = { ...policy, name: 'Standard (renamed)' };
    expect(await app.sla.putPolicy(renamed, 1, 'bob@x.test', when)).toBe(2);
    await expect(app.sla.putPolicy(policy, 1, 'ada@x.test', when)).rejects.toBeInstanceOf(VersionConflict);
    const other = { ...policy, id: 'vip', position: 1 };
    await app.sla.putPolicy(other, null, 'ada@x.test', when);
    const listed = await app.sla.listPolicies();
    expect(listed).toEqual([
      { policy: renamed, version: 2, updatedAt: when.toISOString(), updatedBy: 'bob@x.test' },
      { policy: other, version: 1, updatedAt: when.toISOString(), updatedBy: 'ada@x.test' },
    ]);
    expect(await app.sla.listCalendars()).toEqual([]);
  });

  it('puts calendars with version checks and lists them', async () => {
    const when = new Date('2026-03-01T12:00:00.000Z');
    expect(await app.sla.putCalendar(calendar, null, 'ada@x.test', when)).toBe(1);
    await expect(app.sla.putCalendar(calendar, null, 'ada@x.test', when)).rejects.toBeInstanceOf(
      VersionConflict,
    );
    const holidays = { ...calendar, holidays: [{ date: '2026-12-25', name: 'Christmas' }] };
    expect(await app.sla.putCalendar(holidays, 1, 'ada@x.test', when)).toBe(2);
    await expect(app.sla.putCalendar(calendar, 3, 'ada@x.test', when)).rejects.toBeInstanceOf(
      VersionConflict,
    );
    expect(await app.sla.listCalendars()).toEqual([
      { calendar: holidays, version: 2, updatedAt: when.toISOString(), updatedBy: 'ada@x.test' },
    ]);
    expect(await app.sla.listPolicies()).toEqual([]);
  });
});
