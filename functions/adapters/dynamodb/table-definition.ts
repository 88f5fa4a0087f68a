/**
 * The one definition of the help desk's single DynamoDB table: key schema and
 * global secondary indexes. CDK (`lib/stacks/data-stack.ts`), the local runtime
 * and the integration tests all build the table from this object, so the three
 * can never drift apart. Every index projects ALL attributes: list endpoints
 * read a page from the index alone, with no follow-up GetItem per row.
 *
 * Access patterns per index are listed in `docs/access-patterns.md`.
 */
export interface IndexDefinition {
  /** Index name, also used as the `IndexName` of a Query. */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Items with this attribute (epoch seconds) expire: idempotency records, rate-limit windows. */
  timeToLiveAttribute: 'ttl',
  /** Stream view type: the events handler needs both images to see what changed. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  ] as const satisfies readonly IndexDefinition[],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];

/** All key attribute names (table and indexes); all are strings. */
export function keyAttributeNames(): string[] {
  const names = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of TABLE.indexes) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names];
}
