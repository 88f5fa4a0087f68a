import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflict } from '../../domain/shared/errors.js';

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
 * Returns the new version; a lost race throws VersionConflict.
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
  await putIfVersion(client, tableName, item, expectedVersion, setting.what);
  return version;
}
