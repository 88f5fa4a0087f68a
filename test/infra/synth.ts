/**
 * Builds the help desk CDK app the way `bin/helpdesk.ts` does, for assertions:
 * same feature flags (read from cdk.json), same stacks, a test configuration,
 * and a throw-away SPA build (a temporary directory with a minimal
 * index.html), so the infra tests depend neither on `npm run build:web` nor
 * on the function bundles (bundling is skipped with the standard
 * `aws:cdk:bundling-stacks` context; assets then point at the sources).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addHelpdeskStacks } from '../../lib/app.js';
import {
  type DeploymentConfig,
  type DeploymentConfigInput,
  parseDeploymentConfig,
} from '../../lib/config.js';
import { REPO_ROOT } from '../../lib/constructs/helpdesk-function.js';
import type { DataStack } from '../../lib/stacks/data-stack.js';
import type { HelpdeskStack } from '../../lib/stacks/helpdesk-stack.js';

/** The configuration the tests deploy: cdk.json's defaults plus an alarm email. */
export const TEST_CONFIG: DeploymentConfigInput = {
  deskName: 'Test Desk',
  alarmEmail: 'ops@example.com',
  publicFormRateLimitPerMinute: 7,
  apiThrottling: { rateLimit: 25, burstLimit: 40 },
  logRetentionDays: 14,
};

/** The `context` of cdk.json: feature flags and the `helpdesk` defaults. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** An App with cdk.json's feature flags, for tests that build a construct on its own. */
export function featureFlagApp(): App {
  const { helpdesk: _defaults, ...featureFlags } = cdkJsonContext();
  return new App({
    context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
}

export interface SynthesizedHelpdesk {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly dataStack: DataStack;
  readonly helpdeskStack: HelpdeskStack;
  readonly data: Template;
  readonly helpdesk: Template;
  /** Removes the temporary SPA build and cloud assembly. */
  cleanup(): void;
}

/** A temporary directory holding a minimal SPA build (`index.html`). */
export function makeSiteBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'helpdesk-site-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Help desk</title><div id="root"></div>');
  return dir;
}

/** Creates both stacks with `overrides` on top of {@link TEST_CONFIG} and synthesizes them once. */
export function synthHelpdesk(overrides: DeploymentConfigInput = {}): SynthesizedHelpdesk {
  const { helpdesk: defaults, ...featureFlags } = cdkJsonContext();
  const siteDir = makeSiteBuild();
  const outdir = mkdtempSync(path.join(tmpdir(), 'helpdesk-cdk-out-'));
  const app = new App({
    outdir,
    context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] },
    // CDK's built-in CloudFormation schema checks take seconds; `cdk synth` still runs them.
    builtinCloudFormationValidation: false,
  });
  const config = parseDeploymentConfig({ ...(defaults as object), ...TEST_CONFIG, ...overrides });
  const { dataStack, helpdeskStack } = addHelpdeskStacks(app, config, { webAssetPath: siteDir });
  return {
    app,
    config,
    dataStack,
    helpdeskStack,
    data: Template.fromStack(dataStack),
    helpdesk: Template.fromStack(helpdeskStack),
    cleanup() {
      rmSync(siteDir, { recursive: true, force: true });
      rmSync(outdir, { recursive: true, force: true });
    },
  };
}

/** The logical id CloudFormation knows a construct (or its default child) by. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

/** AwsSolutions findings (errors and warnings) that are not acknowledged, as readable lines. */
export function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
    ),
  );
}

type Json = Record<string, unknown>;

/**
 * The export name under which `template` (the producer) exports `Ref` of a
 * resource (`attribute` undefined) or `Fn::GetAtt` of one of its attributes.
 */
export function exportNameOf(template: Template, resourceLogicalId: string, attribute?: string): string {
  const value = attribute ? { 'Fn::GetAtt': [resourceLogicalId, attribute] } : { Ref: resourceLogicalId };
  for (const output of Object.values(template.toJSON().Outputs ?? {}) as Json[]) {
    if (output.Export && JSON.stringify(output.Value) === JSON.stringify(value)) {
      return (output.Export as { Name: string }).Name;
    }
  }
  throw new Error(`no export of ${JSON.stringify(value)}`);
}

/** Every IAM policy statement in a template: inline role policies and AWS::IAM::Policy documents. */
export function policyStatements(template: Template): Array<{ resource: string; statement: Json }> {
  const out: Array<{ resource: string; statement: Json }> = [];
  const add = (resource: string, document: unknown) => {
    const statements = (document as { Statement?: Json | Json[] } | undefined)?.Statement ?? [];
    for (const statement of Array.isArray(statements) ? statements : [statements])
      out.push({ resource, statement });
  };
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    add(id, (policy.Properties as Json).PolicyDocument);
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of ((role.Properties as Json).Policies as Json[] | undefined) ?? [])
      add(id, inline.PolicyDocument);
  }
  return out;
}

/** `Action` of a statement as an array. */
export function actionsOf(statement: Json): string[] {
  const action = statement.Action as string | string[] | undefined;
  return action === undefined ? [] : Array.isArray(action) ? action : [action];
}

/** `Resource` of a statement as an array. */
export function resourcesOf(statement: Json): unknown[] {
  const resource = statement.Resource;
  return resource === undefined ? [] : Array.isArray(resource) ? resource : [resource];
}
