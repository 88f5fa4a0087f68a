import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DeskRoutingRule, DeskRoutingRuleSchema } from '../../domain/routing/desk-rules.js';
import type { LoadChange } from '../../domain/routing/load.js';
import type {
  AgentLoadRecord,
  RoundRobinCursor,
  RoutingStore,
  StoredRoutingRule,
} from '../../domain/routing/ports.js';
import { type Ticket, TicketSchema, type TicketStatus } from '../../domain/tickets/model.js';
import { statusOrderPrefix } from '../../domain/tickets/status.js';
import { cancellationCodes } from './errors.js';
import { keys, NONE } from './keys.js';
import { queryOrg } from './query-all.js';
import { claimStreamRecord, releaseStreamRecord, STREAM_CLAIM_TTL_SECONDS } from './stream-claims.js';
import { putAuditedVersion } from './versioned-put.js';

const BATCH_GET_LIMIT = 100;
const MAX_QUEUE_PAGES = 10;

/**
 * Routing and assignment storage: routing rules and round-robin cursors in
 * the organisation partition, agents' open-ticket counters in their own
 * partitions, and the unassigned queue (gsi3 `TA#_none`).
 */
export class DynamoRoutingRepository implements RoutingStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: routing rules — Query pk=ORG, begins_with(sk, 'ROUTINGRULE#'). */
  async listRules(): Promise<StoredRoutingRule[]> {
    const items = await queryOrg(this.client, this.tableName, 'ROUTINGRULE#');
    return items.map((item) => ({
      rule: DeskRoutingRuleSchema.parse({ ...(item.rule as object), version: item.version }),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    }));
  }

  /** Access pattern: save a routing rule — PutItem ORG / ROUTINGRULE#id, version-checked. */
  async putRule(
    rule: DeskRoutingRule,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    return putAuditedVersion(
      this.client,
      this.tableName,
      {
        key: keys.routingRule(rule.id),
        type: 'routingRule',
        body: (version) => ({ rule: { ...rule, version } }),
        what: 'Routing rule',
      },
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: a team's round-robin cursor — GetItem ORG / TEAMRR#team, strongly consistent. */
  async getCursor(teamId: string): Promise<RoundRobinCursor | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.teamRoundRobin(teamId), ConsistentRead: true }),
    );
    if (!result.Item) return null;
    return {
      cursor: typeof result.Item.cursor === 'string' ? result.Item.cursor : null,
      seq: Number(result.Item.seq ?? 0),
    };
  }

  /**
   * Access pattern: move a team's cursor (compare-and-set) — UpdateItem
   * ORG / TEAMRR#team if `seq` is still the one read (or the item is absent).
   */
  async advanceCursor(teamId: string, expectedSeq: number | null, agentId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.teamRoundRobin(teamId),
          UpdateExpression: 'SET #cursor = :cursor, #seq = :next, #type = :type, teamId = :team',
          ConditionExpression: expectedSeq === null ? 'attribute_not_exists(pk)' : '#seq = :expected',
          ExpressionAttributeNames: { '#cursor': 'cursor', '#seq': 'seq', '#type': 'type' },
          ExpressionAttributeValues: {
            ':cursor': agentId,
            ':next': (expectedSeq ?? 0) + 1,
            ':type': 'teamRoundRobin',
            ':team': teamId,
            ...(expectedSeq === null ? {} : { ':expected': expectedSeq }),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Access pattern: open-ticket counts of a team's agents — BatchGetItem AGENTLOAD#agent (up to 100 per call). */
  async getLoads(agentIds: readonly string[]): Promise<Map<string, AgentLoadRecord>> {
    const loads = new Map<string, AgentLoadRecord>();
    const ids = [...new Set(agentIds)];
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.tableName]: { Keys: ids.slice(start, start + BATCH_GET_LIMIT).map((id) => keys.agentLoad(id)) },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        const result = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[this.tableName] ?? []) {
          loads.set(String(item.agentId), {
            openCount: Math.max(0, Number(item.openCount ?? 0)),
            lastAssignedAt: typeof item.lastAssignedAt === 'string' ? item.lastAssignedAt : null,
          });
        }
        request = result.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length > 0) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        }
      }
    }
    return loads;
  }

  /**
   * Access pattern: open-ticket counters from one stream record, once —
   * TransactWriteItems: Put STREAMSEEN#load#eventId if absent + UpdateItem
   * `ADD openCount` (and `SET lastAssignedAt`) per agent the change concerns.
   */
  async applyLoadChanges(eventId: string, changes: readonly LoadChange[]): Promise<boolean> {
    if (changes.length === 0) return true;
    const ttl = Math.floor(Date.now() / 1000) + STREAM_CLAIM_TTL_SECONDS;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.streamSeen('load', eventId), ttl },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...changes.map((change) => ({
              Update: {
                TableName: this.tableName,
                Key: keys.agentLoad(change.agentId),
                UpdateExpression: `SET agentId = :agent, #type = :type${change.assignedAt ? ', lastAssignedAt = :at' : ''} ADD openCount :delta`,
                ExpressionAttributeNames: { '#type': 'type' },
                ExpressionAttributeValues: {
                  ':agent': change.agentId,
                  ':type': 'agentLoad',
                  ':delta': change.delta,
                  ...(change.assignedAt ? { ':at': change.assignedAt } : {}),
                },
              },
            })),
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
   * Access pattern: the unassigned queue of some teams, oldest first — Query
   * gsi3 `TA#_none`, begins_with the status prefix (new, then open),
   * ascending, FilterExpression teamId IN (...), at most ten pages each.
   */
  async oldestUnassigned(teamIds: readonly string[], limit: number): Promise<Ticket[]> {
    if (teamIds.length === 0 || limit <= 0) return [];
    const teams = [...new Set(teamIds)].slice(0, 50);
    const found: Ticket[] = [];
    for (const status of ['new', 'open'] as TicketStatus[]) {
      let lastKey: Record<string, unknown> | undefined;
      for (let page = 0; page < MAX_QUEUE_PAGES && found.length < limit; page++) {
        const result = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi3',
            KeyConditionExpression: 'gsi3pk = :pk AND begins_with(gsi3sk, :status)',
            FilterExpression: `teamId IN (${teams.map((_, i) => `:t${i}`).join(', ')})`,
            ExpressionAttributeValues: {
              ':pk': `TA#${NONE}`,
              ':status': statusOrderPrefix(status),
              ...Object.fromEntries(teams.map((t, i) => [`:t${i}`, t])),
            },
            ScanIndexForward: true,
            ExclusiveStartKey: lastKey,
          }),
        );
        for (const item of result.Items ?? []) {
          if (found.length < limit) found.push(TicketSchema.parse(item));
        }
        lastKey = result.LastEvaluatedKey;
        if (!lastKey) break;
      }
    }
    return found.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** Access pattern: claim a stream record for re-routing — PutItem STREAMSEEN#route#eventId if absent. */
  async claimRecord(eventId: string): Promise<boolean> {
    return claimStreamRecord(this.client, this.tableName, 'route', eventId);
  }

  /** Gives a re-routing claim back (DeleteItem) after a failure, so the retried record is routed again. */
  async releaseRecord(eventId: string): Promise<void> {
    await releaseStreamRecord(this.client, this.tableName, 'route', eventId);
  }
}
