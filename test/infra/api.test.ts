import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/dynamodb/table-definition.js';
import { ROUTE_GROUP_ENTRY, ROUTES, type RouteGroup, routeKey } from '../../functions/api/routes.js';
import { AGENT_GROUPS } from '../../lib/constructs/api.js';
import { TABLE_READ_WRITE_ACTIONS } from '../../lib/constructs/helpdesk-function.js';
import {
  actionsOf,
  exportNameOf,
  logicalId,
  policyStatements,
  resourcesOf,
  type SynthesizedHelpdesk,
  synthHelpdesk,
} from './synth.js';

let synth: SynthesizedHelpdesk;
let template: Template;

beforeAll(() => {
  synth = synthHelpdesk();
  template = synth.helpdesk;
}, 60_000);
afterAll(() => synth?.cleanup());

const groups = Object.keys(ROUTE_GROUP_ENTRY) as RouteGroup[];
type Resource = { Properties: Record<string, unknown> };

function routesByKey(): Map<string, Resource> {
  const routes = new Map<string, Resource>();
  for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
    routes.set(route.Properties.RouteKey as string, route as Resource);
  }
  return routes;
}

function tableArnExport(): string {
  return exportNameOf(synth.data, logicalId(synth.dataStack.table), 'Arn');
}

function functionLogicalId(group: RouteGroup): string {
  return logicalId(synth.helpdeskStack.api.functions[group].function);
}

function roleStatements(group: RouteGroup) {
  const roleId = logicalId(synth.helpdeskStack.api.functions[group].role);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) => {
    const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    return statements;
  });
}

describe('HTTP API routes, derived from ROUTES', () => {
  it('has exactly one API Gateway route per entry of ROUTES', () => {
    expect([...routesByKey().keys()].sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it("puts the Cognito JWT authorizer on every 'jwt' route", () => {
    const authorizerId = logicalId(synth.helpdeskStack.api.httpApi.node.findChild('AgentJwt'));
    const routes = routesByKey();
    for (const route of ROUTES.filter((r) => r.auth === 'jwt')) {
      expect(routes.get(routeKey(route))?.Properties, routeKey(route)).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it("leaves every 'none' route without an authorizer", () => {
    const routes = routesByKey();
    const publicRoutes = ROUTES.filter((r) => r.auth === 'none');
    expect(publicRoutes.length).toBeGreaterThan(0);
    for (const route of publicRoutes) {
      const properties = routes.get(routeKey(route))?.Properties;
      expect(properties?.AuthorizationType, routeKey(route)).toBe('NONE');
      expect(properties?.AuthorizerId, routeKey(route)).toBeUndefined();
    }
  });

  it('sends each route to the function of its group', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const routes = routesByKey();
    for (const route of ROUTES) {
      const target = routes.get(routeKey(route))?.Properties.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationRef = target['Fn::Join'][1][1] as { Ref: string };
      const integration = integrations[integrationRef.Ref]?.Properties;
      expect(integration, routeKey(route)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionLogicalId(route.group), 'Arn'] },
      });
    }
  });

  it('validates JWTs issued by the user pool for the SPA client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::GetAtt': [logicalId(synth.helpdeskStack.api.userPool), 'ProviderURL'] },
        Audience: [{ Ref: logicalId(synth.helpdeskStack.api.userPoolClient) }],
      },
    });
  });

  it("allows CORS only from the SPA's CloudFront origin, with the API's headers", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [
          {
            'Fn::Join': [
              '',
              [
                'https://',
                { 'Fn::GetAtt': [logicalId(synth.helpdeskStack.webApp.distribution), 'DomainName'] },
              ],
            ],
          },
        ],
        AllowHeaders: Match.arrayWith(['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key']),
        ExposeHeaders: Match.arrayWith(['ETag']),
        AllowMethods: Match.arrayWith([...new Set(ROUTES.map((r) => r.method))]),
      },
    });
  });

  it('has a $default stage throttled from the config and logging access to a log group', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: synth.config.apiThrottling.rateLimit,
        ThrottlingBurstLimit: synth.config.apiThrottling.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
    const accessLogs = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) =>
      id.startsWith('ApiAccessLogs'),
    );
    expect(accessLogs).toHaveLength(1);
  });

  it('outputs the API URL, the user pool id and the client id under stable names', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.UserPoolId?.Value).toEqual({ Ref: logicalId(synth.helpdeskStack.api.userPool) });
    expect(outputs.UserPoolClientId?.Value).toEqual({
      Ref: logicalId(synth.helpdeskStack.api.userPoolClient),
    });
    expect(JSON.stringify(outputs.ApiUrl?.Value)).toContain(logicalId(synth.helpdeskStack.api.httpApi));
  });
});

describe('API functions', () => {
  it('has one function per route group, on Node.js 22 and arm64, traced, with its own log group', () => {
    for (const group of groups) {
      const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId(group)];
      expect(fn?.Properties, group).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalId(synth.helpdeskStack.api.functions[group].logGroup) } },
      });
      expect(fn?.Properties.ReservedConcurrentExecutions, group).toBeUndefined();
      expect(fn?.Properties.FunctionName, group).toBeUndefined();
    }
  });

  it('gives every function TABLE_NAME, DESK_NAME and PUBLIC_RATE_LIMIT_PER_MINUTE', () => {
    for (const group of groups) {
      const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId(group)];
      expect(fn?.Properties.Environment, group).toMatchObject({
        Variables: {
          TABLE_NAME: { 'Fn::ImportValue': exportNameOf(synth.data, logicalId(synth.dataStack.table)) },
          DESK_NAME: 'Test Desk',
          PUBLIC_RATE_LIMIT_PER_MINUTE: '7',
        },
      });
    }
  });

  it('retains log groups for the configured number of days', () => {
    const logGroupId = logicalId(synth.helpdeskStack.api.functions.tickets.logGroup);
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays).toBe(14);
  });

  it('gives the meta function no DynamoDB permission at all', () => {
    const statements = roleStatements('meta');
    expect(statements.length).toBeGreaterThan(0);
    const dynamoActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));
    expect(dynamoActions).toEqual([]);
  });

  it('gives the other groups item read/write on the table and Query on each index of TABLE only', () => {
    for (const group of groups.filter((g) => g !== 'meta')) {
      const dynamo = roleStatements(group).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo, group).toHaveLength(2);
      const [onTable, onIndexes] = dynamo;
      expect(actionsOf(onTable ?? {}).sort(), group).toEqual([...TABLE_READ_WRITE_ACTIONS].sort());
      expect(resourcesOf(onTable ?? {}), group).toEqual([{ 'Fn::ImportValue': tableArnExport() }]);
      expect(actionsOf(onIndexes ?? {}), group).toEqual(['dynamodb:Query']);
      expect(resourcesOf(onIndexes ?? {}), group).toEqual(
        TABLE.indexes.map((index) => ({
          'Fn::Join': ['', [{ 'Fn::ImportValue': tableArnExport() }, `/index/${index.name}`]],
        })),
      );
    }
  });
});

describe('IAM across the stateless stack', () => {
  it("has no statement allowing Action '*'", () => {
    for (const { resource, statement } of policyStatements(template)) {
      if (statement.Effect !== 'Allow') continue;
      expect(actionsOf(statement), resource).not.toContain('*');
    }
  });

  it("has no dynamodb:* or dynamodb:Scan anywhere, and no DynamoDB action on Resource '*'", () => {
    for (const { resource, statement } of policyStatements(template)) {
      const dynamo = actionsOf(statement).filter((action) => action.startsWith('dynamodb:'));
      expect(dynamo, resource).not.toContain('dynamodb:*');
      expect(dynamo, resource).not.toContain('dynamodb:Scan');
      if (dynamo.length > 0) expect(resourcesOf(statement), resource).not.toContain('*');
    }
  });
});

describe('Cognito', () => {
  it('has a retained user pool with admin-only sign-up, email sign-in and a strong password policy', () => {
    const pool =
      template.findResources('AWS::Cognito::UserPool')[logicalId(synth.helpdeskStack.api.userPool)];
    expect(pool?.DeletionPolicy).toBe('Retain');
    expect(pool?.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      DeletionProtection: 'ACTIVE',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  it('has the admin, supervisor and agent groups', () => {
    const names = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties.GroupName,
    );
    expect(names.sort()).toEqual([...AGENT_GROUPS].sort());
  });

  it('lets only the directory function create agents’ users and move their groups, on this user pool only', () => {
    const poolArn = { 'Fn::GetAtt': [logicalId(synth.helpdeskStack.api.userPool), 'Arn'] };
    const cognitoStatements = policyStatements(template).filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith('cognito-idp:')),
    );
    expect(cognitoStatements.map((s) => s.resource.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'ApiDirectoryFunctionRoleDefaultPolicy',
    ]);
    const [{ statement }] = cognitoStatements as [(typeof cognitoStatements)[number]];
    expect(actionsOf(statement).sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminRemoveUserFromGroup',
    ]);
    expect(resourcesOf(statement)).toEqual([poolArn]);
    const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId('directory')];
    const variables = (fn?.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    expect(variables?.USER_POOL_ID).toEqual({ Ref: logicalId(synth.helpdeskStack.api.userPool) });
    expect(JSON.parse(String(variables?.SUPPORT_ADDRESSES))).toEqual([
      { address: 'support@example.com', departmentId: 'general' },
    ]);
  });

  it('has a public SPA client (no secret) with password and SRP auth flows', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
    });
  });
});
