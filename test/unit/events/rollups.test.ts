import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyRollups, RECORDS_PER_TRANSACTION, rollupsFor } from '../../../functions/events/rollups.js';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(client);
beforeEach(() => ddb.reset());

describe('rollupsFor', () => {
  it('counts a new ticket by channel on its creation day, and a move to solved once', () => {
    expect(
      rollupsFor(undefined, { createdAt: '2026-03-02T23:59:00Z', channel: 'email', status: 'new' }),
    ).toEqual([{ day: '2026-03-02', counter: 'created:email' }]);
    expect(rollupsFor({ status: 'open' }, { status: 'solved', updatedAt: '2026-03-03T08:00:00Z' })).toEqual([
      { day: '2026-03-03', counter: 'solved' },
    ]);
    expect(rollupsFor({ status: 'solved' }, { status: 'solved', updatedAt: '2026-03-03T09:00:00Z' })).toEqual(
      [],
    );
    expect(rollupsFor({ status: 'open' }, undefined)).toEqual([]);
  });
});

describe('applyRollups', () => {
  const record = (i: number, counter = 'created:web', day = '2026-03-02') => ({
    eventId: `e${i}`,
    changes: [{ day, counter }],
  });

  it('applies many records in few transactions, one marker per record and summed counters per day', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const records = [
      ...Array.from({ length: 44 }, (_, i) => record(i)),
      record(44, 'solved', '2026-03-03'),
      { eventId: 'skip', changes: [] },
    ];
    await applyRollups(client, 'desk', records);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(2);
    const first = calls[0]!.args[0].input.TransactItems!;
    expect(first.filter((i) => i.Put)).toHaveLength(RECORDS_PER_TRANSACTION);
    expect(first.at(-1)?.Update).toMatchObject({
      Key: { pk: 'METRIC#tickets', sk: '2026-03-02' },
      ExpressionAttributeValues: { ':n0': 40 },
    });
    const second = calls[1]!.args[0].input.TransactItems!;
    expect(second.filter((i) => i.Put).map((i) => i.Put?.Item?.pk)).toEqual([
      'STREAMSEEN#e40',
      'STREAMSEEN#e41',
      'STREAMSEEN#e42',
      'STREAMSEEN#e43',
      'STREAMSEEN#e44',
    ]);
    expect(
      second.filter((i) => i.Update).map((i) => [i.Update?.Key?.sk, i.Update?.ExpressionAttributeValues]),
    ).toEqual([
      ['2026-03-02', { ':n0': 4 }],
      ['2026-03-03', { ':n0': 1 }],
    ]);
  });

  it('falls back to one record at a time when a chunk holds an already applied record, skipping only that one', async () => {
    const seen = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed' },
        { Code: 'None' },
        { Code: 'None' },
      ],
    });
    const seenAlone = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
    });
    ddb.on(TransactWriteCommand).rejectsOnce(seen).resolvesOnce({}).rejectsOnce(seenAlone).resolvesOnce({});
    await applyRollups(client, 'desk', [record(1), record(2), record(3)]);
    const calls = ddb
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems!.filter((i) => i.Put).map((i) => i.Put?.Item?.pk));
    expect(calls).toEqual([
      ['STREAMSEEN#e1', 'STREAMSEEN#e2', 'STREAMSEEN#e3'],
      ['STREAMSEEN#e1'],
      ['STREAMSEEN#e2'],
      ['STREAMSEEN#e3'],
    ]);
  });

  it('lets other failures surface so the batch is retried', async () => {
    ddb.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(applyRollups(client, 'desk', [record(1)])).rejects.toThrow('throttled');
  });
});
