/**
 * The deployment configuration of one help desk: what an operator may choose
 * when deploying (desk name, support addresses, alarm email, custom SPA domain,
 * limits). It is read once, from the `helpdesk` key of the CDK context
 * (`cdk.json`, or `cdk deploy -c helpdesk='{...}'`), validated here, and passed
 * down to the stacks as a plain object: no stack or construct reads the context
 * or the environment itself.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/** Every retention period CloudWatch Logs accepts (excluding "never expire"). */
const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays)
  .filter((value): value is number => typeof value === 'number' && value !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

const DepartmentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (e.g. "billing")');

const SupportAddressSchema = z.strictObject({
  /** The address customers write to; inbound mail to it becomes a ticket. */
  address: z.email(),
  /** The department new tickets from this address are routed to. */
  departmentId: DepartmentIdSchema,
});

const SpaDomainSchema = z.strictObject({
  /** The host name the agent SPA is served on, e.g. `help.example.com`. */
  domainName: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a DNS host name'),
  /** ACM certificate for `domainName`; CloudFront only accepts certificates from us-east-1. */
  certificateArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/,
      'must be an ACM certificate ARN in us-east-1',
    ),
});

export const DeploymentConfigSchema = z.strictObject({
  /** Shown in the SPA and in outgoing mail. */
  deskName: z.string().trim().min(1).max(100).default('Help Desk'),
  /** Support addresses and the department each one routes to. */
  supportAddresses: z
    .array(SupportAddressSchema)
    .min(1, 'at least one support address is needed')
    .refine(
      (list) => new Set(list.map((entry) => entry.address.toLowerCase())).size === list.length,
      'each support address may appear only once',
    )
    .default([{ address: 'support@example.com', departmentId: 'general' }]),
  /** Where alarm notifications are mailed; `null`: alarms only go to the SNS topic. */
  alarmEmail: z.email().nullable().default(null),
  /** Custom domain for the SPA; `null`: the CloudFront domain (`*.cloudfront.net`) is used. */
  spaDomain: SpaDomainSchema.nullable().default(null),
  /** Retention of function and API access logs, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: z
    .number()
    .refine((days) => LOG_RETENTION_DAYS.includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  /** Tickets one client may open through the public web form per minute. */
  publicFormRateLimitPerMinute: z.int().min(1).max(10_000).default(10),
  /** Stage-wide API Gateway throttling (all clients together). */
  apiThrottling: z
    .strictObject({
      /** Steady-state requests per second. */
      rateLimit: z.number().positive().max(10_000).default(50),
      /** Burst capacity in requests. */
      burstLimit: z.int().positive().max(5_000).default(100),
    })
    .prefault({}),
  /**
   * Cognito feature plan. `plus` turns on threat protection (compromised
   * credentials, adaptive authentication) and costs more per active user.
   */
  cognitoFeaturePlan: z.enum(['essentials', 'plus']).default('essentials'),
  /** Multi-factor authentication (TOTP) for agents. */
  mfa: z.enum(['off', 'optional', 'required']).default('optional'),
});

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
export type DeploymentConfigInput = z.input<typeof DeploymentConfigSchema>;

/** The configuration is invalid; the message names every bad key. */
export class DeploymentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid deployment configuration (context key "helpdesk"):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'DeploymentConfigError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = 'helpdesk';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  }
  return out;
}

/**
 * Validates the raw `helpdesk` context value and fills in defaults. A string is
 * parsed as JSON first (values given with `-c` on the command line are
 * strings). Throws {@link DeploymentConfigError} naming each offending key.
 */
export function parseDeploymentConfig(raw: unknown): DeploymentConfig {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new DeploymentConfigError(['helpdesk: is a string but not valid JSON']);
    }
  }
  const result = DeploymentConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`)
      : [`${keyPath(issue.path)}: ${issue.message}`],
  );
  throw new DeploymentConfigError(problems);
}
