import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuditEntry,
  AuditEntrySchema,
  type AuditLog,
  type AuditQuery,
} from '../../domain/audit/model.js';
import { ulidGenerator } from '../ids.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys } from './keys.js';

/**
 * The Put of one audit entry, for the transaction that makes the change it
 * describes. The entry sits under `entry` so its `type`/`id` never look like
 * the item's own (`type: 'audit'`) to the stream reactions.
 */
export function auditPut(tableName: string, entry: AuditEntry) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.auditEntry(entry.at, ulidGenerator.newId()), type: 'audit', entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The audit log, read newest first (`pk = AUDIT`, sort key `<ISO time>#<ulid>`). */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: audit log, newest first — Query pk=AUDIT, ScanIndexForward=false, one page. */
  async list(query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, {
          partitionAttribute: 'pk',
          partitionValue: keys.audit,
          attributes: ['pk', 'sk'],
        }),
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => AuditEntrySchema.parse(item.entry)),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  }
}
