import { describe, expect, it } from 'vitest';
import { nagFindings, synthHelpdesk } from './synth.js';

/**
 * cdk-nag 3 is a policy-validation plugin (bin/helpdesk.ts registers it with
 * `Validations.of(app).addPlugins`): it reports through the synthesis
 * validation report, not through annotations. Here each stack is checked with
 * the same rule pack after synthesis; every finding must be fixed or
 * acknowledged next to its resource with a reason.
 */
describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding (error or warning) in either stack with the default plan', () => {
    const synth = synthHelpdesk();
    try {
      expect(nagFindings(synth.dataStack)).toEqual([]);
      expect(nagFindings(synth.helpdeskStack)).toEqual([]);
    } finally {
      synth.cleanup();
    }
  }, 60_000);

  it('needs no Cognito acknowledgement with the Plus plan and required MFA (and a custom domain)', () => {
    const synth = synthHelpdesk({
      cognitoFeaturePlan: 'plus',
      mfa: 'required',
      alarmEmail: null,
      spaDomain: {
        domainName: 'help.example.com',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000',
      },
    });
    try {
      expect(nagFindings(synth.helpdeskStack)).toEqual([]);
      synth.helpdesk.hasResourceProperties('AWS::Cognito::UserPool', {
        UserPoolTier: 'PLUS',
        MfaConfiguration: 'ON',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      });
    } finally {
      synth.cleanup();
    }
  }, 60_000);
});
