import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppContext, installAppContext } from '../../functions/composition/deps.js';
import { createTicket, updateTicket } from '../../functions/domain/tickets/use-cases.js';
import { handler } from '../../functions/events/stream-handler.js';
import { type StreamPoller, startStreamPoller } from '../../local/stream-poller.js';
import { eventually } from '../support/eventually.js';
import { freshTable } from './support.js';

let app: AppContext & { streamArn: string };
let poller: StreamPoller;
const delivered: DynamoDBStreamEvent[] = [];

beforeAll(async () => {
  app = await freshTable();
  installAppContext(app);
  poller = await startStreamPoller({
    endpoint: inject('dynamoEndpoint'),
    region: 'us-east-1',
    streamArn: app.streamArn,
    handler: async (event) => {
      delivered.push(event);
      return handler(event);
    },
  });
});

afterAll(async () => {
  await poller.stop();
});

const admin = { agentId: 'a', email: 'a@x.test', name: 'A', role: 'admin' as const, departmentIds: [] };

async function metric(): Promise<Record<string, unknown> | undefined> {
  const day = new Date().toISOString().slice(0, 10);
  const result = await app.documentClient.send(
    new GetCommand({ TableName: app.config.TABLE_NAME, Key: { pk: 'METRIC#tickets', sk: day } }),
  );
  return result.Item;
}

describe('the events handler fed by the table stream', () => {
  it('rolls up created and solved tickets from the stream, once per record even when redelivered', async () => {
    const { ticket } = await createTicket(app.deps, {
      subject: 'Stream me',
      description: 'x',
      customer: { email: 'stream@example.com' },
      channel: 'chat',
      createdBy: 'customer',
    });
    await updateTicket(app.deps, admin, ticket.id, { status: 'solved' });
    const rollup = await eventually(metric, {
      accept: (m) => m?.solved === 1 && m?.['created:chat'] === 1,
      what: 'roll-up',
    });
    expect(rollup).toMatchObject({ 'created:chat': 1, solved: 1 });

    // Lambda delivers at least once: hand every record seen so far to the handler again.
    for (const event of delivered) await handler(event);
    expect(await metric()).toMatchObject({ 'created:chat': 1, solved: 1 });
  });
});
