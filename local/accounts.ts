/**
 * Sign-in accounts of the local desk, standing in for Cognito: a new agent
 * gets a fresh id and a scrypt hash of the password the admin chose, stored
 * with the agent's record (`POST /local/login` checks it). Roles travel in
 * the tokens the local login issues from the agent's record, so moving a
 * role needs nothing here.
 */
import { ulidGenerator } from '../functions/adapters/ids.js';
import type { AgentAccounts } from '../functions/domain/agents/accounts.js';
import { hashPassword } from './auth.js';

export function localAgentAccounts(): AgentAccounts {
  return {
    passwords: 'local',
    async create(input) {
      if (!input.password) throw new Error('the local desk needs a password for a new agent');
      return {
        agentId: `agent-${ulidGenerator.newId().toLowerCase()}`,
        credential: await hashPassword(input.password),
      };
    },
    async setRole() {},
  };
}
