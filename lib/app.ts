/**
 * Composes the help desk's stacks into a CDK app: the stateful data stack and
 * the stateless help desk stack that uses its table. Shared by the CDK entry
 * point (`bin/helpdesk.ts`) and the infra tests, so both build the same thing.
 */
import type { App, Environment } from 'aws-cdk-lib';
import type { DeploymentConfig } from './config.js';
import { DataStack } from './stacks/data-stack.js';
import { HelpdeskStack } from './stacks/helpdesk-stack.js';

export interface HelpdeskStacks {
  readonly dataStack: DataStack;
  readonly helpdeskStack: HelpdeskStack;
}

export function addHelpdeskStacks(
  app: App,
  config: DeploymentConfig,
  options: { env?: Environment; webAssetPath?: string } = {},
): HelpdeskStacks {
  const dataStack = new DataStack(app, 'HelpdeskData', {
    ...(options.env ? { env: options.env } : {}),
    description: 'Open help desk: stateful resources (table, mail bucket), retained and deletion-protected',
  });
  const helpdeskStack = new HelpdeskStack(app, 'Helpdesk', {
    ...(options.env ? { env: options.env } : {}),
    description: 'Open help desk: API, functions, SPA hosting and monitoring (stateless)',
    config,
    table: dataStack.table,
    mailBucket: dataStack.mailBucket,
    mailSigningSecret: dataStack.mailSigningSecret,
    mailPolicies: dataStack.mailPolicies,
    ...(options.webAssetPath ? { webAssetPath: options.webAssetPath } : {}),
  });
  return { dataStack, helpdeskStack };
}
