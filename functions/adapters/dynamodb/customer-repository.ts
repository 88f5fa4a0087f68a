import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Customer, CustomerSchema, type Identity } from '../../domain/customers/model.js';
import type { CustomerRepository } from '../../domain/ports.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';

export function customerItem(customer: Customer): Record<string, unknown> {
  return { ...keys.customer(customer.id), type: 'customer', ...customer };
}

/** The uniqueness guard of an identity: at most one item per email/phone/handle, naming its customer. */
export function identityItem(identity: Identity, customerId: string): Record<string, unknown> {
  return {
    ...keys.identity(identity),
    type: 'identity',
    identityType: identity.type,
    value: identity.value,
    customerId,
  };
}

export class DynamoCustomerRepository implements CustomerRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: get customer — GetItem CUSTOMER#id / CUSTOMER. */
  async get(id: string): Promise<Customer | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.customer(id) }),
    );
    return result.Item ? CustomerSchema.parse(result.Item) : null;
  }

  /** Access pattern: customer by email/phone/handle — GetItem IDENTITY#type#value, then GetItem customer. */
  async findByIdentity(identity: Identity): Promise<Customer | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.identity(identity) }),
    );
    const customerId = result.Item?.customerId;
    return typeof customerId === 'string' ? this.get(customerId) : null;
  }

  /** Access pattern: merge customers — TransactWriteItems: both customers version-checked, identity items re-pointed. */
  async saveMerge(
    survivor: Customer,
    merged: Customer,
    expected: { survivor: number; merged: number },
  ): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: customerItem(survivor),
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': expected.survivor },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: customerItem(merged),
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': expected.merged },
              },
            },
            ...survivor.identities.map((identity) => ({
              Put: { TableName: this.tableName, Item: identityItem(identity, survivor.id) },
            })),
          ],
        }),
      );
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[0] === 'ConditionalCheckFailed') throw new VersionConflict('Customer', expected.survivor);
      if (codes?.[1] === 'ConditionalCheckFailed') throw new VersionConflict('Customer', expected.merged);
      throw error;
    }
  }
}
