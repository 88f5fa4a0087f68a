import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelpdeskFunction } from '../../lib/constructs/helpdesk-function.js';
import { cdkJsonContext, logicalId } from './synth.js';

/**
 * The other infra tests skip bundling for speed; this one really bundles a
 * small fixture with the HelpdeskFunction defaults (local esbuild, no Docker),
 * the way `cdk synth` bundles the real handlers.
 */
let outdir: string;
let bundleDir: string;
let functionProperties: Record<string, unknown>;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'helpdesk-bundle-'));
  const { helpdesk: _defaults, ...featureFlags } = cdkJsonContext();
  const app = new App({ outdir, context: featureFlags, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Bundling');
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const fn = new HelpdeskFunction(stack, 'Fixture', {
    entry: 'test/infra/fixtures/esm-handler.ts',
    table,
    logRetention: 7,
  });
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundling').template as {
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };
  functionProperties = template.Resources[logicalId(fn.function)]?.Properties ?? {};
  const s3Key = (functionProperties.Code as { S3Key: string }).S3Key;
  bundleDir = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
}, 60_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('HelpdeskFunction bundling', () => {
  it('emits a minified ES module with the createRequire banner', () => {
    const bundle = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
    expect(
      bundle.startsWith("import { createRequire } from 'node:module'; const require = createRequire("),
    ).toBe(true);
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(bundle.split('\n').length).toBeLessThan(10);
  });

  it('ships a source map and turns source maps on', () => {
    expect(existsSync(path.join(bundleDir, 'index.mjs.map'))).toBe(true);
    expect(functionProperties.Environment).toMatchObject({
      Variables: { NODE_OPTIONS: '--enable-source-maps' },
    });
  });

  it('runs the `handler` export of index.mjs on Node.js 22, arm64', () => {
    expect(functionProperties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
  });
});
