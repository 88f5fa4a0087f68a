import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/adapters/dynamodb/table-definition.js';

/** The repository root: function entries are given relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * esbuild emits an ES module; CommonJS dependencies bundled into it still call
 * `require`, which ES modules do not have. This banner defines it.
 */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface HelpdeskFunctionProps {
  /** Handler module, relative to the repository root (e.g. `functions/api/tickets.ts`); it exports `handler`. */
  readonly entry: string;
  /** The help desk table; its name is passed as `TABLE_NAME`. Access is granted separately, per function. */
  readonly table: dynamodb.ITableV2;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  readonly description?: string;
  /** Extra environment variables (in addition to `TABLE_NAME`). */
  readonly environment?: Record<string, string>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
}

/**
 * A Lambda function with the house defaults: Node.js 22 on arm64, bundled
 * locally by esbuild as a minified ES module with source maps, X-Ray tracing,
 * and its own log group with a retention period. The execution role starts
 * with nothing but writing to that log group (and X-Ray); every other
 * permission is granted explicitly by the construct that uses the function.
 */
export class HelpdeskFunction extends Construct implements iam.IGrantable {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: HelpdeskFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });

    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole
    // managed policy: that policy lets the function write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        TABLE_NAME: props.table.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        banner: ESM_REQUIRE_SHIM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the function runs the SDK version the tests ran
        // against, not whichever version the Lambda runtime happens to ship.
        externalModules: [],
      },
    });
    this.grantPrincipal = this.function.grantPrincipal;

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) do not support resource-level ' +
        'permissions; every other statement of this role names its resource.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project targets and tests against (package engines, esbuild target ' +
        'node22); moving to a newer Lambda runtime is a deliberate upgrade, not an automatic one.',
    });
  }
}

/**
 * Item-level actions a function needs to read and write the table (including
 * the per-item checks of TransactWriteItems). No `Scan`: every access pattern
 * is a GetItem, a Query or a transaction.
 */
export const TABLE_READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;

/**
 * Grants read/write access to the help desk table: the item actions above on
 * the table, and `Query` on each index named in the table definition (no
 * `index/*` wildcard). Narrower than `grantReadWriteData`, which adds `Scan`
 * and stream reads.
 */
export function grantTableReadWrite(table: dynamodb.ITableV2, grantee: iam.IGrantable): iam.Grant {
  const onTable = iam.Grant.addToPrincipal({
    grantee,
    actions: [...TABLE_READ_WRITE_ACTIONS],
    resourceArns: [table.tableArn],
  });
  const onIndexes = iam.Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: TABLE.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
  });
  return onTable.combine(onIndexes);
}
