import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CognitoAgentAccounts } from '../../../functions/adapters/cognito/agent-accounts.js';
import { Conflict } from '../../../functions/domain/shared/errors.js';

const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });
const idp = mockClient(client);
const accounts = new CognitoAgentAccounts(client, 'eu-west-1_pool');

beforeEach(() => {
  idp.reset();
  idp.on(AdminCreateUserCommand).resolves({ User: { Attributes: [{ Name: 'sub', Value: 'sub-9' }] } });
  idp.on(AdminAddUserToGroupCommand).resolves({});
  idp.on(AdminRemoveUserFromGroupCommand).resolves({});
});

describe('agents’ Cognito accounts', () => {
  it('invites the user by mail and puts them in their role’s group; the agent id is the sub', async () => {
    expect(accounts.passwords).toBe('invited');
    const created = await accounts.create({ email: 'nia@x.test', name: 'Nia', role: 'supervisor' });
    expect(created).toEqual({ agentId: 'sub-9' });
    expect(idp.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toMatchObject({
      UserPoolId: 'eu-west-1_pool',
      Username: 'nia@x.test',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: expect.arrayContaining([{ Name: 'name', Value: 'Nia' }]),
    });
    expect(idp.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'eu-west-1_pool', Username: 'sub-9', GroupName: 'supervisor' },
    ]);
  });

  it('answers Conflict when the sign-in account exists already', async () => {
    idp.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));
    await expect(accounts.create({ email: 'nia@x.test', name: 'Nia', role: 'agent' })).rejects.toThrow(
      Conflict,
    );
    expect(idp.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });

  it('moves a role: into the new group, out of the others', async () => {
    await accounts.setRole({ id: 'sub-9' }, 'admin');
    expect(idp.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input.GroupName)).toEqual([
      'admin',
    ]);
    expect(idp.commandCalls(AdminRemoveUserFromGroupCommand).map((c) => c.args[0].input.GroupName)).toEqual([
      'supervisor',
      'agent',
    ]);
  });
});
