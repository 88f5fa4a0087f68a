import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyRecord, IdempotencyStore } from '../../domain/ports.js';
import { keys } from './keys.js';

/**
 * Reads Idempotency-Key claims. Claims are written inside the transaction that
 * creates the resource (see DynamoTicketRepository.create), so a key is either
 * unused or bound to a resource that exists: there is no in-progress state to
 * expire or to get stuck in.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: idempotency claim — GetItem IDEMPOTENCY#scope#key (consistent read). */
  async get(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }),
    );
    const item = result.Item;
    if (!item || typeof item.fingerprint !== 'string' || typeof item.resourceId !== 'string') return null;
    if (typeof item.ttl === 'number' && item.ttl * 1000 < Date.now()) return null;
    return { fingerprint: item.fingerprint, resourceId: item.resourceId };
  }
}
