import type { FieldDefinition, Layout } from './model.js';

/** Every field definition and department layout of the desk: what checking a ticket's values needs. */
export interface FieldSetup {
  definitions: readonly FieldDefinition[];
  layouts: readonly Layout[];
}

/** What custom fields and layouts need from storage (DynamoDB: `DynamoFieldRepository`). */
export interface FieldStore {
  /** Every field definition, inactive ones included. */
  listDefinitions(): Promise<FieldDefinition[]>;
  /** Saves a definition if its stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putDefinition(
    definition: FieldDefinition,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number>;
  /** Every department's layout (departments without one have none). */
  listLayouts(): Promise<Layout[]>;
  getLayout(departmentId: string): Promise<Layout | null>;
  /** Saves a layout if its stored version is still `expectedVersion` (null: must not exist); returns the new version. */
  putLayout(layout: Layout, expectedVersion: number | null, by: string, at: Date): Promise<number>;
  /**
   * Definitions and layouts for checking ticket changes. An implementation
   * may cache them briefly (they change rarely); a save through the same
   * store is seen at once.
   */
  setup(): Promise<FieldSetup>;
}
