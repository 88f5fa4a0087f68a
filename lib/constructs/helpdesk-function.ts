import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: function entries are given relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * esbuild emits an ES module; CommonJS dependencies bundled into it still call
 * `require`, which ES modules do not have. This banner defines it.
 */
const ESM_REQUIRE_SHIM = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

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
        'permissions, nor does dynamodb:ListStreams (stream consumers); every other statement names its resource.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the pinned runtime of the project (local runtime and tests run the same major); ' +
        'moving to a newer runtime is a deliberate upgrade, not an automatic one.',
    });
  }
}
