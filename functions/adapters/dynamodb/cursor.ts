import { ValidationFailed } from '../../domain/shared/errors.js';

/**
 * Opaque pagination cursors: DynamoDB's LastEvaluatedKey as base64url JSON,
 * tied to the partition it came from. A cursor from another query, or a
 * tampered one, is a 400, never a read of another partition.
 */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  expected: {
    partitionAttribute: string;
    partitionValue: string;
    attributes: readonly string[];
    /** For begins_with queries: the sort key must lie in the queried range. */
    sortPrefix?: { attribute: string; prefix: string };
  },
): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const invalid = () =>
    new ValidationFailed('The cursor is not valid for this list; start again without it', {
      field: 'cursor',
    });
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const record = parsed as Record<string, unknown>;
  const names = Object.keys(record).sort();
  if (names.join(',') !== [...expected.attributes].sort().join(',')) throw invalid();
  for (const name of names) if (typeof record[name] !== 'string') throw invalid();
  if (record[expected.partitionAttribute] !== expected.partitionValue) throw invalid();
  const range = expected.sortPrefix;
  if (range && !String(record[range.attribute]).startsWith(range.prefix)) throw invalid();
  return record as Record<string, string>;
}
