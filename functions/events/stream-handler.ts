/**
 * The events handler: reacts to every change of the table, read from its
 * stream (DynamoDB Streams on AWS, the local stream poller locally). The write
 * is the outbox, so nothing that was saved goes unreacted-to.
 *
 * Reactions today: daily roll-ups of tickets created per channel and tickets
 * solved, the base of the reports. Each stream record is applied once: the
 * roll-up increment and a marker of the record's id are one transaction.
 */

import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { appContext } from '../composition/deps.js';
import { recordRollups } from './rollups.js';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await processRecord(record);
    } catch (error) {
      console.error(
        JSON.stringify({
          level: 'error',
          message: 'stream record failed',
          eventID: record.eventID,
          error: String(error),
        }),
      );
      // Stop here: the batch resumes from this record, keeping per-item order.
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      break;
    }
  }
  return { batchItemFailures: failures };
}

async function processRecord(record: DynamoDBRecord): Promise<void> {
  const image = (raw: unknown) => (raw ? unmarshall(raw as Parameters<typeof unmarshall>[0]) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  if (newImage?.type !== 'ticket' && oldImage?.type !== 'ticket') return;
  const { documentClient, config } = appContext();
  await recordRollups(documentClient, config.TABLE_NAME, record.eventID ?? '', oldImage, newImage);
}
