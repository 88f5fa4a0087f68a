import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';

/** Every item of a Query, following LastEvaluatedKey (for small, bounded partitions only). */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let lastKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: lastKey }));
    items.push(...(result.Items ?? []));
    lastKey = result.LastEvaluatedKey;
  } while (lastKey);
  return items;
}

/** The organisation partition's items of one kind: Query pk=ORG, begins_with(sk, prefix). */
export function queryOrg(
  client: DynamoDBDocumentClient,
  tableName: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  return queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.org, ':prefix': prefix },
  });
}
