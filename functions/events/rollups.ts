import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes } from '../adapters/dynamodb/errors.js';
import { keys } from '../adapters/dynamodb/keys.js';

const MARKER_TTL_SECONDS = 2 * 24 * 60 * 60;

interface TicketImage {
  status?: unknown;
  channel?: unknown;
  createdAt?: unknown;
  updatedAt?: unknown;
}

/** The daily counters a ticket change moves: `created:<channel>` on insert, `solved` when it becomes solved. */
export function rollupsFor(
  oldImage: TicketImage | undefined,
  newImage: TicketImage | undefined,
): { day: string; counter: string }[] {
  const out: { day: string; counter: string }[] = [];
  if (!oldImage && newImage && typeof newImage.createdAt === 'string') {
    out.push({ day: newImage.createdAt.slice(0, 10), counter: `created:${String(newImage.channel)}` });
  }
  if (
    oldImage &&
    newImage &&
    newImage.status === 'solved' &&
    oldImage.status !== 'solved' &&
    typeof newImage.updatedAt === 'string'
  ) {
    out.push({ day: newImage.updatedAt.slice(0, 10), counter: 'solved' });
  }
  return out;
}

/**
 * Access pattern: daily roll-up — TransactWriteItems: Put STREAMSEEN#eventId
 * (once) + UpdateItem ADD on METRIC#tickets / day. A redelivered record finds
 * its marker and changes nothing.
 */
export async function recordRollups(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventId: string,
  oldImage: TicketImage | undefined,
  newImage: TicketImage | undefined,
): Promise<void> {
  const changes = rollupsFor(oldImage, newImage);
  if (changes.length === 0) return;
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName,
              Item: {
                pk: `STREAMSEEN#${eventId}`,
                sk: 'STREAMSEEN',
                ttl: Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...changes.map(({ day, counter }) => ({
            Update: {
              TableName: tableName,
              Key: keys.metric('tickets', day),
              UpdateExpression: 'ADD #counter :one',
              ExpressionAttributeNames: { '#counter': counter },
              ExpressionAttributeValues: { ':one': 1 },
            },
          })),
        ],
      }),
    );
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return; // already applied
    throw error;
  }
}
