import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/adapters/dynamodb/cursor.js';
import {
  DynamoTicketRepository,
  planTicketQuery,
} from '../../../functions/adapters/dynamodb/ticket-repository.js';
import { newCustomer } from '../../../functions/domain/customers/model.js';
import { IdempotencyRace, IdentityTaken } from '../../../functions/domain/ports.js';
import { ValidationFailed, VersionConflict } from '../../../functions/domain/shared/errors.js';
import { openTicket, type TimelineEntry } from '../../../functions/domain/tickets/model.js';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(documentClient);
const repo = new DynamoTicketRepository(documentClient, 'desk');
const now = new Date('2026-03-02T09:00:00.000Z');
const customer = newCustomer(
  'c1',
  'Ann',
  [
    { type: 'email', value: 'ann@example.com' },
    { type: 'phone', value: '+4930123456' },
  ],
  now,
);
const ticket = openTicket({
  id: 't1',
  number: 1042,
  subject: 'Help',
  channel: 'web',
  priority: 'normal',
  departmentId: 'billing',
  customerId: 'c1',
  requester: { name: 'Ann', email: 'ann@example.com', phone: null },
  now,
});
const entry: TimelineEntry = {
  id: 'e1',
  ticketId: 't1',
  kind: 'customer',
  createdAt: ticket.createdAt,
  author: { type: 'customer', id: 'c1', name: 'Ann' },
  body: 'Hi',
  channel: 'web',
  changes: [],
};

function cancelled(codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => ddb.reset());

describe('DynamoTicketRepository.create', () => {
  it('writes ticket, number, entry, customer, identities and idempotency claim in ONE transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.create({
      ticket,
      firstEntry: entry,
      newCustomer: customer,
      idempotency: { scope: 's', key: 'k', fingerprint: 'f', resourceId: 't1' },
    });
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => i.Put?.Item?.pk)).toEqual([
      'TICKET#t1',
      'TICKETNO#1042',
      'TICKET#t1',
      'CUSTOMER#c1',
      'IDENTITY#email#ann@example.com',
      'IDENTITY#phone#+4930123456',
      'IDEMPOTENCY#s#k',
    ]);
    for (const index of [0, 1, 3, 4, 5, 6])
      expect(items[index]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(items[0]?.Put?.Item).toMatchObject({
      gsi1pk: 'TD#billing',
      gsi1sk: `6new#${ticket.updatedAt}#t1`,
      gsi2pk: 'TALL',
      gsi3pk: 'TA#_none',
      gsi4pk: 'TC#c1',
    });
    expect(items[6]?.Put?.Item?.ttl).toBe(Math.floor(now.getTime() / 1000) + 86_400);
  });

  it('reports the identity that lost a race, so the use case can retry with the existing customer', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled(['None', 'None', 'None', 'None', 'None', 'ConditionalCheckFailed']));
    const error = await repo
      .create({ ticket, firstEntry: entry, newCustomer: customer })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityTaken);
    expect((error as IdentityTaken).identity).toEqual({ type: 'phone', value: '+4930123456' });
  });

  it('reports an Idempotency-Key claimed concurrently', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'None', 'ConditionalCheckFailed']));
    await expect(
      repo.create({
        ticket,
        firstEntry: entry,
        idempotency: { scope: 's', key: 'k', fingerprint: 'f', resourceId: 't1' },
      }),
    ).rejects.toBeInstanceOf(IdempotencyRace);
  });
});

describe('DynamoTicketRepository.update', () => {
  it('is conditional on the expected version and maps a failed condition to VersionConflict', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None']));
    await expect(repo.update({ ...ticket, version: 3 }, 2, [entry], [])).rejects.toBeInstanceOf(
      VersionConflict,
    );
    const put = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(put.ConditionExpression).toBe('#version = :expected');
    expect(put.ExpressionAttributeValues).toEqual({ ':expected': 2 });
  });

  it('adds tag items for new tags and deletes those removed, in the same transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.update({ ...ticket, tags: ['refund', 'vip'], version: 2 }, 1, [], ['refund', 'old']);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.slice(1).map((i) => i.Put?.Item?.sk ?? `delete ${i.Delete?.Key?.sk}`)).toEqual([
      'TAG#vip',
      'delete TAG#old',
    ]);
    expect(items[1]?.Put?.Item).toMatchObject({ gsi4pk: 'TG#vip', ticketId: 't1' });
  });
});

describe('ticket numbers', () => {
  it('come from an atomic ADD on the counter, starting at 1001', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { n: 1 } });
    await expect(repo.nextTicketNumber()).resolves.toBe(1001);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      UpdateExpression: 'ADD #n :one',
      ReturnValues: 'UPDATED_NEW',
    });
  });
});

describe('list query planning', () => {
  it.each([
    [{ status: 'open', departmentId: 'billing' }, 'gsi1', 'TD#billing', '5open#'],
    [{ status: 'open' }, 'gsi2', 'TALL', '5open#'],
    [{ assigneeId: 'a1', status: 'pending' }, 'gsi3', 'TA#a1', '4pending#'],
    [{ customerId: 'c1', status: 'open' }, 'gsi4', 'TC#c1', undefined],
    [{ departmentId: 'billing', priority: 'high' }, 'gsi1', 'TD#billing', undefined],
    [{}, 'gsi2', 'TALL', undefined],
  ] as const)('%o → %s %s %s', (query, index, partition, prefix) => {
    const plan = planTicketQuery({ limit: 25, ...query });
    expect(plan.index).toBe(index);
    expect(plan.partition).toBe(partition);
    expect(plan.sortPrefix).toBe(prefix);
  });

  it('never scans: a filtered list is a Query with a FilterExpression, paged until the page is full', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [],
        LastEvaluatedKey: { pk: 'TICKET#x', sk: 'TICKET', gsi2pk: 'TALL', gsi2sk: '5open#a' },
      })
      .resolvesOnce({ Items: [{ ...ticket, pk: 'TICKET#t1', sk: 'TICKET' }] });
    const page = await repo.list({ status: 'open', priority: 'high', limit: 1 });
    const calls = ddb.commandCalls(QueryCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toMatchObject({
      IndexName: 'gsi2',
      FilterExpression: '#f_priority = :f_priority',
      ScanIndexForward: false,
    });
    expect(calls[1]!.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'TICKET#x',
      sk: 'TICKET',
      gsi2pk: 'TALL',
      gsi2sk: '5open#a',
    });
    expect(page.items.map((t) => t.id)).toEqual(['t1']);
    expect(page.nextCursor).toBeNull();
  });
});

describe('cursors', () => {
  const key = { pk: 'TICKET#1', sk: 'TICKET', gsi2pk: 'TALL', gsi2sk: '5open#2026#1' };
  const expected = {
    partitionAttribute: 'gsi2pk',
    partitionValue: 'TALL',
    sortPrefix: { attribute: 'gsi2sk', prefix: '5open#' },
    attributes: ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
  };

  it('round-trip', () => {
    expect(decodeCursor(encodeCursor(key)!, expected)).toEqual(key);
  });

  it('refuse garbage and cursors of another partition', () => {
    expect(() => decodeCursor('not-a-cursor', expected)).toThrow(ValidationFailed);
    expect(() => decodeCursor(encodeCursor({ ...key, gsi2sk: '1closed#2026#1' })!, expected)).toThrow(
      ValidationFailed,
    );
    expect(() => decodeCursor(encodeCursor({ ...key, gsi2pk: 'TD#billing' })!, expected)).toThrow(
      ValidationFailed,
    );
    expect(() => decodeCursor(encodeCursor({ ...key, extra: 'x' })!, expected)).toThrow(ValidationFailed);
  });
});
