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
