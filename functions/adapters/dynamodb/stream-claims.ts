import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';

/** Claims outlive any stream redelivery (records are kept 24 h) with a margin. */
export const STREAM_CLAIM_TTL_SECONDS = 2 * 24 * 60 * 60;

/**
 * Claims a stream record for one reaction (`rules`, `route`...): PutItem
 * `STREAMSEEN#<reaction>#<eventId>` if absent. True for the first caller,
 * false when the record was already claimed (a redelivery).
 */
export async function claimStreamRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  reaction: string,
  eventId: string,
): Promise<boolean> {
  try {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.streamSeen(reaction, eventId),
          ttl: Math.floor(Date.now() / 1000) + STREAM_CLAIM_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Gives a claim back (DeleteItem) after a failure, so the retried record runs the reaction again. */
export async function releaseStreamRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  reaction: string,
  eventId: string,
): Promise<void> {
  await client.send(new DeleteCommand({ TableName: tableName, Key: keys.streamSeen(reaction, eventId) }));
}
