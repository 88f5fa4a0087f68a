import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type BlueprintDefinition, BlueprintDefinitionSchema } from '../../domain/blueprints/definition.js';
import { type BlueprintRun, BlueprintRunSchema } from '../../domain/blueprints/runtime.js';
import { Conflict, VersionConflict } from '../../domain/shared/errors.js';
import type { Ticket, TimelineEntry } from '../../domain/tickets/model.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';
import { queryAll, queryOrg } from './query-all.js';
import { entryItem, ticketItem } from './ticket-repository.js';
import { putIfVersion, versionCondition } from './versioned-put.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface StoredRun {
  ticketId: string;
  run: BlueprintRun;
  startedAt: string;
  version: number;
}

export interface BlueprintHead {
  id: string;
  name: string;
  departmentId: string;
  latestVersion: number;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Blueprints on the table: published definitions are immutable versions
 * (`ORG / BLUEPRINT#id#v<n>`, zero-padded so they sort) under a head item
 * (`ORG / BLUEPRINTHEAD#id`, latest version); a ticket's run sits next to the
 * ticket (`TICKET#id / BLUEPRINT`), written in one transaction with the
 * ticket on entry and on every transition; per-blueprint dashboard counters
 * are one item (`METRIC#blueprint#id`).
 */
export class DynamoBlueprintRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: publish a blueprint version — TransactWriteItems: Put version if absent, Put head if its version matches. */
  async publish(definition: BlueprintDefinition, by: string, at: Date): Promise<void> {
    const head: BlueprintHead = {
      id: definition.id,
      name: definition.name,
      departmentId: definition.departmentId,
      latestVersion: definition.version,
      updatedAt: at.toISOString(),
      updatedBy: by,
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.blueprintVersion(definition.id, definition.version),
                  type: 'blueprint',
                  definition,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.blueprintHead(definition.id), type: 'blueprintHead', ...head },
                ...(definition.version === 1
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: 'latestVersion = :previous',
                      ExpressionAttributeValues: { ':previous': definition.version - 1 },
                    }),
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)) throw new VersionConflict('Blueprint', definition.version - 1);
      throw error;
    }
  }

  /** Access pattern: list blueprints — Query pk=ORG, begins_with(sk, 'BLUEPRINTHEAD#'). */
  async listHeads(): Promise<BlueprintHead[]> {
    const items = await queryOrg(this.client, this.tableName, 'BLUEPRINTHEAD#');
    return items.map((item) => ({
      id: String(item.id),
      name: String(item.name),
      departmentId: String(item.departmentId),
      latestVersion: Number(item.latestVersion),
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    }));
  }

  /** Access pattern: one version of a blueprint — GetItem ORG / BLUEPRINT#id#v. */
  async getVersion(id: string, version: number): Promise<BlueprintDefinition | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.blueprintVersion(id, version) }),
    );
    return result.Item ? BlueprintDefinitionSchema.parse(result.Item.definition) : null;
  }

  /** Latest versions of every blueprint (heads, then one GetItem per blueprint). */
  async listLatest(): Promise<BlueprintDefinition[]> {
    const heads = await this.listHeads();
    const found = await Promise.all(heads.map((h) => this.getVersion(h.id, h.latestVersion)));
    return found.filter((d): d is BlueprintDefinition => d !== null);
  }

  /** Access pattern: a ticket's run — GetItem TICKET#id / BLUEPRINT. */
  async getRun(ticketId: string): Promise<StoredRun | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.blueprintRun(ticketId) }),
    );
    const item = result.Item;
    if (!item) return null;
    return {
      ticketId,
      run: BlueprintRunSchema.parse(item.run),
      startedAt: String(item.startedAt),
      version: Number(item.version),
    };
  }

  /** Access pattern: save a run alone (task token, overdue) — PutItem if its version matches. */
  async saveRun(stored: StoredRun, expectedVersion: number): Promise<void> {
    await putIfVersion(this.client, this.tableName, runItem(stored), expectedVersion, 'Blueprint run');
  }

  /**
   * Access pattern: enter a blueprint or perform a transition —
   * TransactWriteItems: ticket Put if its version matches, run Put (new: if
   * absent; else if its version matches), timeline entries. Of two
   * concurrent transitions exactly one commits.
   */
  async commit(
    ticket: Ticket,
    expectedTicketVersion: number,
    run: StoredRun,
    expectedRunVersion: number | null,
    entries: TimelineEntry[],
  ): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: ticketItem(ticket),
          ...versionCondition(expectedTicketVersion),
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: runItem(run),
          ...versionCondition(expectedRunVersion),
        },
      },
      ...entries.map(
        (entry): TransactItem => ({ Put: { TableName: this.tableName, Item: entryItem(entry) } }),
      ),
    ];
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationCodes(error);
      if (reasons?.[1] === 'ConditionalCheckFailed' && expectedRunVersion === null) {
        throw new Conflict('This ticket already follows a blueprint');
      }
      if (reasons?.some((r) => r === 'ConditionalCheckFailed')) {
        throw new VersionConflict('Ticket', expectedTicketVersion);
      }
      throw error;
    }
  }

  /** Access pattern: dashboard counters — GetItem METRIC#blueprint#id / ALL. */
  async getMetrics(blueprintId: string): Promise<Record<string, number>> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.blueprintMetrics(blueprintId) }),
    );
    const out: Record<string, number> = {};
    for (const [name, value] of Object.entries(result.Item ?? {})) {
      if (name.startsWith('m_') && typeof value === 'number') out[name.slice(2)] = value;
    }
    return out;
  }

  /**
   * Access pattern: dashboard roll-up, once per stream record — TransactWriteItems:
   * Put STREAMSEEN#eventId if absent + UpdateItem ADD on METRIC#blueprint#id.
   * A redelivered record finds its marker and changes nothing.
   */
  async addMetrics(eventId: string, blueprintId: string, counters: Record<string, number>): Promise<void> {
    const names = Object.keys(counters);
    if (names.length === 0) return;
    const attributeNames: Record<string, string> = {};
    const values: Record<string, number> = {};
    const parts = names.map((name, i) => {
      attributeNames[`#c${i}`] = `m_${name}`;
      values[`:c${i}`] = counters[name] ?? 0;
      return `#c${i} :c${i}`;
    });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  pk: `STREAMSEEN#${eventId}`,
                  sk: 'STREAMSEEN',
                  ttl: Math.floor(Date.now() / 1000) + 2 * 24 * 60 * 60,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.blueprintMetrics(blueprintId),
                UpdateExpression: `ADD ${parts.join(', ')}`,
                ExpressionAttributeNames: attributeNames,
                ExpressionAttributeValues: values,
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return;
      throw error;
    }
  }

  /** Access pattern: runs not complete — Query gsi1 pk=BPACTIVE (restoring executions after a restart). */
  async listActiveRuns(): Promise<StoredRun[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': ACTIVE_RUNS_PARTITION },
    });
    return items.map((item) => ({
      ticketId: String(item.ticketId),
      run: BlueprintRunSchema.parse(item.run),
      startedAt: String(item.startedAt),
      version: Number(item.version),
    }));
  }
}

/** Runs still waiting sit in a sparse partition of gsi1, so their executions can be restored. */
export const ACTIVE_RUNS_PARTITION = 'BPACTIVE';

function runItem(stored: StoredRun): Record<string, unknown> {
  return {
    ...keys.blueprintRun(stored.ticketId),
    type: 'blueprintRun',
    ticketId: stored.ticketId,
    run: stored.run,
    startedAt: stored.startedAt,
    version: stored.version,
    ...(stored.run.completedAt === null
      ? { gsi1pk: ACTIVE_RUNS_PARTITION, gsi1sk: `${stored.startedAt}#${stored.ticketId}` }
      : {}),
  };
}
