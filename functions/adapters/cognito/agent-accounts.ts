import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AgentAccounts } from '../../domain/agents/accounts.js';
import { ROLES, type Role } from '../../domain/agents/model.js';
import { Conflict } from '../../domain/shared/errors.js';

/**
 * Agents' accounts in the Cognito user pool, as `npm run create-agent` makes
 * them: the user (email as sign-in name, invited by mail with a temporary
 * password) in the group of their role. The agent's id is the user's `sub`,
 * which the API reads from the token.
 */
export class CognitoAgentAccounts implements AgentAccounts {
  readonly passwords = 'invited' as const;

  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async create(input: { email: string; name: string; role: Role }): Promise<{ agentId: string }> {
    let sub: string | undefined;
    try {
      const created = await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: input.email,
          UserAttributes: [
            { Name: 'email', Value: input.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: input.name },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (error) {
      if ((error as { name?: string }).name === 'UsernameExistsException') {
        throw new Conflict(`A sign-in account for ${input.email} already exists`);
      }
      throw error;
    }
    if (!sub) throw new Error('Cognito did not return the new user’s sub');
    await this.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: sub, GroupName: input.role }),
    );
    return { agentId: sub };
  }

  async setRole(account: { id: string }, role: Role): Promise<void> {
    await this.client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: account.id, GroupName: role }),
    );
    for (const other of ROLES.filter((r) => r !== role)) {
      await this.client.send(
        new AdminRemoveUserFromGroupCommand({
          UserPoolId: this.userPoolId,
          Username: account.id,
          GroupName: other,
        }),
      );
    }
  }
}
