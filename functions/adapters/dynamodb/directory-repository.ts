import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Agent,
  type AgentInput,
  AgentSchema,
  type Department,
  DepartmentSchema,
  type Team,
  type TeamInput,
  TeamSchema,
} from '../../domain/agents/model.js';
import type { DirectoryRepository } from '../../domain/ports.js';
import { Conflict } from '../../domain/shared/errors.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';
import { queryOrg } from './query-all.js';
import { putIfVersion } from './versioned-put.js';

/**
 * Departments, teams and agents: a small organisation partition (`pk = ORG`)
 * read with Get and begins_with Queries, plus an email → agent lookup item.
 */
export class DynamoDirectoryRepository implements DirectoryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Access pattern: get agent — GetItem ORG / AGENT#id. */
  async getAgent(id: string): Promise<Agent | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.agentInOrg(id) }),
    );
    return result.Item ? AgentSchema.parse(result.Item) : null;
  }

  /** Access pattern: agent by email (login) — GetItem AGENTEMAIL#email, then GetItem agent. */
  async findAgentByEmail(email: string): Promise<Agent | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.agentEmail(email.trim().toLowerCase()) }),
    );
    const agentId = result.Item?.agentId;
    return typeof agentId === 'string' ? this.getAgent(agentId) : null;
  }

  /** Access pattern: list agents — Query pk=ORG, begins_with(sk, 'AGENT#'). */
  async listAgents(): Promise<Agent[]> {
    return (await queryOrg(this.client, this.tableName, 'AGENT#')).map((item) => AgentSchema.parse(item));
  }

  /** Access pattern: get department — GetItem ORG / DEPT#id. */
  async getDepartment(id: string): Promise<Department | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.department(id) }),
    );
    return result.Item ? DepartmentSchema.parse(result.Item) : null;
  }

  /** Access pattern: list departments — Query pk=ORG, begins_with(sk, 'DEPT#'). */
  async listDepartments(): Promise<Department[]> {
    return (await queryOrg(this.client, this.tableName, 'DEPT#')).map((item) => DepartmentSchema.parse(item));
  }

  /** Access pattern: create department — conditional PutItem ORG / DEPT#id. */
  async createDepartment(department: Department): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.department(department.id), type: 'department', ...department },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new Conflict(`A department with id ${department.id} already exists`);
      }
      throw error;
    }
  }

  /** Creates a department unless one with its id exists (seeding, operator scripts); true when created. */
  async createDepartmentIfMissing(department: Department): Promise<boolean> {
    try {
      await this.createDepartment(department);
      return true;
    } catch (error) {
      if (error instanceof Conflict) return false;
      throw error;
    }
  }

  /** Access pattern: get team — GetItem ORG / TEAM#id. */
  async getTeam(id: string): Promise<Team | null> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.team(id) }));
    return result.Item ? TeamSchema.parse(result.Item) : null;
  }

  /** Access pattern: list teams — Query pk=ORG, begins_with(sk, 'TEAM#'). */
  async listTeams(): Promise<Team[]> {
    return (await queryOrg(this.client, this.tableName, 'TEAM#')).map((item) => TeamSchema.parse(item));
  }

  /** Seeds or replaces a team (demo data and admin screens). */
  async putTeam(input: TeamInput): Promise<void> {
    const team = TeamSchema.parse(input);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.team(team.id), type: 'team', ...team } }),
    );
  }

  /** Access pattern: change a team's settings — PutItem ORG / TEAM#id if its version is still `expectedVersion`. */
  async saveTeam(team: Team, expectedVersion: number): Promise<void> {
    await putIfVersion(
      this.client,
      this.tableName,
      { ...keys.team(team.id), type: 'team', ...team },
      expectedVersion,
      'Team',
    );
  }

  /**
   * Access pattern: change an agent (availability, capacity, skills, teams) —
   * PutItem ORG / AGENT#id if its version is still `expectedVersion`. The
   * email never changes here, so its lookup item stays as it is.
   */
  async saveAgent(agent: Agent, expectedVersion: number): Promise<void> {
    await putIfVersion(
      this.client,
      this.tableName,
      { ...keys.agentInOrg(agent.id), type: 'agent', ...agent },
      expectedVersion,
      'Agent',
    );
  }

  /**
   * Creates an agent with its email lookup item in one transaction; the email
   * must be free. `credential` (a password hash) is only used by the local
   * runtime; on AWS, Cognito holds passwords.
   */
  async createAgent(input: AgentInput, credential?: string): Promise<void> {
    const agent = AgentSchema.parse(input);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.agentInOrg(agent.id), type: 'agent', ...agent },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...keys.agentEmail(agent.email), type: 'agentEmail', agentId: agent.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...(credential
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: { ...keys.agentCredential(agent.id), type: 'credential', hash: credential },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)?.some((code) => code === 'ConditionalCheckFailed')) {
        throw new Conflict(`An agent with email ${agent.email} already exists`);
      }
      throw error;
    }
  }

  /** Access pattern: local login — GetItem AGENT#id / CREDENTIAL. */
  async getCredential(agentId: string): Promise<string | null> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.agentCredential(agentId) }),
    );
    return typeof result.Item?.hash === 'string' ? result.Item.hash : null;
  }
}
