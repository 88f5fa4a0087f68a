import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes } from '../adapters/dynamodb/errors.js';
import { keys } from '../adapters/dynamodb/keys.js';

const MARKER_TTL_SECONDS = 2 * 24 * 60 * 60;
/** Records per roll-up transaction: one marker each plus one update per day stays under the 100-item limit. */
export const RECORDS_PER_TRANSACTION = 40;

interface TicketImage {
  status?: unknown;
  channel?: unknown;
  createdAt?: unknown;
  updatedAt?: unknown;
}

export interface RollupChange {
  day: string;
  counter: string;
}

/** The roll-up changes one stream record carries. */
export interface RecordRollups {
  eventId: string;
  changes: RollupChange[];
}

/** The daily counters a ticket change moves: `created:<channel>` on insert, `solved` when it becomes solved. */
export function rollupsFor(
  oldImage: TicketImage | undefined,
  newImage: TicketImage | undefined,
): RollupChange[] {
  const out: RollupChange[] = [];
  if (!oldImage && newImage && typeof newImage.createdAt === 'string') {
    out.push({ day: newImage.createdAt.slice(0, 10), counter: `created:${String(newImage.channel)}` });
  }
  if (
    oldImage &&
    newImage &&
    newImage.status === 'solved' &&
    oldImage.status !== 'solved' &&
    typeof newImage.updatedAt === 'string'
  ) {
    out.push({ day: newImage.updatedAt.slice(0, 10), counter: 'solved' });
  }
  return out;
}

/**
 * Access pattern: daily roll-up — TransactWriteItems: Put STREAMSEEN#eventId
 * for each record (only if absent) + one UpdateItem ADD per day on
 * METRIC#tickets / day. Records are applied up to 40 per transaction; if a
 * chunk holds a record already applied (a redelivery), that chunk is applied
 * record by record so each counts exactly once.
 */
export async function applyRollups(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: RecordRollups[],
): Promise<void> {
  const pending = records.filter((record) => record.changes.length > 0);
  for (let start = 0; start < pending.length; start += RECORDS_PER_TRANSACTION) {
    const chunk = pending.slice(start, start + RECORDS_PER_TRANSACTION);
    const applied = await writeRollups(client, tableName, chunk);
    if (!applied && chunk.length > 1) {
      for (const record of chunk) await writeRollups(client, tableName, [record]);
    }
  }
}

/** One transaction for a set of records; false when one of them was applied before (nothing written). */
async function writeRollups(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: RecordRollups[],
): Promise<boolean> {
  const ttl = Math.floor(Date.now() / 1000) + MARKER_TTL_SECONDS;
  const byDay = new Map<string, Map<string, number>>();
  for (const { changes } of records) {
    for (const { day, counter } of changes) {
      const counters = byDay.get(day) ?? new Map<string, number>();
      counters.set(counter, (counters.get(counter) ?? 0) + 1);
      byDay.set(day, counters);
    }
  }
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          ...records.map(({ eventId }) => ({
            Put: {
              TableName: tableName,
              Item: { pk: `STREAMSEEN#${eventId}`, sk: 'STREAMSEEN', ttl },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
          ...[...byDay].map(([day, counters]) => {
            const entries = [...counters];
            return {
              Update: {
                TableName: tableName,
                Key: keys.metric('tickets', day),
                UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :n${i}`).join(', ')}`,
                ExpressionAttributeNames: Object.fromEntries(
                  entries.map(([counter], i) => [`#c${i}`, counter]),
                ),
                ExpressionAttributeValues: Object.fromEntries(entries.map(([, n], i) => [`:n${i}`, n])),
              },
            };
          }),
        ],
      }),
    );
    return true;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.slice(0, records.length).includes('ConditionalCheckFailed')) return false;
    throw error;
  }
}
