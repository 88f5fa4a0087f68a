import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, DeploymentConfigSchema, parseDeploymentConfig } from '../../lib/config.js';
import { cdkJsonContext } from './synth.js';

function problemsOf(raw: unknown): string[] {
  try {
    parseDeploymentConfig(raw);
  } catch (error) {
    if (error instanceof DeploymentConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('deployment configuration', () => {
  it('accepts the helpdesk context of cdk.json', () => {
    const config = parseDeploymentConfig(cdkJsonContext().helpdesk);
    expect(config.deskName).toBe('Demo Desk');
    expect(config.supportAddresses).toEqual([{ address: 'support@example.com', departmentId: 'general' }]);
  });

  it('fills in every default when nothing is given', () => {
    expect(parseDeploymentConfig(undefined)).toEqual({
      deskName: 'Help Desk',
      supportAddresses: [{ address: 'support@example.com', departmentId: 'general' }],
      alarmEmail: null,
      spaDomain: null,
      logRetentionDays: 30,
      publicFormRateLimitPerMinute: 10,
      apiThrottling: { rateLimit: 50, burstLimit: 100 },
      cognitoFeaturePlan: 'essentials',
      mfa: 'optional',
    });
  });

  it('fills nested defaults too', () => {
    expect(DeploymentConfigSchema.parse({ apiThrottling: { rateLimit: 5 } }).apiThrottling).toEqual({
      rateLimit: 5,
      burstLimit: 100,
    });
  });

  it('parses a JSON string, as given with -c on the command line', () => {
    expect(parseDeploymentConfig('{"deskName":"CLI Desk"}').deskName).toBe('CLI Desk');
    expect(problemsOf('{not json')).toEqual(['helpdesk: is a string but not valid JSON']);
  });

  it('names an unknown (misspelt) key', () => {
    expect(problemsOf({ deskname: 'Typo Desk' })).toEqual(['helpdesk.deskname: unknown key']);
  });

  it('names the bad nested key with its path', () => {
    const problems = problemsOf({
      supportAddresses: [
        { address: 'support@example.com', departmentId: 'general' },
        { address: 'nope', departmentId: 'x' },
      ],
      logRetentionDays: 31,
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^helpdesk\.supportAddresses\[1\]\.address: /);
    expect(problems[1]).toMatch(/^helpdesk\.logRetentionDays: must be one of .*\b30\b/);
  });

  it('rejects duplicate support addresses, a non-us-east-1 certificate and a bad alarm email', () => {
    const problems = problemsOf({
      supportAddresses: [
        { address: 'a@example.com', departmentId: 'general' },
        { address: 'A@example.com', departmentId: 'billing' },
      ],
      spaDomain: {
        domainName: 'help.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      },
      alarmEmail: 'not-an-email',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'helpdesk.supportAddresses',
      'helpdesk.alarmEmail',
      'helpdesk.spaDomain.certificateArn',
    ]);
  });

  it('says which context key is wrong in its message', () => {
    expect(() => parseDeploymentConfig({ publicFormRateLimitPerMinute: 0 })).toThrow(
      /context key "helpdesk"[\s\S]*helpdesk\.publicFormRateLimitPerMinute/,
    );
  });
});
