import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeTime } from 'ulid';
import {
  AGENT_NOTIFICATION_KINDS,
  type AgentNotification,
  type AgentNotificationFeed,
  type AgentNotificationKind,
  type AgentNotificationStore,
  MAX_UNREAD_COUNT,
  type NewAgentNotification,
  NOTIFICATION_TTL_DAYS,
} from '../../domain/agents/notifications.js';
import { deterministicUlid } from '../ids.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const TTL_SECONDS = NOTIFICATION_TTL_DAYS * 24 * 60 * 60;
/** The claim that makes an item unique outlives the item (a redelivery comes within days). */
const CLAIM_TTL_SECONDS = TTL_SECONDS + 24 * 60 * 60;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** After every ISO time and ULID character: the upper end of a key range. */
const HIGH = '~';
const UNREAD_PAGES = 5;

/** The ISO time an item id (a ULID) was made for: the item's sort key holds it. */
export function notificationTime(id: string): string | null {
  if (!ULID.test(id)) return null;
  try {
    return new Date(decodeTime(id)).toISOString();
  } catch {
    return null;
  }
}

/**
 * Agents' notification feeds: `AGENT#<agent> / NOTIF#<time>#<ulid>` (TTL 30
 * days) next to `AGENT#<agent> / NOTIFSTATE` (read up to when). Each item is
 * written in one transaction with a claim on its dedupe key
 * (`DELIVERY#feed#<key>`), so a redelivered stream record writes nothing twice.
 */
export class DynamoAgentNotificationRepository implements AgentNotificationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: add a feed item once — TransactWriteItems: Put DELIVERY#feed#key if absent + Put the item. */
  async add(notification: NewAgentNotification): Promise<boolean> {
    const at = notification.at.toISOString();
    const id = deterministicUlid(notification.at, notification.dedupeKey);
    const epoch = Math.floor(notification.at.getTime() / 1000);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.delivery(`feed#${notification.dedupeKey}`),
                  type: 'delivery',
                  claimedAt: at,
                  ttl: epoch + CLAIM_TTL_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.agentNotification(notification.agentId, at, id),
                  type: 'agentNotification',
                  id,
                  at,
                  kind: notification.kind,
                  ticketId: notification.ticket.id,
                  ticketNumber: notification.ticket.number,
                  subject: notification.ticket.subject,
                  text: notification.text,
                  ttl: epoch + TTL_SECONDS,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /**
   * Access pattern: an agent's feed — GetItem NOTIFSTATE (consistent), Query
   * pk=AGENT#agent, sk between NOTIF#<30 days ago> and NOTIF#~, newest first,
   * `limit` items; unread: the same Query from the later of "read up to" and
   * 30 days ago, filtered on no `read`, Select COUNT (≤ 5 pages, ≤ 100).
   */
  async list(agentId: string, limit: number, now: Date): Promise<AgentNotificationFeed> {
    const readUpTo = await this.readUpTo(agentId);
    const cutoff = new Date(now.getTime() - NOTIFICATION_TTL_DAYS * DAY_MS).toISOString();
    const prefix = keys.agentNotificationPrefix;
    const pk = keys.agentNotificationState(agentId).pk;
    const [page, unread] = await Promise.all([
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk, ':from': `${prefix}${cutoff}`, ':to': `${prefix}${HIGH}` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
      this.countUnread(
        pk,
        readUpTo && readUpTo >= cutoff ? `${prefix}${readUpTo}#${HIGH}` : `${prefix}${cutoff}`,
      ),
    ]);
    const items = (page.Items ?? []).map((item) => itemOf(item, readUpTo));
    return { items, unread };
  }

  /**
   * Access pattern: mark feed items read — UpdateItem SET read on each named
   * item if it exists; or, for all, UpdateItem NOTIFSTATE SET readUpTo = now
   * (only forward).
   */
  async markRead(agentId: string, ids: readonly string[] | null, now: Date): Promise<void> {
    if (ids === null) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.agentNotificationState(agentId),
            UpdateExpression: 'SET #type = :type, readUpTo = :now',
            ConditionExpression: 'attribute_not_exists(readUpTo) OR readUpTo < :now',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':type': 'agentNotificationState', ':now': now.toISOString() },
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
      return;
    }
    await Promise.all(
      [...new Set(ids)].map(async (id) => {
        const at = notificationTime(id);
        if (!at) return;
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.agentNotification(agentId, at, id),
              UpdateExpression: 'SET #read = :true',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#read': 'read' },
              ExpressionAttributeValues: { ':true': true },
            }),
          );
        } catch (error) {
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        }
      }),
    );
  }

  private async readUpTo(agentId: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.agentNotificationState(agentId),
        ConsistentRead: true,
      }),
    );
    return typeof result.Item?.readUpTo === 'string' ? result.Item.readUpTo : null;
  }

  private async countUnread(pk: string, from: string): Promise<number> {
    let count = 0;
    let lastKey: Record<string, unknown> | undefined;
    for (let page = 0; page < UNREAD_PAGES && count < MAX_UNREAD_COUNT; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          FilterExpression: 'attribute_not_exists(#read)',
          ExpressionAttributeNames: { '#read': 'read' },
          ExpressionAttributeValues: {
            ':pk': pk,
            ':from': from,
            ':to': `${keys.agentNotificationPrefix}${HIGH}`,
          },
          Select: 'COUNT',
          ExclusiveStartKey: lastKey,
        }),
      );
      count += result.Count ?? 0;
      lastKey = result.LastEvaluatedKey;
      if (!lastKey) break;
    }
    return Math.min(count, MAX_UNREAD_COUNT);
  }
}

function itemOf(item: Record<string, unknown>, readUpTo: string | null): AgentNotification {
  const at = String(item.at);
  const kind = AGENT_NOTIFICATION_KINDS.includes(item.kind as AgentNotificationKind)
    ? (item.kind as AgentNotificationKind)
    : 'rule';
  return {
    id: String(item.id),
    at,
    kind,
    ticketId: String(item.ticketId),
    ticketNumber: Number(item.ticketNumber),
    subject: String(item.subject ?? ''),
    text: String(item.text ?? ''),
    read: item.read === true || (readUpTo !== null && at <= readUpTo),
  };
}
