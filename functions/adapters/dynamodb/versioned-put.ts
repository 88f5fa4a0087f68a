import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { auditEntryFor } from '../../domain/audit/model.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import { auditPut } from './audit-log.js';
import { cancellationCodes } from './errors.js';

/**
 * The condition of a version-checked write: the item must not exist yet
 * (`expectedVersion` null) or must still carry `expectedVersion`.
 */
export function versionCondition(expectedVersion: number | null) {
  return expectedVersion === null
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };
}

/** PutItem on condition of `versionCondition`; a lost race throws VersionConflict naming `what`. */
export async function putIfVersion(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number | null,
  what: string,
): Promise<void> {
  try {
    await client.send(
      new PutCommand({ TableName: tableName, Item: item, ...versionCondition(expectedVersion) }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new VersionConflict(what, expectedVersion ?? 0);
    }
    throw error;
  }
}

/**
 * Saves a desk setting (policy, calendar, rule, macro...) as the next version
 * of `expectedVersion` (1 for a new one), recording who saved it and when;
 * `body` gets the new version to embed where the setting keeps its own.
 * The setting's Put (version-checked) and an audit entry naming what changed
 * against the stored version are one transaction. Returns the new version; a
 * stale `expectedVersion` or a lost race throws VersionConflict.
 */
export async function putAuditedVersion(
  client: DynamoDBDocumentClient,
  tableName: string,
  setting: {
    key: Record<string, string>;
    type: string;
    body: (version: number) => Record<string, unknown>;
    what: string;
  },
  expectedVersion: number | null,
  by: string,
  at: Date,
): Promise<number> {
  const version = (expectedVersion ?? 0) + 1;
  const item = {
    ...setting.key,
    type: setting.type,
    ...setting.body(version),
    version,
    updatedAt: at.toISOString(),
    updatedBy: by,
  };
  // The stored version, for the audit's "what changed": if it is not the expected one, the Put would fail anyway.
  const stored = await client.send(
    new GetCommand({ TableName: tableName, Key: setting.key, ConsistentRead: true }),
  );
  const previous = stored.Item ?? null;
  const storedVersion = previous ? Number(previous.version) : null;
  if (storedVersion !== expectedVersion) {
    throw new VersionConflict(setting.what, expectedVersion ?? 0, storedVersion ?? undefined);
  }
  const sk = setting.key.sk ?? '';
  const entry = auditEntryFor(
    { type: setting.type, id: sk.slice(sk.indexOf('#') + 1), version },
    previous,
    item,
    by,
    item.updatedAt,
  );
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: item, ...versionCondition(expectedVersion) } },
          auditPut(tableName, entry),
        ],
      }),
    );
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.[0] === 'ConditionalCheckFailed' || codes?.[0] === 'TransactionConflict') {
      throw new VersionConflict(setting.what, expectedVersion ?? 0);
    }
    throw error;
  }
  return version;
}
