import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Read/write capacity consumed by the table calls of this process, recorded
 * from `ReturnConsumedCapacity: 'TOTAL'`, which every call asks for (it is
 * free). The benchmark reads it to report units per operation.
 */
export const capacityMeter = {
  read: 0,
  write: 0,
  transactions: 0,
  reset(): void {
    this.read = 0;
    this.write = 0;
    this.transactions = 0;
  },
};

interface ConsumedCapacityLike {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  CapacityUnits?: number;
}

/** Adds a middleware that requests and records consumed capacity on every command. */
export function meterCapacity(client: DynamoDBDocumentClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      if (context.commandName === 'TransactWriteItemsCommand') capacityMeter.transactions += 1;
      const output = result.output as { ConsumedCapacity?: ConsumedCapacityLike | ConsumedCapacityLike[] };
      const consumed = output.ConsumedCapacity;
      for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        const isWrite = /Put|Update|Delete|TransactWrite|BatchWrite/.test(context.commandName ?? '');
        const units = entry.CapacityUnits ?? 0;
        capacityMeter.read += entry.ReadCapacityUnits ?? (isWrite ? 0 : units);
        capacityMeter.write += entry.WriteCapacityUnits ?? (isWrite ? units : 0);
      }
      return result;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
}
