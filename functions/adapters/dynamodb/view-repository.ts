import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type CannedResponse, CannedResponseSchema } from '../../domain/macros/canned.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import { type Ticket, TicketSchema } from '../../domain/tickets/model.js';
import { statusOrderPrefix, type TicketStatus } from '../../domain/tickets/status.js';
import { type SavedView, SavedViewSchema, type ViewTicket } from '../../domain/views/model.js';
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
import { keys, NONE } from './keys.js';
import { queryAll, queryOrg } from './query-all.js';
import type { IndexName } from './table-definition.js';
import { putAuditedVersion, putIfVersion } from './versioned-put.js';

/** Sorts after every character of a list-order key (ISO times, ULIDs): closes a `BETWEEN` range. */
const HIGHEST = '\uffff';
/** Items per Query page when reading whole tickets (and per BatchGetItem). */
const READ_PAGE = 100;
/** Items per Query page when counting with a projection. */
const COUNT_PAGE = 1000;

interface Partition {
  index: IndexName;
  value: string;
}

/** The list index partition of a source (see `ticketIndexKeys` and `tagIndexKeys`). */
function partitionOf(source: TicketSource): Partition {
  switch (source.index) {
    case 'assignee':
      return { index: 'gsi3', value: `TA#${source.key ?? NONE}` };
    case 'department':
      return { index: 'gsi1', value: `TD#${source.key ?? NONE}` };
    case 'all':
      return { index: 'gsi2', value: 'TALL' };
    case 'tag':
      return { index: 'gsi4', value: `TG#${source.key}` };
  }
}

/** `<createdAt>#<id>` (tag index sort key) → order key. */
function tagOrderKey(sortKey: string): OrderKey {
  const cut = sortKey.indexOf('#');
  return { at: sortKey.slice(0, cut), id: sortKey.slice(cut + 1) };
}

/** A ticket as far as a projection read it: absent attributes get their empty value. */
function viewTicketOf(item: Record<string, unknown>): ViewTicket {
  return {
    status: item.status as ViewTicket['status'],
    priority: item.priority as ViewTicket['priority'],
    channel: item.channel as ViewTicket['channel'],
    departmentId: (item.departmentId as string | null | undefined) ?? null,
    teamId: (item.teamId as string | null | undefined) ?? null,
    assigneeId: (item.assigneeId as string | null | undefined) ?? null,
    tags: Array.isArray(item.tags) ? (item.tags as string[]) : [],
    customFields: (item.customFields as ViewTicket['customFields'] | undefined) ?? {},
  };
}

function projection(attributes: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const names = Object.fromEntries(attributes.map((a, i) => [`#p${i}`, a]));
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}

/**
 * Saved views and canned responses — shared ones in the organisation
 * partition (`ORG / VIEW#id`, `ORG / CANNED#id`), personal ones in their
 * owner's partition (`AGENT#id / VIEW#id`, `AGENT#id / CANNED#id`) — and
 * the ticket reads behind views: Queries on the list indexes (gsi1–gsi3 in
 * list order, gsi4 tag partitions by creation), never a Scan.
 */
export class DynamoViewRepository implements ViewStore, ViewTicketReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: an agent's views — Query pk=ORG, begins_with(sk, 'VIEW#') and pk=AGENT#id, begins_with(sk, 'VIEW#'), in parallel. */
  async listViews(agentId: string): Promise<StoredView[]> {
    const items = await this.sharedAndPersonal(agentId, keys.viewPrefix);
    return items.map((item) => this.viewOf(item));
  }

  /** Access pattern: one view — GetItem ORG / VIEW#id or AGENT#owner / VIEW#id. */
  async getView(owner: Owner, id: string): Promise<StoredView | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.view(owner, id) }),
    );
    return result.Item ? this.viewOf(result.Item) : null;
  }

  /** Access pattern: save a view — PutItem in its slot, version-checked, with who and when (shared: + audit entry). */
  async putView(view: SavedView, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    const owner = view.scope === 'personal' ? (view.ownerId ?? null) : null;
    return this.save(
      { key: keys.view(owner, view.id), type: 'view', body: { view }, what: 'View' },
      owner,
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: delete a view — DeleteItem if `version = :expected`. */
  async deleteView(owner: Owner, id: string, expectedVersion: number): Promise<void> {
    await this.deleteIfVersion(keys.view(owner, id), expectedVersion, 'View');
  }

  /** Access pattern: an agent's canned responses — Query pk=ORG and pk=AGENT#id, begins_with(sk, 'CANNED#'), in parallel. */
  async listCanned(agentId: string): Promise<StoredCanned[]> {
    const items = await this.sharedAndPersonal(agentId, keys.cannedPrefix);
    return items.map((item) => this.cannedOf(item));
  }

  /** Access pattern: one canned response — GetItem ORG / CANNED#id or AGENT#owner / CANNED#id. */
  async getCanned(owner: Owner, id: string): Promise<StoredCanned | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.canned(owner, id) }),
    );
    return result.Item ? this.cannedOf(result.Item) : null;
  }

  /** Access pattern: save a canned response — PutItem in its slot, version-checked, with who and when (shared: + audit entry). */
  async putCanned(
    canned: CannedResponse,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    const owner = canned.scope === 'personal' ? (canned.ownerId ?? null) : null;
    return this.save(
      {
        key: keys.canned(owner, canned.id),
        type: 'canned',
        body: { canned },
        what: 'Canned response',
      },
      owner,
      expectedVersion,
      by,
      at,
    );
  }

  /** Access pattern: delete a canned response — DeleteItem if `version = :expected`. */
  async deleteCanned(owner: Owner, id: string, expectedVersion: number): Promise<void> {
    await this.deleteIfVersion(keys.canned(owner, id), expectedVersion, 'Canned response');
  }

  /**
   * Access pattern: one segment of a view, newest first — Query on a list
   * index, `#pk = :pk AND #sk BETWEEN '<rank><status>#' AND <after>` (gsi1–3),
   * or `gsi4pk = TG#tag [AND gsi4sk <= <after>]` + BatchGetItem of the
   * tickets (tag index); pages grow while few items match.
   */
  async readSegment(
    source: TicketSource,
    status: TicketStatus | null,
    options: { after?: OrderKey; want: number; budget: number; keep: (ticket: Ticket) => boolean },
  ): Promise<SegmentRead> {
    const partition = partitionOf(source);
    const tagIndex = source.index === 'tag';
    if (!tagIndex && status === null) throw new Error('a status-sorted index is read one status at a time');
    const prefix = status === null ? '' : statusOrderPrefix(status);
    const upper = options.after ? `${prefix}${options.after.at}#${options.after.id}` : null;
    const condition = tagIndex
      ? upper === null
        ? { expression: '#pk = :pk', values: {} }
        : { expression: '#pk = :pk AND #sk <= :hi', values: { ':hi': upper } }
      : {
          expression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          values: { ':lo': prefix, ':hi': upper ?? `${prefix}${HIGHEST}` },
        };
    const skName = `${partition.index}sk`;
    const tickets: Ticket[] = [];
    let examined = 0;
    let frontier: OrderKey | null = null;
    let lastKey: Record<string, unknown> | undefined;
    for (let round = 0; ; round++) {
      const remaining = options.budget - examined;
      if (remaining <= 0) return { tickets, exhausted: false, frontier, examined };
      const size = Math.min(READ_PAGE, remaining, (options.want - tickets.length + 1) * 2 ** round);
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: partition.index,
          KeyConditionExpression: condition.expression,
          ExpressionAttributeNames: {
            '#pk': `${partition.index}pk`,
            ...(upper || !tagIndex ? { '#sk': skName } : {}),
          },
          ExpressionAttributeValues: { ':pk': partition.value, ...condition.values },
          ScanIndexForward: false,
          Limit: size,
          ExclusiveStartKey: lastKey,
        }),
      );
      const items = (result.Items ?? []).filter((item) => item[skName] !== upper);
      const found = tagIndex
        ? await this.ticketsOf(items, source.key ?? '')
        : items.map((item) => ({
            position: { at: String(item.updatedAt), id: String(item.id) },
            ticket: TicketSchema.parse(item),
          }));
      for (const [i, { position, ticket }] of found.entries()) {
        examined++;
        frontier = position;
        if (ticket && options.keep(ticket)) tickets.push(ticket);
        if (tickets.length >= options.want) {
          const exhausted = i === found.length - 1 && !result.LastEvaluatedKey;
          return { tickets, exhausted, frontier, examined };
        }
      }
      lastKey = result.LastEvaluatedKey;
      if (!lastKey) return { tickets, exhausted: true, frontier, examined };
    }
  }

  /**
   * Access pattern: count a view — Query on a list index with `Select:
   * COUNT` when nothing is left to check (statuses as a `BETWEEN` range of
   * the list order), otherwise a Query projecting only the checked
   * attributes (tag index: + BatchGetItem projecting them); stops past the
   * cap or after the budget.
   */
  async count(source: TicketSource, options: CountOptions): Promise<CountResult> {
    const partition = partitionOf(source);
    const tagIndex = source.index === 'tag';
    const ranged = !tagIndex && options.statuses !== null;
    const base: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: partition.index,
      // Triage order (newest first for tags): a count cut short by its budget has seen the newest tickets.
      ScanIndexForward: false,
      KeyConditionExpression: ranged ? '#pk = :pk AND #sk BETWEEN :lo AND :hi' : '#pk = :pk',
      ExpressionAttributeNames: {
        '#pk': `${partition.index}pk`,
        ...(ranged ? { '#sk': `${partition.index}sk` } : {}),
      },
      ExpressionAttributeValues: {
        ':pk': partition.value,
        ...(ranged && options.statuses
          ? {
              ':lo': statusOrderPrefix(options.statuses.to),
              ':hi': `${statusOrderPrefix(options.statuses.from)}${HIGHEST}`,
            }
          : {}),
      },
    };
    const { keep } = options;
    let lastKey: Record<string, unknown> | undefined;
    if (keep === null) {
      let counted = 0;
      do {
        const result = await this.client.send(
          new QueryCommand({
            ...base,
            Select: 'COUNT',
            Limit: options.cap + 1 - counted,
            ExclusiveStartKey: lastKey,
          }),
        );
        counted += result.Count ?? 0;
        lastKey = result.LastEvaluatedKey;
      } while (lastKey && counted <= options.cap);
      return { count: Math.min(counted, options.cap), estimate: counted > options.cap };
    }
    let matched = 0;
    let examined = 0;
    const attributes = tagIndex ? [...new Set([...options.attributes, 'tags'])] : [...options.attributes];
    do {
      const remaining = options.budget - examined;
      if (remaining <= 0) return { count: Math.min(matched, options.cap), estimate: true };
      const page = projection(tagIndex ? ['ticketId'] : attributes);
      const result = await this.client.send(
        new QueryCommand({
          ...base,
          ProjectionExpression: page.ProjectionExpression,
          ExpressionAttributeNames: { ...base.ExpressionAttributeNames, ...page.ExpressionAttributeNames },
          Limit: Math.min(tagIndex ? READ_PAGE : COUNT_PAGE, remaining),
          ExclusiveStartKey: lastKey,
        }),
      );
      const items = tagIndex
        ? (
            await this.batchGet(
              (result.Items ?? []).map((item) => String(item.ticketId)),
              attributes,
            )
          ).filter((item) => viewTicketOf(item).tags.includes(source.key ?? ''))
        : (result.Items ?? []);
      examined += result.Items?.length ?? 0;
      for (const item of items) {
        if (keep(viewTicketOf(item))) matched++;
        if (matched > options.cap) return { count: options.cap, estimate: true };
      }
      lastKey = result.LastEvaluatedKey;
    } while (lastKey);
    return { count: matched, estimate: false };
  }

  /** The tickets behind a page of tag items, in the page's order (a ticket no longer tagged is skipped). */
  private async ticketsOf(
    tagItems: Record<string, unknown>[],
    tag: string,
  ): Promise<{ position: OrderKey; ticket: Ticket | null }[]> {
    const found = new Map(
      (await this.batchGet(tagItems.map((item) => String(item.ticketId)))).map((item) => {
        const ticket = TicketSchema.parse(item);
        return [ticket.id, ticket] as const;
      }),
    );
    return tagItems.map((item) => {
      const ticket = found.get(String(item.ticketId));
      return {
        position: tagOrderKey(String(item.gsi4sk)),
        ticket: ticket?.tags.includes(tag) ? ticket : null,
      };
    });
  }

  /** BatchGetItem of ticket items (≤ 100 keys a call, unprocessed keys retried), optionally projected. */
  private async batchGet(ids: string[], attributes?: readonly string[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] = [...new Set(ids)].map((id) => keys.ticket(id));
    const projected = attributes ? projection([...attributes, 'id']) : null;
    for (let attempt = 0; pending.length > 0 && attempt < 8; attempt++) {
      const result = await this.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: { Keys: pending.slice(0, 100), ...(projected ?? {}) },
          },
        }),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      const unprocessed = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      pending = [...unprocessed, ...pending.slice(100)];
    }
    if (pending.length > 0) throw new Error('BatchGetItem left tickets unread after retries');
    return items;
  }

  /**
   * A shared item is a desk setting: saved with `putAuditedVersion` (its
   * audit entry in the same transaction). A personal item is its owner's
   * own: the same version-checked Put, with who and when, and no entry in
   * the desk's audit log.
   */
  private async save(
    setting: { key: Record<string, string>; type: string; body: Record<string, unknown>; what: string },
    owner: Owner,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    if (owner === null) {
      return putAuditedVersion(
        this.client,
        this.tableName,
        { ...setting, body: () => setting.body },
        expectedVersion,
        by,
        at,
      );
    }
    const version = (expectedVersion ?? 0) + 1;
    const item = {
      ...setting.key,
      type: setting.type,
      ...setting.body,
      version,
      updatedAt: at.toISOString(),
      updatedBy: by,
    };
    await putIfVersion(this.client, this.tableName, item, expectedVersion, setting.what);
    return version;
  }

  private async sharedAndPersonal(agentId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const [shared, personal] = await Promise.all([
      queryOrg(this.client, this.tableName, prefix),
      queryAll(this.client, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.agentPartition(agentId), ':prefix': prefix },
      }),
    ]);
    return [...shared, ...personal];
  }

  private async deleteIfVersion(key: Record<string, string>, expectedVersion: number, what: string) {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new VersionConflict(what, expectedVersion);
      }
      throw error;
    }
  }

  private viewOf(item: Record<string, unknown>): StoredView {
    return {
      view: SavedViewSchema.parse(item.view),
      version: Number(item.version),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    };
  }

  private cannedOf(item: Record<string, unknown>): StoredCanned {
    return {
      canned: CannedResponseSchema.parse(item.canned),
      version: Number(item.version),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    };
  }
}
