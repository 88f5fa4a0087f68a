/**
 * Agents' sign-in accounts for the directory API: Cognito when the function
 * knows the user pool (USER_POOL_ID, set by the CDK api construct), the local
 * login when the local runtime installed its own. Kept apart from deps.ts so
 * only the directory function bundles the Cognito client.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoAgentAccounts } from '../adapters/cognito/agent-accounts.js';
import type { AgentAccounts } from '../domain/agents/accounts.js';
import type { AppContext } from './deps.js';

export function agentAccounts(app: AppContext): AgentAccounts | undefined {
  if (app.accounts) return app.accounts;
  const { USER_POOL_ID, AWS_REGION } = app.config;
  if (!USER_POOL_ID) return undefined;
  app.accounts = new CognitoAgentAccounts(
    new CognitoIdentityProviderClient({ region: AWS_REGION }),
    USER_POOL_ID,
  );
  return app.accounts;
}
