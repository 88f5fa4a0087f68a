/**
 * `npm run create-agent -- --email ana@example.com --name "Ana" --role admin [--departments general,billing]`
 *
 * Adds an agent to a deployed desk: a Cognito user (invited by email with a
 * temporary password) in the group of their role, and the agent item keyed by
 * the user's `sub`, so the API recognises them. Departments named that do not
 * exist yet are created. Reads the table and user pool from the stacks'
 * outputs (`--stack`, `--data-stack` override the default stack names).
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDirectoryRepository } from '../functions/adapters/dynamodb/directory-repository.js';
import { RoleSchema } from '../functions/domain/agents/model.js';

export const CreateAgentArgsSchema = z.object({
  email: z.email('--email must be an email address').transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1, '--name is required'),
  role: RoleSchema,
  departments: z
    .string()
    .default('general')
    .transform((list) =>
      list
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'department ids are lower-case words with dashes'),
        )
        .min(1),
    ),
  stack: z.string().default('Helpdesk'),
  dataStack: z.string().default('HelpdeskData'),
});
export type CreateAgentArgs = z.infer<typeof CreateAgentArgsSchema>;

export interface Clients {
  cloudFormation: CloudFormationClient;
  cognito: CognitoIdentityProviderClient;
  documentClient: DynamoDBDocumentClient;
}

async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = result.Stacks?.[0]?.Outputs ?? [];
  return Object.fromEntries(outputs.map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

export async function createAgent(
  clients: Clients,
  args: CreateAgentArgs,
  now = new Date(),
): Promise<{ agentId: string }> {
  const [app, data] = await Promise.all([
    stackOutputs(clients.cloudFormation, args.stack),
    stackOutputs(clients.cloudFormation, args.dataStack),
  ]);
  const userPoolId = app.UserPoolId;
  const tableName = data.TableName;
  if (!userPoolId || !tableName) {
    throw new Error(
      `Stack outputs UserPoolId (${args.stack}) and TableName (${args.dataStack}) were not found: is the desk deployed?`,
    );
  }
  const created = await clients.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: args.email,
      UserAttributes: [
        { Name: 'email', Value: args.email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: args.name },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error('Cognito did not return the new user’s sub');
  await clients.cognito.send(
    new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: args.email, GroupName: args.role }),
  );

  const directory = new DynamoDirectoryRepository(clients.documentClient, tableName);
  const at = now.toISOString();
  for (const id of args.departments) {
    await directory.createDepartmentIfMissing({
      id,
      name: id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase()),
      active: true,
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
  }
  await directory.createAgent({
    id: sub,
    email: args.email,
    name: args.name,
    role: args.role,
    departmentIds: args.departments,
    teamIds: [],
    active: true,
    version: 1,
    createdAt: at,
    updatedAt: at,
  });
  return { agentId: sub };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'agent' },
      departments: { type: 'string' },
      stack: { type: 'string' },
      'data-stack': { type: 'string' },
    },
  });
  const parsed = CreateAgentArgsSchema.safeParse({ ...values, dataStack: values['data-stack'] });
  if (!parsed.success) {
    console.error(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('\n'),
    );
    console.error(
      'Usage: npm run create-agent -- --email ana@example.com --name "Ana" --role admin|supervisor|agent [--departments general,billing]',
    );
    process.exit(2);
  }
  const { agentId } = await createAgent(
    {
      cloudFormation: new CloudFormationClient({}),
      cognito: new CognitoIdentityProviderClient({}),
      documentClient: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    },
    parsed.data,
  );
  console.log(
    `Agent ${parsed.data.email} created (${parsed.data.role}, id ${agentId}); Cognito mailed a temporary password.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
