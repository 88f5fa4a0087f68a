import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** The per-item cancellation codes of a cancelled transaction, or undefined for any other error. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (
    error instanceof TransactionCanceledException ||
    (error as { name?: string })?.name === 'TransactionCanceledException'
  ) {
    return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) =>
      reason.Code === 'None' ? undefined : reason.Code,
    );
  }
  return undefined;
}
