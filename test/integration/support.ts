import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { readConfig } from '../../functions/composition/config.js';
import { type AppContext, createContext } from '../../functions/composition/deps.js';
import type { Agent } from '../../functions/domain/agents/model.js';
import { ensureTable } from '../../local/table.js';

/** A fresh table on the shared DynamoDB Local, wired with the production adapters. */
export async function freshTable(): Promise<AppContext & { streamArn: string }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `it-${randomUUID()}`;
  const admin = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const streamArn = await ensureTable(admin, tableName);
  admin.destroy();
  const app = createContext(
    readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' }),
  );
  return { ...app, streamArn };
}

const at = '2026-03-01T00:00:00.000Z';

export async function seedOrg(app: AppContext): Promise<void> {
  for (const id of ['general', 'billing', 'returns']) {
    await app.directory.createDepartment({
      id,
      name: id,
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
  }
  const agent: Agent = {
    id: 'a-bill',
    email: 'bill@x.test',
    name: 'Bill',
    role: 'agent',
    departmentIds: ['billing'],
    teamIds: [],
    active: true,
    availability: 'online',
    capacity: 20,
    skills: [],
    updatedBy: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  await app.directory.createAgent(agent);
}
