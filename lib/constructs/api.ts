import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTE_GROUP_ENTRY, ROUTES, type RouteGroup } from '../../functions/api/routes.js';
import type { DeploymentConfig } from '../config.js';
import { grantTableReadWrite, HelpdeskFunction } from './helpdesk-function.js';

/**
 * What each route group may do with the table. A `Record` over every group, so
 * adding a group to `routes.ts` does not compile until its access is decided.
 */
const TABLE_ACCESS: Record<RouteGroup, 'none' | 'read-write'> = {
  meta: 'none',
  public: 'read-write',
  tickets: 'read-write',
  customers: 'read-write',
  directory: 'read-write',
  sla: 'read-write',
  blueprints: 'read-write',
  fields: 'read-write',
  views: 'read-write',
};

/** Cognito groups an agent can be in; the API reads them from the `cognito:groups` claim. */
export const AGENT_GROUPS = ['admin', 'supervisor', 'agent'] as const;

const CORS_METHOD: Record<(typeof ROUTES)[number]['method'], apigwv2.CorsHttpMethod> = {
  GET: apigwv2.CorsHttpMethod.GET,
  POST: apigwv2.CorsHttpMethod.POST,
  PATCH: apigwv2.CorsHttpMethod.PATCH,
  PUT: apigwv2.CorsHttpMethod.PUT,
  DELETE: apigwv2.CorsHttpMethod.DELETE,
};

export interface ApiProps {
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITableV2;
  /** Origins the SPA is served from (`https://...`), the only ones CORS lets in. */
  readonly allowedOrigins: string[];
}

function pascalCase(value: string): string {
  return value.replace(/(^|[-_])([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase());
}

/**
 * The HTTP API: a Cognito user pool for agents, one Lambda per route group of
 * `functions/api/routes.ts`, one API Gateway route per route of that table
 * (with the JWT authorizer where the route says `jwt`), CORS for the SPA's
 * origin only, and a throttled, access-logged `$default` stage.
 */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly authorizer: HttpJwtAuthorizer;
  /** The function serving each route group. */
  readonly functions: Record<RouteGroup, HelpdeskFunction>;
  /** Base URL of the API, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config, table } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    // Agent accounts. Retained: deleting the stateless stack must not delete the agents.
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: { off: cognito.Mfa.OFF, optional: cognito.Mfa.OPTIONAL, required: cognito.Mfa.REQUIRED }[
        config.mfa
      ],
      mfaSecondFactor: config.mfa === 'off' ? undefined : { otp: true, sms: false },
      featurePlan:
        config.cognitoFeaturePlan === 'plus' ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
      standardThreatProtectionMode:
        config.cognitoFeaturePlan === 'plus' ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (config.cognitoFeaturePlan !== 'plus') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Essentials plan is the default to keep a small desk cheap; threat protection (Plus plan) is one ' +
          'setting away: helpdesk.cognitoFeaturePlan = "plus".',
      });
    }
    if (config.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA (TOTP) is offered to every agent; requiring it is a deployment choice: helpdesk.mfa = "required".',
      });
    }
    AGENT_GROUPS.forEach((groupName, precedence) => {
      new cognito.CfnUserPoolGroup(this, `${pascalCase(groupName)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName,
        precedence,
        description: `Help desk ${groupName}s`,
      });
    });

    this.userPoolClient = this.userPool.addClient('SpaClient', {
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.authorizer = new HttpJwtAuthorizer('AgentJwt', this.userPool.userPoolProviderUrl, {
      jwtAudience: [this.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    const allowMethods = [...new Set(ROUTES.map((route) => CORS_METHOD[route.method]))];
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: `Help desk API (${config.deskName})`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.allowedOrigins,
        allowMethods: [...allowMethods, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
        exposeHeaders: ['ETag', 'Location'],
        allowCredentials: false,
        maxAge: Duration.hours(1),
      },
    });

    const accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottling.rateLimit, burstLimit: config.apiThrottling.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });
    this.url = this.httpApi.apiEndpoint;

    const environment = {
      DESK_NAME: config.deskName,
      PUBLIC_RATE_LIMIT_PER_MINUTE: String(config.publicFormRateLimitPerMinute),
    };
    const groups = Object.keys(ROUTE_GROUP_ENTRY) as RouteGroup[];
    const functions = {} as Record<RouteGroup, HelpdeskFunction>;
    const integrations = {} as Record<RouteGroup, HttpLambdaIntegration>;
    for (const group of groups) {
      const fn = new HelpdeskFunction(this, `${pascalCase(group)}Function`, {
        entry: ROUTE_GROUP_ENTRY[group],
        description: `Help desk API: ${group} routes`,
        table,
        logRetention,
        environment,
      });
      if (TABLE_ACCESS[group] === 'read-write') grantTableReadWrite(table, fn);
      functions[group] = fn;
      integrations[group] = new HttpLambdaIntegration(`${pascalCase(group)}Integration`, fn.function, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      });
    }
    this.functions = functions;

    // Desk management: admins create agents (Cognito user + role group) and move roles from the API;
    // new support addresses must be on the configured addresses' domains (the receipt rules cover those).
    const directory = functions.directory;
    directory.function.addEnvironment('USER_POOL_ID', this.userPool.userPoolId);
    directory.function.addEnvironment('SUPPORT_ADDRESSES', JSON.stringify(config.supportAddresses));
    directory.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminRemoveUserFromGroup',
        ],
        resources: [this.userPool.userPoolArn],
      }),
    );

    for (const route of ROUTES) {
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrations[route.group],
        authorizer: route.auth === 'jwt' ? this.authorizer : undefined,
      });
      if (route.auth === 'none' && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            `${route.method} ${route.path} is marked auth: 'none' in functions/api/routes.ts: public by design ` +
            '(health check, API description, customer web form rate-limited per client by its handler).',
        });
      }
    }

    // Stable output names: `npm run create-agent` and operators read them from the stack.
    const outputs: [string, string, string][] = [
      ['ApiUrl', this.url, 'Base URL of the help desk API'],
      ['UserPoolId', this.userPool.userPoolId, 'Cognito user pool of agents'],
      ['UserPoolClientId', this.userPoolClient.userPoolClientId, 'Cognito app client of the SPA'],
    ];
    for (const [name, value, description] of outputs) {
      new CfnOutput(this, name, { value, description }).overrideLogicalId(name);
    }
  }
}
