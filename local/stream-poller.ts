/**
 * Reads the table's stream from DynamoDB Local and feeds it, in batches of
 * Lambda's own event shape, to the same events handler that DynamoDB Streams
 * invokes on AWS. Keeps a checkpoint per shard in the data folder, so a
 * restart resumes where it stopped and nothing is reacted to twice.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

interface ShardState {
  iterator: string | undefined;
  finished: boolean;
}

export interface StreamPoller {
  stop(): Promise<void>;
  /** Records delivered to the handler so far. */
  readonly delivered: number;
}

export async function startStreamPoller(options: {
  endpoint: string;
  region: string;
  streamArn: string;
  handler: StreamHandler;
  /** JSON file for shard checkpoints; omit to start at the stream's tip (tests). */
  checkpointFile?: string;
  idleMillis?: number;
  onError?: (error: unknown) => void;
}): Promise<StreamPoller> {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const idle = options.idleMillis ?? 100;
  const checkpoints: Record<string, string> =
    options.checkpointFile && existsSync(options.checkpointFile)
      ? JSON.parse(readFileSync(options.checkpointFile, 'utf8'))
      : {};
  const hadCheckpoints = options.checkpointFile !== undefined;
  const shards = new Map<string, ShardState>();
  let running = true;
  let delivered = 0;

  const iteratorFor = async (shardId: string, isNew: boolean): Promise<string | undefined> => {
    const last = checkpoints[shardId];
    const type: ShardIteratorType = last
      ? 'AFTER_SEQUENCE_NUMBER'
      : hadCheckpoints || isNew
        ? 'TRIM_HORIZON'
        : 'LATEST';
    const result = await client.send(
      new GetShardIteratorCommand({
        StreamArn: options.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(last ? { SequenceNumber: last } : {}),
      }),
    );
    return result.ShardIterator;
  };

  const discoverShards = async (initial: boolean) => {
    const description = await client.send(new DescribeStreamCommand({ StreamArn: options.streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || shards.has(shard.ShardId)) continue;
      shards.set(shard.ShardId, { iterator: await iteratorFor(shard.ShardId, !initial), finished: false });
    }
  };

  const saveCheckpoints = () => {
    if (options.checkpointFile) writeFileSync(options.checkpointFile, JSON.stringify(checkpoints));
  };

  const deliver = async (shardId: string, records: StreamRecord[]): Promise<string | undefined> => {
    const event: DynamoDBStreamEvent = {
      Records: records.map((record) => ({
        eventID: record.eventID,
        eventName: record.eventName,
        eventSource: 'aws:dynamodb',
        eventVersion: record.eventVersion,
        awsRegion: options.region,
        eventSourceARN: options.streamArn,
        dynamodb: {
          ...(record.dynamodb as NonNullable<DynamoDBStreamEvent['Records'][number]['dynamodb']>),
          ApproximateCreationDateTime: record.dynamodb?.ApproximateCreationDateTime
            ? Math.floor(new Date(record.dynamodb.ApproximateCreationDateTime).getTime() / 1000)
            : undefined,
        },
      })),
    };
    const response = await options.handler(event);
    const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
    const done = failed
      ? records.slice(
          0,
          records.findIndex((r) => r.dynamodb?.SequenceNumber === failed),
        )
      : records;
    delivered += done.length;
    const last = done.at(-1)?.dynamodb?.SequenceNumber;
    if (last) {
      checkpoints[shardId] = last;
      saveCheckpoints();
    }
    return failed;
  };

  await discoverShards(true);
  let rounds = 0;
  const loop = (async () => {
    while (running) {
      let sawRecords = false;
      try {
        if (++rounds % 20 === 0) await discoverShards(false);
        for (const [shardId, state] of shards) {
          if (state.finished || !state.iterator || !running) continue;
          const result = await client.send(
            new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 100 }),
          );
          const records = result.Records ?? [];
          if (records.length > 0) {
            sawRecords = true;
            const failed = await deliver(shardId, records);
            if (failed) {
              // Retry from the failed record after a pause, as Lambda's event source mapping would.
              state.iterator = await iteratorFor(shardId, false);
              await new Promise((r) => setTimeout(r, 1000));
              continue;
            }
          }
          state.iterator = result.NextShardIterator;
          if (!state.iterator) state.finished = true;
        }
      } catch (error) {
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 1000));
      }
      if (!sawRecords && running) await new Promise((r) => setTimeout(r, idle));
    }
  })();

  return {
    get delivered() {
      return delivered;
    },
    stop: async () => {
      running = false;
      await loop;
      client.destroy();
    },
  };
}
