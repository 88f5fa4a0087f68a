import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebApp } from '../../lib/constructs/web-app.js';
import {
  featureFlagApp,
  logicalId,
  makeSiteBuild,
  nagFindings,
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

const web = () => synth.helpdeskStack.webApp;

function distributionConfig(): Record<string, unknown> {
  const distribution = template.findResources('AWS::CloudFront::Distribution')[logicalId(web().distribution)];
  return distribution?.Properties.DistributionConfig as Record<string, unknown>;
}

describe('SPA bucket', () => {
  it('blocks all public access, is encrypted, and is retained', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(web().bucket)];
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(bucket?.Properties.BucketName).toBeUndefined();
  });

  it('lets only this CloudFront distribution read it (OAC), and only over TLS', () => {
    const policies = Object.values(
      template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: { Ref: logicalId(web().bucket) } },
      }),
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    const statements = document.Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: {
        StringEquals: {
          'AWS:SourceArn': {
            'Fn::Join': [
              '',
              expect.arrayContaining([':distribution/', { Ref: logicalId(web().distribution) }]),
            ],
          },
        },
      },
    });
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toEqual([
      expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });
});

describe('CloudFront distribution', () => {
  it('reads the bucket through an origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    const origins = distributionConfig().Origins as Array<Record<string, unknown>>;
    expect(origins).toHaveLength(1);
    expect(origins[0]).toMatchObject({
      DomainName: { 'Fn::GetAtt': [logicalId(web().bucket), 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
    });
  });

  it('serves index.html for the root and for unknown paths (403/404 -> /index.html, 200)', () => {
    const config = distributionConfig();
    expect(config.DefaultRootObject).toBe('index.html');
    const errors = config.CustomErrorResponses as Array<Record<string, unknown>>;
    for (const code of [403, 404]) {
      expect(errors).toContainEqual(
        expect.objectContaining({ ErrorCode: code, ResponseCode: 200, ResponsePagePath: '/index.html' }),
      );
    }
  });

  it('redirects HTTP to HTTPS and adds the security headers policy', () => {
    const behavior = distributionConfig().DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/^WebSecurityHeaders/) });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          StrictTransportSecurity: Match.objectLike({ Override: true, IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
        },
      },
    });
  });

  it('logs requests to the logs bucket', () => {
    expect(distributionConfig().Logging).toMatchObject({
      Bucket: { 'Fn::GetAtt': [logicalId(web().logsBucket), 'RegionalDomainName'] },
    });
  });
});

describe('site deployment', () => {
  it('uploads /config.json with the API URL, the Cognito ids and the desk name, then invalidates', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    const entry = deployments.find((d) => (d.Properties.SourceMarkers as unknown[] | undefined)?.length);
    expect(entry).toBeDefined();
    const markers = JSON.stringify(entry?.Properties.SourceMarkers);
    expect(markers).toContain(logicalId(synth.helpdeskStack.api.httpApi));
    expect(markers).toContain(logicalId(synth.helpdeskStack.api.userPool));
    expect(markers).toContain(logicalId(synth.helpdeskStack.api.userPoolClient));
    expect(markers).toContain('AWS::Region');
    expect(entry?.Properties).toMatchObject({
      DestinationBucketName: { Ref: logicalId(web().bucket) },
      DistributionId: { Ref: logicalId(web().distribution) },
      DistributionPaths: ['/*'],
    });
  });
});

describe('WebApp construct on its own', () => {
  it('refuses to synthesize without an SPA build and says how to make one', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'helpdesk-empty-'));
    try {
      const stack = new Stack(featureFlagApp(), 'NoBuild');
      expect(() => new WebApp(stack, 'Web', { spaDomain: null, assetPath: empty })).toThrow(
        /npm run build:web/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('serves a custom domain with its certificate and TLS 1.2 (2021) as the minimum', () => {
    const site = makeSiteBuild();
    try {
      const stack = new Stack(featureFlagApp(), 'CustomDomain');
      const webApp = new WebApp(stack, 'Web', {
        assetPath: site,
        spaDomain: {
          domainName: 'help.example.com',
          certificateArn:
            'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000',
        },
      });
      expect(webApp.origins).toContain('https://help.example.com');
      const config = Template.fromStack(stack).findResources('AWS::CloudFront::Distribution')[
        logicalId(webApp.distribution)
      ]?.Properties.DistributionConfig as Record<string, unknown>;
      expect(config.Aliases).toEqual(['help.example.com']);
      expect(config.ViewerCertificate).toMatchObject({
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
      expect(nagFindings(stack).filter((f) => f.includes('AwsSolutions-CFR4'))).toEqual([]);
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });
});
