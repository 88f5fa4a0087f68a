/**
 * The CDK app: reads the deployment configuration from the `helpdesk` context
 * key (cdk.json, or `-c helpdesk='{...}'`), validates it, and creates the two
 * stacks: the stateful data stack and the stateless help desk stack. The
 * AwsSolutions rules of cdk-nag (a validation plugin in cdk-nag 3) check every
 * resource at synthesis; a finding that is not acknowledged, with its reason,
 * next to its resource fails the synthesis.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addHelpdeskStacks } from '../lib/app.js';
import { DeploymentConfigError, parseDeploymentConfig } from '../lib/config.js';
import { MissingSpaBuildError } from '../lib/constructs/web-app.js';

function main(): void {
  const app = new App();
  const config = parseDeploymentConfig(app.node.tryGetContext('helpdesk'));

  // Environment-agnostic unless the CLI knows the account and region; nothing is looked up.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

  addHelpdeskStacks(app, config, { env });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

try {
  main();
} catch (error) {
  // Mistakes an operator can fix get their message only, not a stack trace.
  if (error instanceof DeploymentConfigError || error instanceof MissingSpaBuildError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
