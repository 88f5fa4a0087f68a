import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.js';
import { REPO_ROOT } from './helpdesk-function.js';
import { flattenCfnReference } from './nag.js';

export interface WebAppProps {
  /** Custom domain and certificate, or `null` for the CloudFront domain. */
  readonly spaDomain: DeploymentConfig['spaDomain'];
  /**
   * Directory holding the built SPA (with `index.html`).
   * @default `web/dist` in the repository (run `npm run build:web` first)
   */
  readonly assetPath?: string;
}

/** The SPA has not been built: there is nothing to upload. */
export class MissingSpaBuildError extends Error {
  constructor(readonly indexPath: string) {
    super(
      `The SPA build is missing: ${indexPath} does not exist. ` +
        'Run `npm run build:web` first, then synthesize or deploy again.',
    );
    this.name = 'MissingSpaBuildError';
  }
}

/** The runtime configuration the SPA fetches from `/config.json`. */
export interface SpaRuntimeConfig {
  readonly apiUrl: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly deskName: string;
}

/**
 * SPA hosting: a private S3 bucket read only by CloudFront (origin access
 * control), HTTPS only, security headers, and client-side routing (unknown
 * paths serve `index.html`). The build output is uploaded by
 * {@link WebApp.deploySite} together with a generated `/config.json` that tells
 * the SPA where the API and the user pool are.
 */
export class WebApp extends Construct {
  readonly bucket: s3.Bucket;
  readonly logsBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://` origin(s) the SPA is served from: the CloudFront domain and the custom domain if any. */
  readonly origins: string[];
  /** The URL agents open. */
  readonly url: string;
  private readonly assetPath: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);

    this.assetPath = props.assetPath ?? path.join(REPO_ROOT, 'web', 'dist');
    if (!fs.existsSync(path.join(this.assetPath, 'index.html'))) {
      throw new MissingSpaBuildError(path.join(this.assetPath, 'index.html'));
    }

    // CloudFront standard logs need ACLs on the target bucket (the log delivery account writes with an ACL).
    this.logsBucket = new s3.Bucket(this, 'LogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access log destination; logging it into itself would loop.',
    });

    // Only build output lives here, so RETAIN costs little; it is still retained (not
    // auto-emptied) to avoid a custom-resource Lambda and to keep the last good build.
    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
    });

    const region = Stack.of(this).region;
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Help desk SPA security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: [
            "default-src 'self'",
            `connect-src 'self' https://*.execute-api.${region}.${Aws.URL_SUFFIX} https://cognito-idp.${region}.${Aws.URL_SUFFIX}`,
            "img-src 'self' data: blob:",
            "style-src 'self' 'unsafe-inline'",
            "script-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
          ].join('; '),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365 * 2),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    const domain = props.spaDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Help desk SPA',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      // Client-side routing: a deep link such as /tickets/42 is no object in the
      // bucket (S3 answers 403 to CloudFront, 404 with list rights): serve the SPA.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            // Only meaningful with a custom certificate: the default one is fixed by CloudFront.
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A help desk serves customers and agents worldwide; no geographic restriction applies.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static build output only; the API is protected by the JWT authorizer, ' +
          'stage throttling and the per-client rate limit of the public form. WAF can be added per deployment.',
      },
    );
    if (!domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose viewer ' +
          'protocol cannot be pinned; with helpdesk.spaDomain set, TLSv1.2_2021 is the minimum.',
      });
    }

    this.origins = [`https://${this.distribution.distributionDomainName}`];
    if (domain) this.origins.push(`https://${domain.domainName}`);
    this.url = domain
      ? `https://${domain.domainName}`
      : `https://${this.distribution.distributionDomainName}`;
    new CfnOutput(this, 'Url', { value: this.url, description: 'Open this URL to use the help desk' });
  }

  /**
   * Uploads the SPA build and its `/config.json`. Hashed assets are cached for a
   * year; `index.html` and `config.json` are revalidated on every load, and
   * CloudFront is invalidated, so a deployment is visible at once. Old hashed
   * assets are kept (no pruning) for tabs still running the previous build.
   */
  deploySite(runtimeConfig: SpaRuntimeConfig): void {
    const site = new s3assets.Asset(this, 'SiteAsset', { path: this.assetPath });
    const siteSource = () => s3deploy.Source.bucket(site.bucket, site.s3ObjectKey);

    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      sources: [siteSource()],
      destinationBucket: this.bucket,
      exclude: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
      memoryLimit: 512,
    });

    const config = {
      apiUrl: runtimeConfig.apiUrl,
      auth: {
        mode: 'cognito',
        region: Stack.of(this).region,
        userPoolId: runtimeConfig.userPoolId,
        userPoolClientId: runtimeConfig.userPoolClientId,
      },
      deskName: runtimeConfig.deskName,
    };
    const entry = new s3deploy.BucketDeployment(this, 'DeployEntry', {
      sources: [siteSource(), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // index.html must never reference assets that are not uploaded yet.
    entry.node.addDependency(assets);

    this.acknowledgeDeploymentHandler(assets, site);
  }

  /**
   * The BucketDeployment handler is a CDK-provided singleton Lambda (one per
   * stack and memory size) whose role and runtime CDK chooses. Its findings are
   * acknowledged one by one, naming the exact resources, so that any new
   * wildcard it gains is reported again.
   */
  private acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment, site: s3assets.Asset): void {
    const handler = deployment.handlerRole.node.scope;
    if (!handler) throw new Error('BucketDeployment handler role has no parent construct');
    const stack = Stack.of(this);
    const flat = (value: string) => flattenCfnReference(stack.resolve(value));
    const basicExecutionRole = iam.ManagedPolicy.fromAwsManagedPolicyName(
      'service-role/AWSLambdaBasicExecutionRole',
    ).managedPolicyArn;
    const cdkManaged = 'CDK-managed BucketDeployment handler (uploads the SPA build to the site bucket)';
    Validations.of(handler).acknowledge(
      {
        id: `AwsSolutions-IAM4[Policy::${flat(basicExecutionRole)}]`,
        reason: `${cdkManaged}: CDK attaches AWSLambdaBasicExecutionRole for its logs.`,
      },
      ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `${cdkManaged}: CDK grants this action group on the asset bucket (read) and the site bucket (sync) only.`,
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${flat(site.bucket.arnForObjects('*'))}]`,
        reason: `${cdkManaged}: reads the zipped build from the CDK asset bucket.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${flat(this.bucket.arnForObjects('*'))}]`,
        reason: `${cdkManaged}: writes the objects of the site bucket, whose keys are the build's file names.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `${cdkManaged}: cloudfront:CreateInvalidation/GetInvalidation, granted by CDK on "*".`,
      },
      {
        id: 'AwsSolutions-L1',
        reason: `${cdkManaged}: CDK pins the runtime of its handler (Python, with the AWS CLI layer).`,
      },
    );
  }
}
