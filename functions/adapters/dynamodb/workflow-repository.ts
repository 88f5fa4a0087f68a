import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Macro, MacroSchema } from '../../domain/macros/model.js';
import { type Rule, RuleSchema } from '../../domain/rules/model.js';
import type { StoredMacro, StoredWorkflowRule, WorkflowStore } from '../../domain/rules/ports.js';
import { keys } from './keys.js';
import { queryOrg } from './query-all.js';
import { claimStreamRecord, releaseStreamRecord } from './stream-claims.js';
import { putAuditedVersion } from './versioned-put.js';

/**
 * Workflow rules and macros in the organisation partition, the rules that
 * fired for each ticket next to the ticket (`TICKET#id / RULES`, a string
 * set), and the once-per-stream-record claims of the rules reaction.
 */
export class DynamoWorkflowRepository implements WorkflowStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: workflow rules — Query pk=ORG, begins_with(sk, 'WORKFLOWRULE#'). */
  async listRules(): Promise<StoredWorkflowRule[]> {
    const items = await queryOrg(this.client, this.tableName, 'WORKFLOWRULE#');
    return items.map((item) => ({
      rule: RuleSchema.parse({ ...(item.rule as object), version: item.version }),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    }));
  }

  /** Access pattern: save a workflow rule — PutItem ORG / WORKFLOWRULE#id, version-checked. */
  async putRule(rule: Rule, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    return putAuditedVersion(
      this.client,
      this.tableName,
      {
        key: keys.workflowRule(rule.id),
        type: 'workflowRule',
        body: (version) => ({ rule: { ...rule, version } }),
        what: 'Workflow rule',
      },
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: macros — Query pk=ORG, begins_with(sk, 'MACRO#'). */
  async listMacros(): Promise<StoredMacro[]> {
    const items = await queryOrg(this.client, this.tableName, 'MACRO#');
    return items.map((item) => this.macroOf(item));
  }

  /** Access pattern: one macro — GetItem ORG / MACRO#id. */
  async getMacro(id: string): Promise<StoredMacro | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.macro(id) }));
    return result.Item ? this.macroOf(result.Item) : null;
  }

  /** Access pattern: save a macro — PutItem ORG / MACRO#id, version-checked. */
  async putMacro(macro: Macro, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    return putAuditedVersion(
      this.client,
      this.tableName,
      {
        key: keys.macro(macro.id),
        type: 'macro',
        body: (version) => ({ macro: { ...macro, version } }),
        what: 'Macro',
      },
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: a ticket's fired rules — GetItem TICKET#id / RULES. */
  async firedKeys(ticketId: string): Promise<string[]> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.ruleState(ticketId), ConsistentRead: true }),
    );
    const fired = result.Item?.fired;
    return fired instanceof Set ? [...fired].map(String) : Array.isArray(fired) ? fired.map(String) : [];
  }

  /** Access pattern: record fired rules — UpdateItem TICKET#id / RULES `ADD fired :keys` (a string set). */
  async addFiredKeys(ticketId: string, firedKeys: readonly string[]): Promise<void> {
    if (firedKeys.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.ruleState(ticketId),
        UpdateExpression: 'SET #type = :type, ticketId = :ticket ADD fired :keys',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'ruleState',
          ':ticket': ticketId,
          ':keys': new Set(firedKeys),
        },
      }),
    );
  }

  /** Access pattern: claim a stream record for the rules — PutItem STREAMSEEN#rules#eventId if absent. */
  async claimRecord(eventId: string): Promise<boolean> {
    return claimStreamRecord(this.client, this.tableName, 'rules', eventId);
  }

  /** Gives a claim back (DeleteItem) after a failure, so the retried record runs again. */
  async releaseRecord(eventId: string): Promise<void> {
    await releaseStreamRecord(this.client, this.tableName, 'rules', eventId);
  }

  private macroOf(item: Record<string, unknown>): StoredMacro {
    return {
      macro: MacroSchema.parse({ ...(item.macro as object), version: item.version }),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    };
  }
}
