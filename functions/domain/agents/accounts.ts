import type { Role } from './model.js';

/**
 * Agents' sign-in accounts, apart from their directory records: Cognito on
 * AWS (functions/adapters/cognito), password hashes in the table for the
 * local runtime (local/accounts.ts).
 */
export interface AgentAccounts {
  /**
   * `local`: the desk keeps a password hash, so a new agent is created with a
   * password; `invited`: the identity provider mails the new agent a
   * temporary password, and the desk never sees one.
   */
  readonly passwords: 'local' | 'invited';
  /**
   * Creates the sign-in account in the role's group. Returns the id the
   * agent's record must have (Cognito's `sub`) and, locally, the password
   * hash to store with it. Throws Conflict when the account exists.
   */
  create(input: {
    email: string;
    name: string;
    role: Role;
    password?: string;
  }): Promise<{ agentId: string; credential?: string }>;
  /** Puts the account in the role's group and out of the others (idempotent). */
  setRole(account: { id: string; email: string }, role: Role): Promise<void>;
}
