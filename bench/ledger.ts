/**
 * A call ledger for the benchmark: a second middleware on the runtime's
 * DynamoDB document client (added from here, nothing in functions/ changes)
 * that records every command with the capacity DynamoDB Local reported, and
 * attributes it to one of three sources:
 *
 * - `request`: the API handler's own work for the request;
 * - `auth`: the principal lookup (GetItem ORG / AGENT#id), cached 30 s per agent;
 * - `stream`: the events handler's roll-up transactions (STREAMSEEN# marker),
 *   which the local stream poller runs in this same process, asynchronously.
 *
 * `capacityMeter` (functions/adapters/dynamodb/capacity.ts) sums all three;
 * the ledger says which part is which, and whether DynamoDB Local reported
 * any capacity at all.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Source = 'request' | 'auth' | 'stream';

export interface SourceTotals {
  calls: number;
  read: number;
  write: number;
  transactions: number;
  /** Calls whose response carried no ConsumedCapacity. */
  unreported: number;
  /** Calls per command name, e.g. { GetItemCommand: 50 }. */
  commands: Record<string, number>;
  /** Milliseconds spent waiting for DynamoDB Local (SDK send to response), in total and per command name. */
  ms: number;
  commandMs: Record<string, number>;
}

export interface LedgerSnapshot {
  request: SourceTotals;
  auth: SourceTotals;
  stream: SourceTotals;
  /** Successful ticket-creating transactions (any source). */
  ticketCreates: number;
  /** Stream records the handler's roll-up transactions carried (one STREAMSEEN marker each). */
  rollups: number;
  lastStreamActivity: number;
}

interface ConsumedCapacityLike {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  CapacityUnits?: number;
}

type Item = Record<string, unknown>;
interface TransactInput {
  TransactItems?: { Put?: { Item?: Item; ConditionExpression?: string } }[];
}

const emptyTotals = (): SourceTotals => ({
  calls: 0,
  read: 0,
  write: 0,
  transactions: 0,
  unreported: 0,
  commands: {},
  ms: 0,
  commandMs: {},
});

export class CallLedger {
  private state: LedgerSnapshot = CallLedger.fresh();

  private static fresh(): LedgerSnapshot {
    return {
      request: emptyTotals(),
      auth: emptyTotals(),
      stream: emptyTotals(),
      ticketCreates: 0,
      rollups: 0,
      lastStreamActivity: 0,
    };
  }

  /** Installs the recording middleware on the runtime's document client. */
  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        const input = args.input as Item;
        const source = classify(command, input);
        const isCreate = command === 'TransactWriteItemsCommand' && createsTicket(input as TransactInput);
        if (source === 'stream') {
          this.state.rollups += ((input as TransactInput).TransactItems ?? []).filter((item) =>
            String(item.Put?.Item?.pk ?? '').startsWith('STREAMSEEN#'),
          ).length;
          this.state.lastStreamActivity = Date.now();
        }
        const started = performance.now();
        const result = await next(args);
        this.record(
          source,
          command,
          performance.now() - started,
          result.output as { ConsumedCapacity?: ConsumedCapacityLike | ConsumedCapacityLike[] },
        );
        if (isCreate) this.state.ticketCreates += 1;
        if (source === 'stream') this.state.lastStreamActivity = Date.now();
        return result;
      },
      { step: 'initialize', name: 'benchCallLedger' },
    );
  }

  private record(
    source: Source,
    command: string,
    ms: number,
    output: { ConsumedCapacity?: ConsumedCapacityLike | ConsumedCapacityLike[] },
  ): void {
    const totals = this.state[source];
    totals.calls += 1;
    totals.commands[command] = (totals.commands[command] ?? 0) + 1;
    totals.ms += ms;
    totals.commandMs[command] = (totals.commandMs[command] ?? 0) + ms;
    if (command === 'TransactWriteItemsCommand') totals.transactions += 1;
    const consumed = output.ConsumedCapacity;
    const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    if (entries.length === 0) totals.unreported += 1;
    const isWrite = /Put|Update|Delete|TransactWrite|BatchWrite/.test(command);
    for (const entry of entries) {
      const units = entry.CapacityUnits ?? 0;
      totals.read += entry.ReadCapacityUnits ?? (isWrite ? 0 : units);
      totals.write += entry.WriteCapacityUnits ?? (isWrite ? units : 0);
    }
  }

  snapshot(): LedgerSnapshot {
    return structuredClone(this.state);
  }

  /** Waits until the stream handler has rolled up every created ticket and has been idle for `quietMs`. */
  async drainStream(
    options: { quietMs?: number; timeoutMs?: number } = {},
  ): Promise<{ waitedMs: number; drained: boolean }> {
    const quiet = options.quietMs ?? 600;
    const started = Date.now();
    const deadline = started + (options.timeoutMs ?? 180_000);
    while (Date.now() < deadline) {
      const caughtUp = this.state.rollups >= this.state.ticketCreates;
      if (caughtUp && Date.now() - Math.max(this.state.lastStreamActivity, started) >= quiet) {
        return { waitedMs: Date.now() - started, drained: true };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { waitedMs: Date.now() - started, drained: false };
  }
}

function classify(command: string, input: Item): Source {
  if (command === 'TransactWriteItemsCommand') {
    const items = (input as TransactInput).TransactItems ?? [];
    if (items.some((item) => String(item.Put?.Item?.pk ?? '').startsWith('STREAMSEEN#'))) return 'stream';
  }
  if (command === 'GetItemCommand') {
    const key = input.Key as Item | undefined;
    if (key?.pk === 'ORG' && String(key.sk ?? '').startsWith('AGENT#')) return 'auth';
  }
  return 'request';
}

function createsTicket(input: TransactInput): boolean {
  return (input.TransactItems ?? []).some(
    (item) =>
      item.Put?.Item?.type === 'ticket' && item.Put.ConditionExpression === 'attribute_not_exists(pk)',
  );
}

/** The difference `after - before` of two snapshots' totals for one source. */
export function diffTotals(after: SourceTotals, before: SourceTotals): SourceTotals {
  const commands: Record<string, number> = {};
  const commandMs: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.commands)) {
    const delta = count - (before.commands[name] ?? 0);
    if (delta) {
      commands[name] = delta;
      commandMs[name] = (after.commandMs[name] ?? 0) - (before.commandMs[name] ?? 0);
    }
  }
  return {
    calls: after.calls - before.calls,
    read: after.read - before.read,
    write: after.write - before.write,
    transactions: after.transactions - before.transactions,
    unreported: after.unreported - before.unreported,
    commands,
    ms: after.ms - before.ms,
    commandMs,
  };
}
