import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { canListTicket, canSuperviseDesk } from '../../domain/agents/model.js';
import type { Identity } from '../../domain/customers/model.js';
import {
  DuplicateMessage,
  IdempotencyRace,
  IdentityTaken,
  type InboundClaim,
  type NewTicketBundle,
  type Page,
  type TicketQuery,
  type TicketRepository,
} from '../../domain/ports.js';
import { VersionConflict } from '../../domain/shared/errors.js';
import {
  type EmailMeta,
  FIRST_TICKET_NUMBER,
  type Ticket,
  TicketSchema,
  type TimelineEntry,
  TimelineEntrySchema,
} from '../../domain/tickets/model.js';
import { statusOrderPrefix } from '../../domain/tickets/status.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { customerItem, identityItem } from './customer-repository.js';
import { cancellationCodes } from './errors.js';
import { keys, NONE, tagIndexKeys, ticketIndexKeys } from './keys.js';
import type { IndexName } from './table-definition.js';
import { versionCondition } from './versioned-put.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Idempotency records and their claims expire after a day, as Stripe's do. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const MAX_FILTER_ROUNDS = 10;

export function ticketItem(ticket: Ticket): Record<string, unknown> {
  return { ...keys.ticket(ticket.id), type: 'ticket', ...ticketIndexKeys(ticket), ...ticket };
}

export function entryItem(entry: TimelineEntry): Record<string, unknown> {
  return { ...keys.timelineEntry(entry.ticketId, entry.id), type: 'timeline', ...entry };
}

function tagItem(ticket: Ticket, tag: string): Record<string, unknown> {
  return {
    ...keys.ticketTag(ticket.id, tag),
    type: 'ticketTag',
    ticketId: ticket.id,
    tag,
    ...tagIndexKeys(tag, ticket),
  };
}

/** The inbound-message claim (conditional: a message is recorded once) and the thread-root pointer. */
function inboundItems(tableName: string, ticketId: string, claim: InboundClaim): TransactItem[] {
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.inboundMessage(claim.messageKey),
          type: 'inboundMessage',
          ticketId,
          entryId: claim.entryId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (claim.threadRoot) {
    items.push({
      Put: {
        TableName: tableName,
        Item: { ...keys.threadRoot(claim.threadRoot), type: 'threadRoot', ticketId },
      },
    });
  }
  return items;
}

function toTicket(item: Record<string, unknown>): Ticket {
  return TicketSchema.parse(item);
}

/** The ticket aggregate on the single table: ticket, timeline, tags, number and counter items. */
export class DynamoTicketRepository implements TicketRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: allocate ticket number — UpdateItem ADD on COUNTER#ticket. */
  async nextTicketNumber(): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.ticketCounter(),
        UpdateExpression: 'ADD #n :one',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return FIRST_TICKET_NUMBER - 1 + Number(result.Attributes?.n);
  }

  /** Access pattern: create ticket — one TransactWriteItems (ticket, number, entry, customer, identities, idempotency). */
  async create(bundle: NewTicketBundle): Promise<void> {
    const { ticket, firstEntry, newCustomer, idempotency } = bundle;
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: ticketItem(ticket),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.ticketNumber(ticket.number), type: 'ticketNumber', ticketId: ticket.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: this.tableName, Item: entryItem(firstEntry) } },
      ...ticket.tags.map(
        (tag): TransactItem => ({ Put: { TableName: this.tableName, Item: tagItem(ticket, tag) } }),
      ),
    ];
    const inboundPosition = bundle.inbound ? items.length : -1;
    if (bundle.inbound) items.push(...inboundItems(this.tableName, ticket.id, bundle.inbound));
    const identityPositions = new Map<number, Identity>();
    if (newCustomer) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: customerItem(newCustomer),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
      for (const identity of newCustomer.identities) {
        identityPositions.set(items.length, identity);
        items.push({
          Put: {
            TableName: this.tableName,
            Item: identityItem(identity, newCustomer.id),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        });
      }
    }
    let idempotencyPosition = -1;
    if (idempotency) {
      idempotencyPosition = items.length;
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(idempotency.scope, idempotency.key),
            type: 'idempotency',
            fingerprint: idempotency.fingerprint,
            resourceId: idempotency.resourceId,
            ttl: Math.floor(Date.parse(ticket.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons) {
        if (inboundPosition >= 0 && reasons[inboundPosition] === 'ConditionalCheckFailed' && bundle.inbound) {
          throw new DuplicateMessage(bundle.inbound.messageKey);
        }
        if (idempotencyPosition >= 0 && reasons[idempotencyPosition] === 'ConditionalCheckFailed') {
          throw new IdempotencyRace('a request with this Idempotency-Key is already being processed');
        }
        for (const [position, identity] of identityPositions) {
          if (reasons[position] === 'ConditionalCheckFailed') throw new IdentityTaken(identity);
        }
      }
      throw error;
    }
  }

  /** Access pattern: get ticket by id — GetItem TICKET#id / TICKET. */
  async get(id: string): Promise<Ticket | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.ticket(id) }),
    );
    return result.Item ? toTicket(result.Item) : null;
  }

  /** Access pattern: get ticket by number — GetItem TICKETNO#n, then GetItem ticket. */
  async getByNumber(number: number): Promise<Ticket | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.ticketNumber(number) }),
    );
    const id = result.Item?.ticketId;
    return typeof id === 'string' ? this.get(id) : null;
  }

  /** Access pattern: update ticket — TransactWriteItems: Put ticket if version matches, Put entries, Put/Delete tag items. */
  async update(
    ticket: Ticket,
    expectedVersion: number,
    entries: TimelineEntry[],
    previousTags: string[],
    options: { inbound?: InboundClaim } = {},
  ): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: ticketItem(ticket),
          ...versionCondition(expectedVersion),
        },
      },
      ...entries.map(
        (entry): TransactItem => ({ Put: { TableName: this.tableName, Item: entryItem(entry) } }),
      ),
    ];
    const before = new Set(previousTags);
    const after = new Set(ticket.tags);
    for (const tag of after) {
      if (!before.has(tag)) {
        items.push({ Put: { TableName: this.tableName, Item: tagItem(ticket, tag) } });
      }
    }
    for (const tag of before) {
      if (!after.has(tag))
        items.push({ Delete: { TableName: this.tableName, Key: keys.ticketTag(ticket.id, tag) } });
    }
    const inboundPosition = options.inbound ? items.length : -1;
    if (options.inbound) items.push(...inboundItems(this.tableName, ticket.id, options.inbound));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (options.inbound && reasons?.[inboundPosition] === 'ConditionalCheckFailed') {
        throw new DuplicateMessage(options.inbound.messageKey);
      }
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw new VersionConflict('Ticket', expectedVersion);
      }
      throw error;
    }
  }

  /** Access pattern: append entries without changing the ticket — BatchWrite-free Puts in one TransactWriteItems. */
  async appendEntries(entries: TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: entries.map((entry) => ({
          Put: { TableName: this.tableName, Item: entryItem(entry) },
        })),
      }),
    );
  }

  /** Access pattern: record a sent mail on its entry — UpdateItem TICKET#id / TL#entry (entry must exist). */
  async updateEntryEmail(ticketId: string, entryId: string, email: EmailMeta): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.timelineEntry(ticketId, entryId),
        UpdateExpression: 'SET #email = :email',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#email': 'email' },
        ExpressionAttributeValues: { ':email': email },
      }),
    );
  }

  /** Access pattern: find an inbound message — GetItem MSG#key. */
  async findMessage(messageKey: string): Promise<{ ticketId: string; entryId: string } | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.inboundMessage(messageKey) }),
    );
    const item = result.Item;
    return item ? { ticketId: String(item.ticketId), entryId: String(item.entryId) } : null;
  }

  /** Access pattern: find an Outlook conversation — GetItem THREADIDX#root. */
  async findThreadRoot(root: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.threadRoot(root) }),
    );
    return typeof result.Item?.ticketId === 'string' ? result.Item.ticketId : null;
  }

  /**
   * Access patterns: list tickets by tag (gsi4 TG#tag), by assignee [+status]
   * (gsi3), by customer (gsi4 TC#), by department [+status] (gsi1), all
   * [+status] (gsi2). The most selective index is
   * queried; the remaining filters (and an agent's visibility) are a
   * FilterExpression on that Query.
   */
  async list(query: TicketQuery): Promise<Page<Ticket>> {
    if (query.tag) return this.listByTag(query);
    const plan = planTicketQuery(query);
    const filter = buildFilter(query, plan.covered);
    const page = await this.queryFiltered(plan, filter, query.limit, query.cursor);
    return { items: page.items.map(toTicket), nextCursor: page.nextCursor };
  }

  private async listByTag(query: TicketQuery): Promise<Page<Ticket>> {
    const partition = `TG#${query.tag}`;
    const startKey = decodeCursor(query.cursor, {
      partitionAttribute: 'gsi4pk',
      partitionValue: partition,
      attributes: ['pk', 'sk', 'gsi4pk', 'gsi4sk'],
    });
    const matches: Ticket[] = [];
    let lastKey: Record<string, unknown> | undefined = startKey;
    for (let round = 0; round < MAX_FILTER_ROUNDS && matches.length < query.limit; round++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk',
          ExpressionAttributeValues: { ':pk': partition },
          ScanIndexForward: false,
          Limit: query.limit - matches.length,
          ExclusiveStartKey: lastKey,
        }),
      );
      const ids = (result.Items ?? []).map((item) => String(item.ticketId));
      const tickets = await this.batchGetTickets(ids);
      for (const ticket of tickets) if (matchesQuery(ticket, query)) matches.push(ticket);
      lastKey = result.LastEvaluatedKey;
      if (!lastKey) break;
    }
    return { items: matches, nextCursor: encodeCursor(lastKey) };
  }

  private async batchGetTickets(ids: string[]): Promise<Ticket[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, Ticket>();
    let pending: Record<string, unknown>[] = ids.map((id) => keys.ticket(id));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const result = await this.client.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending.slice(0, 100) } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const ticket = toTicket(item);
        found.set(ticket.id, ticket);
      }
      const unprocessed = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      pending = [...unprocessed, ...pending.slice(100)];
    }
    return ids.map((id) => found.get(id)).filter((t): t is Ticket => t !== undefined);
  }

  private async queryFiltered(
    plan: QueryPlan,
    filter: FilterParts,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    const pkName = `${plan.index}pk`;
    const skName = `${plan.index}sk`;
    let lastKey: Record<string, unknown> | undefined = decodeCursor(cursor, {
      partitionAttribute: pkName,
      partitionValue: plan.partition,
      attributes: ['pk', 'sk', pkName, skName],
      ...(plan.sortPrefix ? { sortPrefix: { attribute: skName, prefix: plan.sortPrefix } } : {}),
    });
    const items: Record<string, unknown>[] = [];
    const rounds = filter.expression ? MAX_FILTER_ROUNDS : 1;
    for (let round = 0; round < rounds && items.length < limit; round++) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        IndexName: plan.index,
        KeyConditionExpression: plan.sortPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': pkName,
          ...(plan.sortPrefix ? { '#sk': skName } : {}),
          ...filter.names,
        },
        ExpressionAttributeValues: {
          ':pk': plan.partition,
          ...(plan.sortPrefix ? { ':prefix': plan.sortPrefix } : {}),
          ...filter.values,
        },
        ScanIndexForward: false,
        Limit: limit - items.length,
        ExclusiveStartKey: lastKey,
      };
      if (filter.expression) input.FilterExpression = filter.expression;
      const result = await this.client.send(new QueryCommand(input));
      items.push(...(result.Items ?? []));
      lastKey = result.LastEvaluatedKey;
      if (!lastKey) break;
    }
    return { items, nextCursor: encodeCursor(lastKey) };
  }

  /** Access pattern: ticket timeline — Query pk=TICKET#id, begins_with(sk, 'TL#'), oldest first. */
  async timeline(
    ticketId: string,
    options: { limit: number; cursor?: string; includeNotes: boolean },
  ): Promise<Page<TimelineEntry>> {
    const partition = keys.ticket(ticketId).pk;
    const startKey = decodeCursor(options.cursor, {
      partitionAttribute: 'pk',
      partitionValue: partition,
      attributes: ['pk', 'sk'],
    });
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': partition,
          ':prefix': keys.timelinePrefix,
          ...(options.includeNotes ? {} : { ':note': 'note' }),
        },
        ...(options.includeNotes ? {} : { FilterExpression: 'kind <> :note' }),
        ScanIndexForward: true,
        Limit: options.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return {
      items: (result.Items ?? []).map((item) => TimelineEntrySchema.parse(item)),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  }

  /** Access pattern: tickets of a customer (gsi4 TC#id), each re-pointed with a conditional UpdateItem. */
  async reassignCustomer(fromCustomerId: string, toCustomerId: string, at: string): Promise<number> {
    let moved = 0;
    let lastKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi4',
          KeyConditionExpression: 'gsi4pk = :pk',
          ExpressionAttributeValues: { ':pk': `TC#${fromCustomerId}` },
          ProjectionExpression: 'id',
          ExclusiveStartKey: lastKey,
        }),
      );
      for (const item of page.Items ?? []) {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.ticket(String(item.id)),
            UpdateExpression: 'SET customerId = :to, gsi4pk = :pk, updatedAt = :at ADD #version :one',
            ConditionExpression: 'customerId = :from',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: {
              ':to': toCustomerId,
              ':pk': `TC#${toCustomerId}`,
              ':from': fromCustomerId,
              ':at': at,
              ':one': 1,
            },
          }),
        );
        moved++;
      }
      lastKey = page.LastEvaluatedKey;
    } while (lastKey);
    return moved;
  }
}

interface QueryPlan {
  index: IndexName;
  partition: string;
  sortPrefix?: string;
  /** Query fields the key condition already guarantees. */
  covered: ReadonlySet<keyof TicketQuery>;
}

/** Picks the index whose key covers the most selective filters of the query. */
export function planTicketQuery(query: TicketQuery): QueryPlan {
  const status = query.status
    ? { sortPrefix: statusOrderPrefix(query.status), covered: ['status'] as (keyof TicketQuery)[] }
    : { covered: [] as (keyof TicketQuery)[] };
  const withStatus = (index: IndexName, partition: string, field?: keyof TicketQuery): QueryPlan => ({
    index,
    partition,
    ...(status.sortPrefix ? { sortPrefix: status.sortPrefix } : {}),
    covered: new Set([...status.covered, ...(field ? [field] : [])]),
  });
  if (query.assigneeId) return withStatus('gsi3', `TA#${query.assigneeId}`, 'assigneeId');
  if (query.customerId)
    return { index: 'gsi4', partition: `TC#${query.customerId}`, covered: new Set(['customerId']) };
  if (query.departmentId) return withStatus('gsi1', `TD#${query.departmentId}`, 'departmentId');
  return withStatus('gsi2', 'TALL');
}

interface FilterParts {
  expression?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const FILTERABLE = ['status', 'departmentId', 'assigneeId', 'customerId', 'priority'] as const;

function buildFilter(query: TicketQuery, covered: ReadonlySet<keyof TicketQuery>): FilterParts {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const field of FILTERABLE) {
    const value = query[field];
    if (value === undefined || covered.has(field)) continue;
    names[`#f_${field}`] = field;
    if (value === NONE && (field === 'departmentId' || field === 'assigneeId')) {
      values[':nullType'] = 'NULL';
      clauses.push(`attribute_type(#f_${field}, :nullType)`);
    } else {
      values[`:f_${field}`] = value;
      clauses.push(`#f_${field} = :f_${field}`);
    }
  }
  const principal = query.visibleTo;
  if (principal && !canSuperviseDesk(principal)) {
    names['#v_dept'] = 'departmentId';
    names['#v_assignee'] = 'assigneeId';
    values[':v_null'] = 'NULL';
    values[':v_me'] = principal.agentId;
    const departments = principal.departmentIds.map((id, i) => {
      values[`:v_d${i}`] = id;
      return `:v_d${i}`;
    });
    const inDepartments = departments.length ? ` OR #v_dept IN (${departments.join(', ')})` : '';
    clauses.push(`(attribute_type(#v_dept, :v_null) OR #v_assignee = :v_me${inDepartments})`);
  }
  return clauses.length ? { expression: clauses.join(' AND '), names, values } : { names, values };
}

function matchesQuery(ticket: Ticket, query: TicketQuery): boolean {
  for (const field of FILTERABLE) {
    const wanted = query[field];
    if (wanted === undefined) continue;
    const actual = ticket[field] ?? NONE;
    if (actual !== wanted) return false;
  }
  return query.visibleTo ? canListTicket(query.visibleTo, ticket) : true;
}
