import type { CannedResponse } from '../macros/canned.js';
import type { Ticket, TicketStatus } from '../tickets/model.js';
import type { SavedView, ViewIndex, ViewTicket } from './model.js';

/** A saved view as stored, with its version and who changed it last and when. */
export interface StoredView {
  view: SavedView;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** A canned response as stored, with its version and who changed it last and when. */
export interface StoredCanned {
  canned: CannedResponse;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Where an item lives: `null` is the desk's shared slot, an agent id that
 * agent's personal slot. Personal items are only ever read from their
 * owner's slot, so another agent's personal items cannot be addressed.
 */
export type Owner = string | null;

/** Saved views and canned responses (DynamoDB: `DynamoViewRepository`). */
export interface ViewStore {
  /** Shared views and the personal views of `agentId`. */
  listViews(agentId: string): Promise<StoredView[]>;
  getView(owner: Owner, id: string): Promise<StoredView | null>;
  /** Saves in the view's slot (shared, or its owner's) if the stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putView(view: SavedView, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  /** Deletes if the stored version is still `expectedVersion`; throws VersionConflict otherwise. */
  deleteView(owner: Owner, id: string, expectedVersion: number): Promise<void>;
  /** Shared canned responses and the personal ones of `agentId`. */
  listCanned(agentId: string): Promise<StoredCanned[]>;
  getCanned(owner: Owner, id: string): Promise<StoredCanned | null>;
  putCanned(canned: CannedResponse, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  deleteCanned(owner: Owner, id: string, expectedVersion: number): Promise<void>;
}

/** One list index partition: the assignee / department / tag (null: unassigned queue / triage queue), or the whole desk. */
export interface TicketSource {
  index: ViewIndex;
  key: string | null;
}

/**
 * A position in an index's order: `at` is `updatedAt` in the status-sorted
 * indexes (within one status) and `createdAt` in the tag index; ties break
 * on the id. Both orders are read newest first.
 */
export interface OrderKey {
  at: string;
  id: string;
}

export interface SegmentRead {
  /** The tickets `keep` accepted, in index order. */
  tickets: Ticket[];
  /** True when nothing follows `frontier` in the segment. */
  exhausted: boolean;
  /** The last item examined (matching or not), or null when none was. */
  frontier: OrderKey | null;
  /** Items examined. */
  examined: number;
}

export interface CountResult {
  /** Exact when `estimate` is false; otherwise a lower bound (at most the cap). */
  count: number;
  estimate: boolean;
}

/** The ticket reads behind saved views (DynamoDB: Queries on the list indexes; never a Scan). */
export interface ViewTicketReader {
  /**
   * Reads one segment of a source in index order, newest first: one status
   * of a status-sorted index (`status`), or the whole tag partition (`status`
   * null). Starts strictly after `after`, keeps the tickets `keep` accepts,
   * and stops once `want` were kept, the segment ends, or `budget` items
   * were examined.
   */
  readSegment(
    source: TicketSource,
    status: TicketStatus | null,
    options: { after?: OrderKey; want: number; budget: number; keep: (ticket: Ticket) => boolean },
  ): Promise<SegmentRead>;
  /**
   * Counts the tickets of a source, within the statuses `from`..`to` of the
   * list order (status-sorted indexes only), that `keep` accepts (null:
   * every one, so the index can count without returning items). `keep`
   * sees only `attributes`. Stops past `cap` matches or after `budget`
   * items examined, and then says the count is an estimate.
   */
  count(source: TicketSource, options: CountOptions): Promise<CountResult>;
}

/** How a view is counted (see `count`): the status range, the cap and budget, the check and the attributes it reads. */
export interface CountOptions {
  statuses: { from: TicketStatus; to: TicketStatus } | null;
  cap: number;
  budget: number;
  keep: ((ticket: ViewTicket) => boolean) | null;
  attributes: readonly (keyof ViewTicket)[];
}
