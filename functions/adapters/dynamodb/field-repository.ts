import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type FieldDefinition,
  FieldDefinitionSchema,
  type Layout,
  LayoutSchema,
} from '../../domain/fields/model.js';
import type { FieldSetup, FieldStore } from '../../domain/fields/ports.js';
import { keys } from './keys.js';
import { queryOrg } from './query-all.js';
import { putAuditedVersion } from './versioned-put.js';

/** How long the ticket path trusts the definitions and layouts it read (saves in this process refresh at once). */
const SETUP_TTL_MS = 30_000;

/**
 * Custom-field definitions (`ORG / FIELD#id`) and department layouts
 * (`ORG / LAYOUT#departmentId`) in the organisation partition, saved as
 * audited versions. `setup()` serves the ticket path from a short cache.
 */
export class DynamoFieldRepository implements FieldStore {
  private cached: { at: number; setup: Promise<FieldSetup> } | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Access pattern: custom fields — Query pk=ORG, begins_with(sk, 'FIELD#'). */
  async listDefinitions(): Promise<FieldDefinition[]> {
    const items = await queryOrg(this.client, this.tableName, 'FIELD#');
    return items.map((item) =>
      FieldDefinitionSchema.parse({ ...(item.definition as object), version: item.version }),
    );
  }

  /** Access pattern: save a custom field — PutItem ORG / FIELD#id, version-checked. */
  async putDefinition(
    definition: FieldDefinition,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    try {
      return await putAuditedVersion(
        this.client,
        this.tableName,
        {
          key: keys.fieldDefinition(definition.id),
          type: 'fieldDefinition',
          body: (version) => ({ definition: { ...definition, version } }),
          what: 'Custom field',
        },
        expectedVersion,
        by,
        at,
      );
    } finally {
      this.forget();
    }
  }

  /** Access pattern: field layouts — Query pk=ORG, begins_with(sk, 'LAYOUT#'). */
  async listLayouts(): Promise<Layout[]> {
    const items = await queryOrg(this.client, this.tableName, 'LAYOUT#');
    return items.map((item) => this.layoutOf(item));
  }

  /** Access pattern: a department's layout — GetItem ORG / LAYOUT#departmentId. */
  async getLayout(departmentId: string): Promise<Layout | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.fieldLayout(departmentId) }),
    );
    return result.Item ? this.layoutOf(result.Item) : null;
  }

  /** Access pattern: save a department's layout — PutItem ORG / LAYOUT#departmentId, version-checked. */
  async putLayout(layout: Layout, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    try {
      return await putAuditedVersion(
        this.client,
        this.tableName,
        {
          key: keys.fieldLayout(layout.departmentId),
          type: 'fieldLayout',
          body: (version) => ({ layout: { ...layout, version } }),
          what: 'Field layout',
        },
        expectedVersion,
        by,
        at,
      );
    } finally {
      this.forget();
    }
  }

  /** Definitions and layouts (both Queries above), cached for 30 s per store instance. */
  async setup(): Promise<FieldSetup> {
    const now = this.now();
    if (this.cached && now - this.cached.at < SETUP_TTL_MS) return this.cached.setup;
    const setup = Promise.all([this.listDefinitions(), this.listLayouts()]).then(
      ([definitions, layouts]) => ({ definitions, layouts }),
    );
    const entry = { at: now, setup };
    this.cached = entry;
    // A failed read is not remembered.
    setup.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return setup;
  }

  /** Drops the cached setup (after a save, so this process sees it at once). */
  forget(): void {
    this.cached = undefined;
  }

  private layoutOf(item: Record<string, unknown>): Layout {
    return LayoutSchema.parse({ ...(item.layout as object), version: item.version });
  }
}
