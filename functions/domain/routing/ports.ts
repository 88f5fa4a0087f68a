import type { Ticket } from '../tickets/model.js';
import type { DeskRoutingRule } from './desk-rules.js';
import type { LoadChange } from './load.js';

/** An agent's open-ticket count as kept from ticket changes. */
export interface AgentLoadRecord {
  openCount: number;
  lastAssignedAt: string | null;
}

/** A team's round-robin cursor: the agent picked last, and a sequence for compare-and-set. */
export interface RoundRobinCursor {
  cursor: string | null;
  seq: number;
}

export interface StoredRoutingRule {
  rule: DeskRoutingRule;
  updatedAt: string;
  updatedBy: string;
}

/** What routing and assignment need from storage (DynamoDB: `DynamoRoutingRepository`). */
export interface RoutingStore {
  listRules(): Promise<StoredRoutingRule[]>;
  /** Saves a rule if its stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putRule(rule: DeskRoutingRule, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  getCursor(teamId: string): Promise<RoundRobinCursor | null>;
  /** Moves the cursor to `agentId` if nobody moved it since `expectedSeq` was read (null: never set); false otherwise. */
  advanceCursor(teamId: string, expectedSeq: number | null, agentId: string): Promise<boolean>;
  getLoads(agentIds: readonly string[]): Promise<Map<string, AgentLoadRecord>>;
  /** Applies the load changes of one stream record, once; false when the record was applied before. */
  applyLoadChanges(eventId: string, changes: readonly LoadChange[]): Promise<boolean>;
  /** Unassigned open tickets of these teams, oldest first. */
  oldestUnassigned(teamIds: readonly string[], limit: number): Promise<Ticket[]>;
  /** Claims a stream record for routing after a department change; false when it was claimed before. */
  claimRecord(eventId: string): Promise<boolean>;
  /** Gives a claim back after a failure, so the retried record is routed again. */
  releaseRecord(eventId: string): Promise<void>;
}
