/**
 * Saved views, canned responses and the ticket reads behind views, in
 * memory, for unit tests of the use cases: the same version checks, and the
 * same index orders and limits as `DynamoViewRepository` (status segments
 * newest update first, tag partitions newest creation first, want / budget /
 * cap), over the tickets of a `MemoryState`.
 */
import type { CannedResponse } from '../../domain/macros/canned.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import type { Ticket } from '../../domain/tickets/model.js';
import { STATUS_RANK, type TicketStatus } from '../../domain/tickets/status.js';
import { compareOrderKeys, orderKeyOf } from '../../domain/views/listing.js';
import type { SavedView } from '../../domain/views/model.js';
import type {
  CountOptions,
  CountResult,
  OrderKey,
  Owner,
  SegmentRead,
  StoredCanned,
  StoredView,
  TicketSource,
  ViewStore,
  ViewTicketReader,
} from '../../domain/views/ports.js';
import type { MemoryState } from './memory-store.js';

const clone = <T>(value: T): T => structuredClone(value);
const slot = (owner: Owner, id: string) => `${owner ?? ''}|${id}`;

export interface CountCall {
  source: TicketSource;
  indexOnly: boolean;
  attributes: readonly string[];
}

export class MemoryViewStore implements ViewStore, ViewTicketReader {
  readonly views = new Map<string, StoredView>();
  readonly canned = new Map<string, StoredCanned>();
  /** Every count asked for, to check which could be answered by the index alone. */
  readonly countCalls: CountCall[] = [];

  constructor(private readonly state: MemoryState) {}

  async listViews(agentId: string): Promise<StoredView[]> {
    return [...this.views.entries()]
      .filter(([key]) => key.startsWith('|') || key.startsWith(`${agentId}|`))
      .map(([, v]) => clone(v));
  }

  async getView(owner: Owner, id: string): Promise<StoredView | null> {
    return clone(this.views.get(slot(owner, id)) ?? null);
  }

  async putView(view: SavedView, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    const key = slot(view.scope === 'personal' ? (view.ownerId ?? null) : null, view.id);
    if ((this.views.get(key)?.version ?? null) !== expectedVersion) {
      throw new VersionConflict('View', expectedVersion ?? 0);
    }
    const version = (expectedVersion ?? 0) + 1;
    this.views.set(key, { view: clone(view), version, updatedAt: at.toISOString(), updatedBy: by });
    return version;
  }

  async deleteView(owner: Owner, id: string, expectedVersion: number): Promise<void> {
    if (this.views.get(slot(owner, id))?.version !== expectedVersion) {
      throw new VersionConflict('View', expectedVersion);
    }
    this.views.delete(slot(owner, id));
  }

  async listCanned(agentId: string): Promise<StoredCanned[]> {
    return [...this.canned.entries()]
      .filter(([key]) => key.startsWith('|') || key.startsWith(`${agentId}|`))
      .map(([, c]) => clone(c));
  }

  async getCanned(owner: Owner, id: string): Promise<StoredCanned | null> {
    return clone(this.canned.get(slot(owner, id)) ?? null);
  }

  async putCanned(
    canned: CannedResponse,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    const key = slot(canned.scope === 'personal' ? (canned.ownerId ?? null) : null, canned.id);
    if ((this.canned.get(key)?.version ?? null) !== expectedVersion) {
      throw new VersionConflict('Canned response', expectedVersion ?? 0);
    }
    const version = (expectedVersion ?? 0) + 1;
    this.canned.set(key, { canned: clone(canned), version, updatedAt: at.toISOString(), updatedBy: by });
    return version;
  }

  async deleteCanned(owner: Owner, id: string, expectedVersion: number): Promise<void> {
    if (this.canned.get(slot(owner, id))?.version !== expectedVersion) {
      throw new VersionConflict('Canned response', expectedVersion);
    }
    this.canned.delete(slot(owner, id));
  }

  /** The tickets of an index partition, in the partition's order. */
  private partition(source: TicketSource): Ticket[] {
    const tagIndex = source.index === 'tag';
    const inPartition = (t: Ticket) => {
      switch (source.index) {
        case 'assignee':
          return t.assigneeId === source.key;
        case 'department':
          return t.departmentId === source.key;
        case 'all':
          return true;
        case 'tag':
          return t.tags.includes(source.key ?? '');
      }
    };
    return [...this.state.tickets.values()]
      .filter(inPartition)
      .sort(
        (a, b) =>
          (tagIndex ? 0 : STATUS_RANK[b.status] - STATUS_RANK[a.status]) ||
          compareOrderKeys(orderKeyOf(a, tagIndex), orderKeyOf(b, tagIndex)),
      );
  }

  async readSegment(
    source: TicketSource,
    status: TicketStatus | null,
    options: { after?: OrderKey; want: number; budget: number; keep: (ticket: Ticket) => boolean },
  ): Promise<SegmentRead> {
    const tagIndex = source.index === 'tag';
    const { after } = options;
    const segment = this.partition(source).filter(
      (t) =>
        (status === null || t.status === status) &&
        (after === undefined || compareOrderKeys(orderKeyOf(t, tagIndex), after) > 0),
    );
    const tickets: Ticket[] = [];
    let frontier: OrderKey | null = null;
    let examined = 0;
    for (const ticket of segment) {
      if (examined >= options.budget) return { tickets, exhausted: false, frontier, examined };
      examined++;
      frontier = orderKeyOf(ticket, tagIndex);
      if (options.keep(ticket)) tickets.push(clone(ticket));
      if (tickets.length >= options.want) {
        return { tickets, exhausted: examined === segment.length, frontier, examined };
      }
    }
    return { tickets, exhausted: true, frontier, examined };
  }

  async count(source: TicketSource, options: CountOptions): Promise<CountResult> {
    this.countCalls.push({ source, indexOnly: options.keep === null, attributes: options.attributes });
    const range = options.statuses;
    const inRange = (t: Ticket) =>
      range === null ||
      source.index === 'tag' ||
      (STATUS_RANK[t.status] <= STATUS_RANK[range.from] && STATUS_RANK[t.status] >= STATUS_RANK[range.to]);
    const candidates = this.partition(source).filter(inRange);
    if (options.keep === null) {
      return { count: Math.min(candidates.length, options.cap), estimate: candidates.length > options.cap };
    }
    let matched = 0;
    for (const [examined, ticket] of candidates.entries()) {
      if (examined >= options.budget) return { count: Math.min(matched, options.cap), estimate: true };
      if (options.keep(ticket)) matched++;
      if (matched > options.cap) return { count: options.cap, estimate: true };
    }
    return { count: matched, estimate: false };
  }
}
