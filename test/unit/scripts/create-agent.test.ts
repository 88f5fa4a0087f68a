import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CreateAgentArgsSchema, createAgent } from '../../../scripts/create-agent.js';

const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
const cognito = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const cfn = mockClient(cloudFormation);
const idp = mockClient(cognito);
const ddb = mockClient(documentClient);

beforeEach(() => {
  cfn.reset();
  idp.reset();
  ddb.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'Helpdesk' }).resolves({
    Stacks: [
      {
        StackName: 'Helpdesk',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'UserPoolId', OutputValue: 'eu-west-1_pool' }],
      },
    ],
  });
  cfn.on(DescribeStacksCommand, { StackName: 'HelpdeskData' }).resolves({
    Stacks: [
      {
        StackName: 'HelpdeskData',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [{ OutputKey: 'TableName', OutputValue: 'desk-table' }],
      },
    ],
  });
  idp.on(AdminCreateUserCommand).resolves({ User: { Attributes: [{ Name: 'sub', Value: 'sub-123' }] } });
  idp.on(AdminAddUserToGroupCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(TransactWriteCommand).resolves({});
});

describe('create-agent', () => {
  it('creates the Cognito user in the role’s group and the agent item keyed by its sub', async () => {
    const args = CreateAgentArgsSchema.parse({
      email: 'Ana@Example.com',
      name: 'Ana',
      role: 'admin',
      departments: 'general,billing',
    });
    await expect(createAgent({ cloudFormation, cognito, documentClient }, args)).resolves.toEqual({
      agentId: 'sub-123',
    });
    expect(idp.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).toMatchObject({
      UserPoolId: 'eu-west-1_pool',
      Username: 'ana@example.com',
    });
    expect(idp.commandCalls(AdminAddUserToGroupCommand)[0]!.args[0].input).toMatchObject({
      GroupName: 'admin',
      Username: 'ana@example.com',
    });
    expect(ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.sk)).toEqual([
      'DEPT#general',
      'DEPT#billing',
    ]);
    const agentItem = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(agentItem.TableName).toBe('desk-table');
    expect(agentItem.Item).toMatchObject({
      sk: 'AGENT#sub-123',
      role: 'admin',
      departmentIds: ['general', 'billing'],
      active: true,
    });
  });

  it('refuses bad arguments before touching AWS', () => {
    expect(CreateAgentArgsSchema.safeParse({ email: 'nope', name: 'A', role: 'admin' }).success).toBe(false);
    expect(CreateAgentArgsSchema.safeParse({ email: 'a@b.co', name: 'A', role: 'owner' }).success).toBe(
      false,
    );
    expect(
      CreateAgentArgsSchema.safeParse({ email: 'a@b.co', name: 'A', role: 'agent', departments: 'Bad Dept' })
        .success,
    ).toBe(false);
  });
});
