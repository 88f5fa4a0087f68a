import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MailLedger } from '../../domain/email/ports.js';
import { keys } from './keys.js';

/** Delivery claims live a week: long past any stream redelivery. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Replies to a mail can come years later; sent-message ids are kept for three. */
const SENT_MESSAGE_TTL_SECONDS = 3 * 366 * 24 * 60 * 60;

export class DynamoMailLedger implements MailLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: claim an outbound mail — PutItem DELIVERY#key if absent. */
  async claimDelivery(key: string, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.delivery(key),
            type: 'delivery',
            claimedAt: at.toISOString(),
            ttl: Math.floor(at.getTime() / 1000) + DELIVERY_TTL_SECONDS,
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

  async releaseDelivery(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.delivery(key) }));
  }

  /** Access pattern: is an address suppressed — GetItem SUPPRESS#address. */
  async isSuppressed(address: string): Promise<{ reason: string; at: string } | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.suppressedAddress(address.toLowerCase()) }),
    );
    return result.Item ? { reason: String(result.Item.reason), at: String(result.Item.at) } : null;
  }

  /** Access pattern: remember a sent message by the mail service's id — PutItem SENTMSG#id. */
  async recordSent(providerMessageId: string, ticketNumber: number, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.sentMessage(providerMessageId.toLowerCase()),
          type: 'sentMessage',
          ticketNumber,
          ttl: Math.floor(at.getTime() / 1000) + SENT_MESSAGE_TTL_SECONDS,
        },
      }),
    );
  }

  /** Access pattern: find a sent message by the mail service's id — GetItem SENTMSG#id. */
  async findSent(providerMessageId: string): Promise<number | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sentMessage(providerMessageId.toLowerCase()) }),
    );
    return typeof result.Item?.ticketNumber === 'number' ? result.Item.ticketNumber : null;
  }

  /** Access pattern: suppress an address (bounce/complaint) — PutItem SUPPRESS#address. */
  async suppress(address: string, reason: string, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.suppressedAddress(address.toLowerCase()),
          type: 'suppressedAddress',
          address: address.toLowerCase(),
          reason,
          at: at.toISOString(),
        },
      }),
    );
  }
}
