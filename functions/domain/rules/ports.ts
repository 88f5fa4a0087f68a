import type { Macro } from '../macros/model.js';
import type { Rule } from './model.js';

/** A workflow rule as stored, with who changed it last and when. */
export interface StoredWorkflowRule {
  rule: Rule;
  updatedAt: string;
  updatedBy: string;
}

/** A macro as stored, with who changed it last and when. */
export interface StoredMacro {
  macro: Macro;
  updatedAt: string;
  updatedBy: string;
}

/** What workflow rules and macros need from storage (DynamoDB: `DynamoWorkflowRepository`). */
export interface WorkflowStore {
  listRules(): Promise<StoredWorkflowRule[]>;
  /** Saves a rule if its stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putRule(rule: Rule, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  listMacros(): Promise<StoredMacro[]>;
  getMacro(id: string): Promise<StoredMacro | null>;
  /** Saves a macro if its stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putMacro(macro: Macro, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  /** The keys of the rules that already fired for a ticket (see `firedKey`). */
  firedKeys(ticketId: string): Promise<string[]>;
  /** Adds fired keys to a ticket's set (atomic, idempotent). */
  addFiredKeys(ticketId: string, keys: readonly string[]): Promise<void>;
  /** Claims a stream record for the rules reaction; false when it was claimed before. */
  claimRecord(eventId: string): Promise<boolean>;
  /** Gives a claim back after a failure, so the retried record is evaluated again. */
  releaseRecord(eventId: string): Promise<void>;
}
