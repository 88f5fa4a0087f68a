import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type BusinessCalendar, BusinessCalendarSchema } from '../../domain/business-hours/calendar.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import { type SlaPolicy, SlaPolicySchema } from '../../domain/sla/policy.js';
import { type SlaRecord, SlaRecordSchema } from '../../domain/sla/record.js';
import { type Ticket, TicketSchema } from '../../domain/tickets/model.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys } from './keys.js';
import { queryOrg } from './query-all.js';
import { putAuditedVersion, putIfVersion } from './versioned-put.js';

/** The at-risk view: one sparse partition of gsi1 holding the SLA records with a running target. */
export const AT_RISK_PARTITION = 'SLADUE';

export interface VersionedPolicy {
  policy: SlaPolicy;
  version: number;
  updatedAt: string;
  updatedBy: string;
}
export interface VersionedCalendar {
  calendar: BusinessCalendar;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/**
 * SLA storage: per ticket, the SLA record next to the ticket item
 * (`TICKET#id / SLA`); desk-wide, SLA policies and business-hours calendars in
 * the organisation partition. A record with a running target also sits in the
 * sparse at-risk partition of gsi1, sorted by its next due time.
 */
export class DynamoSlaRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: get a ticket's SLA — GetItem TICKET#id / SLA. */
  async get(ticketId: string): Promise<SlaRecord | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.sla(ticketId) }),
    );
    return result.Item ? SlaRecordSchema.parse(result.Item) : null;
  }

  /** Access pattern: save a ticket's SLA — PutItem TICKET#id / SLA if its version is unchanged. */
  async save(record: SlaRecord, expectedVersion: number | null): Promise<void> {
    const running = record.nextDueAt !== null;
    const item = {
      ...keys.sla(record.ticketId),
      type: 'sla',
      ...record,
      ...(running ? { gsi1pk: AT_RISK_PARTITION, gsi1sk: `${record.nextDueAt}#${record.ticketId}` } : {}),
    };
    await putIfVersion(this.client, this.tableName, item, expectedVersion, 'SLA');
  }

  /** Access pattern: drop a ticket's SLA (no policy applies any more) — DeleteItem TICKET#id / SLA if its version is unchanged. */
  async delete(ticketId: string, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.sla(ticketId),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new VersionConflict('SLA', expectedVersion);
      }
      throw error;
    }
  }

  /**
   * Access pattern: at-risk / breached view — Query gsi1 pk=SLADUE in due order
   * (optionally up to a due time), then BatchGetItem the tickets.
   */
  async listRunning(options: {
    limit: number;
    cursor?: string;
    dueBefore?: string;
  }): Promise<{ items: { sla: SlaRecord; ticket: Ticket }[]; nextCursor: string | null }> {
    const startKey = decodeCursor(options.cursor, {
      partitionAttribute: 'gsi1pk',
      partitionValue: AT_RISK_PARTITION,
      attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    });
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: options.dueBefore ? 'gsi1pk = :pk AND gsi1sk < :before' : 'gsi1pk = :pk',
        ExpressionAttributeValues: {
          ':pk': AT_RISK_PARTITION,
          ...(options.dueBefore ? { ':before': `${options.dueBefore}~` } : {}),
        },
        Limit: options.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const records = (result.Items ?? []).map((item) => SlaRecordSchema.parse(item));
    const tickets = await this.batchTickets(records.map((r) => r.ticketId));
    return {
      items: records.flatMap((sla) => {
        const ticket = tickets.get(sla.ticketId);
        return ticket ? [{ sla, ticket }] : [];
      }),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  private async batchTickets(ids: string[]): Promise<Map<string, Ticket>> {
    const found = new Map<string, Ticket>();
    let pending: Record<string, unknown>[] = ids.map((id) => keys.ticket(id));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending.slice(0, 100) } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const ticket = TicketSchema.parse(item);
        found.set(ticket.id, ticket);
      }
      pending = [...(result.UnprocessedKeys?.[this.tableName]?.Keys ?? []), ...pending.slice(100)];
    }
    return found;
  }

  /** Access pattern: list SLA policies — Query pk=ORG, begins_with(sk, 'SLAPOLICY#'). */
  async listPolicies(): Promise<VersionedPolicy[]> {
    return (await queryOrg(this.client, this.tableName, 'SLAPOLICY#')).map((item) => ({
      policy: SlaPolicySchema.parse(item.policy),
      version: Number(item.version),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    }));
  }

  /** Access pattern: list business calendars — Query pk=ORG, begins_with(sk, 'CALENDAR#'). */
  async listCalendars(): Promise<VersionedCalendar[]> {
    return (await queryOrg(this.client, this.tableName, 'CALENDAR#')).map((item) => ({
      calendar: BusinessCalendarSchema.parse(item.calendar),
      version: Number(item.version),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    }));
  }

  /** Access pattern: save an SLA policy — PutItem ORG / SLAPOLICY#id, version-checked. */
  async putPolicy(policy: SlaPolicy, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    return putAuditedVersion(
      this.client,
      this.tableName,
      { key: keys.slaPolicy(policy.id), type: 'SLA policy', body: () => ({ policy }), what: 'SLA policy' },
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: save a business calendar — PutItem ORG / CALENDAR#id, version-checked. */
  async putCalendar(
    calendar: BusinessCalendar,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    return putAuditedVersion(
      this.client,
      this.tableName,
      { key: keys.calendar(calendar.id), type: 'Calendar', body: () => ({ calendar }), what: 'Calendar' },
      expectedVersion,
      by,
      at,
    );
  }
}
