import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../domain/ports.js';
import type { Clock } from '../../domain/shared/ports.js';
import { keys } from './keys.js';

/**
 * Fixed-window rate limit shared by every Lambda instance: one counter item per
 * bucket and window, incremented conditionally, expiring by TTL.
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  /** Access pattern: rate window — UpdateItem ADD hits on RATE#bucket#window if hits < limit. */
  async hit(
    bucket: string,
    limit: number,
    windowSeconds: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const window = Math.floor(nowSeconds / windowSeconds);
    const windowEnd = (window + 1) * windowSeconds;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.rateWindow(bucket, window),
          UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': windowEnd + 60 },
        }),
      );
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return { allowed: false, retryAfterSeconds: Math.max(1, windowEnd - nowSeconds) };
      }
      throw error;
    }
  }
}
