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
  type DepartmentInput,
  DepartmentSchema,
  type Team,
  type TeamInput,
  TeamSchema,
} from '../../domain/agents/model.js';
import type { AuditEntry } from '../../domain/audit/model.js';
import type { DirectoryRepository } from '../../domain/ports.js';
import { Conflict, VersionConflict } from '../../domain/shared/errors.js';
import { auditPut } from './audit-log.js';
import { cancellationCodes } from './errors.js';
import { keys } from './keys.js';
import { queryOrg } from './query-all.js';
import { putIfVersion, versionCondition } from './versioned-put.js';

/** How long a function trusts the departments' support addresses it read (inbound mail). */
const ADDRESS_CACHE_MS = 30_000;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

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

  /**
   * Access pattern: create department — PutItem ORG / DEPT#id `attribute_not_exists`;
   * with an audit entry (and claims of its support addresses) one TransactWriteItems.
   */
  async createDepartment(input: DepartmentInput, audit?: AuditEntry): Promise<void> {
    const department = DepartmentSchema.parse(input);
    const item = { ...keys.department(department.id), type: 'department', ...department };
    const exists = () => new Conflict(`A department with id ${department.id} already exists`);
    try {
      if (!audit && department.supportAddresses.length === 0) {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      }
      const claims = this.addressClaims(department.id, department.supportAddresses, []);
      await this.transact(
        [
          { Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          ...(audit ? [auditPut(this.tableName, audit)] : []),
          ...claims.items,
        ],
        (index) => (index === 0 ? exists() : this.addressTaken(claims.addresses, index - (audit ? 2 : 1))),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') throw exists();
      throw error;
    }
    this.addressCache = null;
  }

  /**
   * Access pattern: change a department — TransactWriteItems: Put ORG / DEPT#id
   * if its version is still `previous.version`, the audit entry, a Put
   * `SUPPORTADDR#address` (`attribute_not_exists`) per address it gains and a
   * Delete per address it gives up.
   */
  async saveDepartment(department: Department, previous: Department, audit: AuditEntry): Promise<void> {
    const before = new Set(previous.supportAddresses);
    const after = new Set(department.supportAddresses);
    const claims = this.addressClaims(
      department.id,
      department.supportAddresses.filter((a) => !before.has(a)),
      previous.supportAddresses.filter((a) => !after.has(a)),
    );
    await this.transact(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.department(department.id), type: 'department', ...department },
            ...versionCondition(previous.version),
          },
        },
        auditPut(this.tableName, audit),
        ...claims.items,
      ],
      (index) =>
        index === 0
          ? new VersionConflict('Department', previous.version)
          : this.addressTaken(claims.addresses, index - 2),
    );
    this.addressCache = null;
  }

  private addressCache: {
    until: number;
    value: Promise<{ address: string; departmentId: string }[]>;
  } | null = null;

  /**
   * Access pattern: departments' support addresses (inbound mail) — #19's
   * Query of the departments, remembered for 30 s per process (a change made
   * through this instance forgets it at once).
   */
  departmentAddresses(): Promise<{ address: string; departmentId: string }[]> {
    const now = Date.now();
    if (this.addressCache && this.addressCache.until > now) return this.addressCache.value;
    const value = this.listDepartments().then((departments) =>
      departments.flatMap((d) => d.supportAddresses.map((address) => ({ address, departmentId: d.id }))),
    );
    this.addressCache = { until: now + ADDRESS_CACHE_MS, value };
    value.catch(() => {
      this.addressCache = null;
    });
    return value;
  }

  /** Claims of addresses a department gains (must be free) and releases of those it gives up. */
  private addressClaims(
    departmentId: string,
    added: string[],
    removed: string[],
  ): { items: TransactItem[]; addresses: string[] } {
    return {
      addresses: added,
      items: [
        ...added.map((address) => ({
          Put: {
            TableName: this.tableName,
            Item: { ...keys.departmentAddress(address), type: 'departmentAddress', address, departmentId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
        ...removed.map((address) => ({
          Delete: {
            TableName: this.tableName,
            Key: keys.departmentAddress(address),
            ConditionExpression: 'attribute_not_exists(pk) OR departmentId = :department',
            ExpressionAttributeValues: { ':department': departmentId },
          },
        })),
      ],
    };
  }

  private addressTaken(addresses: string[], index: number): Error {
    const address = addresses[index];
    return new Conflict(
      address ? `${address} already belongs to another department` : 'A support address changed meanwhile',
    );
  }

  /** One TransactWriteItems; the first item whose condition failed becomes `failure(index)`. */
  private async transact(items: TransactItem[], failure: (index: number) => Error): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const codes = cancellationCodes(error);
      const index = codes?.findIndex(
        (code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict',
      );
      if (index !== undefined && index >= 0) throw failure(index);
      throw error;
    }
  }

  /** Creates a department unless one with its id exists (seeding, operator scripts); true when created. */
  async createDepartmentIfMissing(department: DepartmentInput): Promise<boolean> {
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

  /** Access pattern: create team — PutItem ORG / TEAM#id `attribute_not_exists`, with its audit entry (TransactWriteItems). */
  async createTeam(team: Team, audit?: AuditEntry): Promise<void> {
    await this.transact(
      [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.team(team.id), type: 'team', ...TeamSchema.parse(team) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...(audit ? [auditPut(this.tableName, audit)] : []),
      ],
      () => new Conflict(`A team with id ${team.id} already exists`),
    );
  }

  /**
   * Access pattern: change a team — PutItem ORG / TEAM#id if its version is
   * still `expectedVersion`; with an audit entry, both in one TransactWriteItems.
   */
  async saveTeam(team: Team, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    await this.saveVersioned(
      { ...keys.team(team.id), type: 'team', ...team },
      expectedVersion,
      'Team',
      audit,
    );
  }

  /**
   * Access pattern: change an agent (availability, capacity, skills, teams,
   * departments, name, role, active) — PutItem ORG / AGENT#id if its version
   * is still `expectedVersion`; with an audit entry, both in one
   * TransactWriteItems. The email never changes here, so its lookup item stays.
   */
  async saveAgent(agent: Agent, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    await this.saveVersioned(
      { ...keys.agentInOrg(agent.id), type: 'agent', ...agent },
      expectedVersion,
      'Agent',
      audit,
    );
  }

  private async saveVersioned(
    item: Record<string, unknown>,
    expectedVersion: number,
    what: string,
    audit: AuditEntry | undefined,
  ): Promise<void> {
    if (!audit) return putIfVersion(this.client, this.tableName, item, expectedVersion, what);
    await this.transact(
      [
        { Put: { TableName: this.tableName, Item: item, ...versionCondition(expectedVersion) } },
        auditPut(this.tableName, audit),
      ],
      () => new VersionConflict(what, expectedVersion),
    );
  }

  /**
   * Creates an agent with its email lookup item (and its audit entry) in one
   * transaction; the email must be free. `credential` (a password hash) is
   * only used by the local runtime; on AWS, Cognito holds passwords.
   */
  async createAgent(input: AgentInput, credential?: string, audit?: AuditEntry): Promise<void> {
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
            ...(audit ? [auditPut(this.tableName, audit)] : []),
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
