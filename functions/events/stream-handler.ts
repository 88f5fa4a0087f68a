/**
 * The events handler: reacts to every change of the table, read from its
 * stream (DynamoDB Streams on AWS, the local stream poller locally). The write
 * is the outbox, so nothing that was saved goes unreacted-to.
 *
 * Reactions today: daily roll-ups of tickets created per channel and tickets
 * solved, the base of the reports, applied once per stream record even when
 * Lambda delivers a batch again.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { appContext } from '../composition/deps.js';
import { applyRollups, type RecordRollups, rollupsFor } from './rollups.js';

type Image = Parameters<typeof unmarshall>[0];

function ticketRollups(record: DynamoDBRecord): RecordRollups {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Image) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  const isTicket = newImage?.type === 'ticket' || oldImage?.type === 'ticket';
  return { eventId: record.eventID ?? '', changes: isTicket ? rollupsFor(oldImage, newImage) : [] };
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const { documentClient, config } = appContext();
  try {
    await applyRollups(documentClient, config.TABLE_NAME, event.Records.map(ticketRollups));
    return { batchItemFailures: [] };
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'stream batch failed', error: String(error) }));
    // Retry the whole batch: records already applied are recognised by their markers.
    const first = event.Records[0];
    return {
      batchItemFailures: first
        ? [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? first.eventID ?? '' }]
        : [],
    };
  }
}
