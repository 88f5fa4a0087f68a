import { z } from 'zod';

/**
 * The runtime configuration of every function, read from the environment in
 * this one place. On AWS, CDK sets these variables; the local runtime sets
 * them before it loads the handlers.
 */
const SupportAddressesSchema = z.array(
  z.object({ address: z.email().transform((a) => a.toLowerCase()), departmentId: z.string().nullable() }),
);

const EnvSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the help desk table'),
  /** Set only locally (DynamoDB Local); on AWS the SDK finds the regional endpoint. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  DESK_NAME: z.string().default('Help Desk'),
  PUBLIC_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** The mail bucket: raw inbound mail (inbound/), attachments, copies of sent mail. */
  MAIL_BUCKET: z.string().min(1).optional(),
  /** JSON list of { address, departmentId } (the deployment config's supportAddresses). */
  SUPPORT_ADDRESSES: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return SupportAddressesSchema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'SUPPORT_ADDRESSES must be a JSON list of { address, departmentId }',
        });
        return z.NEVER;
      }
    }),
  /** Secrets Manager secret holding the key that signs our Message-IDs and reply addresses. */
  MAIL_SIGNING_SECRET_ARN: z.string().min(1).optional(),
  /** Attachments above this size are not stored (the original message keeps them). */
  MAX_ATTACHMENT_MB: z.coerce.number().positive().max(40).default(25),
  /** Loop brake: automatic mails to one address per hour. */
  AUTO_REPLIES_PER_HOUR: z.coerce.number().int().positive().default(5),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /** The SLA timer state machine (statemachines/sla-timer.asl.json); functions that start and stop timers. */
  SLA_TIMER_STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** The Blueprint state machine (statemachines/blueprint.asl.json). */
  BLUEPRINT_STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** The agents' Cognito user pool: the directory API creates agents' accounts and moves their groups. */
  USER_POOL_ID: z.string().min(1).optional(),
  /** Local runtime only: webhooks may use http (tests post to a receiver on 127.0.0.1). */
  WEBHOOK_ALLOW_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Local runtime only: webhooks may call loopback and private hosts. */
  WEBHOOK_ALLOW_PRIVATE_HOSTS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Local runtime only: secret for the HS256 tokens issued by POST /local/login. */
  LOCAL_JWT_SECRET: z.string().min(32).optional(),
});

export type RuntimeConfig = z.infer<typeof EnvSchema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid function configuration: ${problems}`);
  }
  return parsed.data;
}

/** The desk's display name, for routes that need no table (the OpenAPI document). */
export function deskName(env: NodeJS.ProcessEnv = process.env): string {
  return env.DESK_NAME ?? 'Help Desk';
}
