/**
 * In-memory implementations of the storage ports, for unit tests of the use
 * cases. They keep the same guarantees the DynamoDB adapters give (unique
 * identities, version-checked updates, idempotency claims), so a use-case
 * test means the same thing against either.
 */
import {
  type Agent,
  type AgentInput,
  AgentSchema,
  canListTicket,
  type Department,
  type DepartmentInput,
  DepartmentSchema,
  type Team,
} from '../../domain/agents/model.js';
import type { AuditEntry } from '../../domain/audit/model.js';
import type { Customer, Identity } from '../../domain/customers/model.js';
import type { FieldDefinition, Layout } from '../../domain/fields/model.js';
import type { FieldSetup, FieldStore } from '../../domain/fields/ports.js';
import type { Macro } from '../../domain/macros/model.js';
import {
  type CustomerRepository,
  type Deps,
  type DirectoryRepository,
  DuplicateMessage,
  IdempotencyRace,
  type IdempotencyRecord,
  type IdempotencyStore,
  IdentityTaken,
  type InboundClaim,
  type NewTicketBundle,
  type Page,
  type RateLimiter,
  type TicketQuery,
  type TicketRepository,
} from '../../domain/ports.js';
import type { DeskRoutingRule } from '../../domain/routing/desk-rules.js';
import type { LoadChange } from '../../domain/routing/load.js';
import type {
  AgentLoadRecord,
  RoundRobinCursor,
  RoutingStore,
  StoredRoutingRule,
} from '../../domain/routing/ports.js';
import type { Rule } from '../../domain/rules/model.js';
import type { StoredMacro, StoredWorkflowRule, WorkflowStore } from '../../domain/rules/ports.js';
import { Conflict, VersionConflict } from '../../domain/shared/errors.js';
import type { Clock, IdGenerator } from '../../domain/shared/ports.js';
import {
  type EmailMeta,
  FIRST_TICKET_NUMBER,
  type Ticket,
  type TimelineEntry,
} from '../../domain/tickets/model.js';
import { listOrderKey } from '../../domain/tickets/status.js';

const identityKey = (identity: Identity) => `${identity.type}#${identity.value}`;
const clone = <T>(value: T): T => structuredClone(value);

/** The shared state behind the in-memory ports, open to tests for seeding and inspection. */
export class MemoryState {
  counter = 0;
  readonly tickets = new Map<string, Ticket>();
  readonly entries = new Map<string, TimelineEntry[]>();
  readonly customers = new Map<string, Customer>();
  readonly identities = new Map<string, string>();
  readonly claims = new Map<string, IdempotencyRecord>();
  readonly agents = new Map<string, Agent>();
  /** Seeded by tests as written (defaults applied when read, as the table's adapter does). */
  readonly departments = new Map<string, DepartmentInput>();
  readonly teams = new Map<string, Team>();
  /** Support address → the department holding it (unique, like the table's address items). */
  readonly departmentAddresses = new Map<string, string>();
  /** Local sign-in password hashes by agent id. */
  readonly credentials = new Map<string, string>();
  /** Audit entries, oldest first. */
  readonly audit: AuditEntry[] = [];
  readonly rates = new Map<string, number>();
  readonly messages = new Map<string, { ticketId: string; entryId: string }>();
  readonly threadRoots = new Map<string, string>();
  /** Number of `create` transactions, to assert "one write per creation". */
  creates = 0;
}

export class MemoryTicketRepository implements TicketRepository {
  constructor(private readonly s: MemoryState) {}

  async nextTicketNumber(): Promise<number> {
    return FIRST_TICKET_NUMBER + this.s.counter++;
  }

  async create(bundle: NewTicketBundle): Promise<void> {
    const { ticket, firstEntry, newCustomer, idempotency } = bundle;
    if (idempotency && this.s.claims.has(`${idempotency.scope}#${idempotency.key}`))
      throw new IdempotencyRace();
    for (const identity of newCustomer?.identities ?? []) {
      if (this.s.identities.has(identityKey(identity))) throw new IdentityTaken(identity);
    }
    if (bundle.inbound) this.claimMessage(ticket.id, bundle.inbound);
    this.s.creates++;
    this.s.tickets.set(ticket.id, clone(ticket));
    this.s.entries.set(ticket.id, [clone(firstEntry)]);
    if (newCustomer) {
      this.s.customers.set(newCustomer.id, clone(newCustomer));
      for (const identity of newCustomer.identities)
        this.s.identities.set(identityKey(identity), newCustomer.id);
    }
    if (idempotency) {
      this.s.claims.set(`${idempotency.scope}#${idempotency.key}`, {
        fingerprint: idempotency.fingerprint,
        resourceId: idempotency.resourceId,
      });
    }
  }

  async get(id: string): Promise<Ticket | null> {
    const ticket = this.s.tickets.get(id);
    return ticket ? clone(ticket) : null;
  }

  async getByNumber(number: number): Promise<Ticket | null> {
    for (const ticket of this.s.tickets.values()) if (ticket.number === number) return clone(ticket);
    return null;
  }

  async update(
    ticket: Ticket,
    expectedVersion: number,
    entries: TimelineEntry[],
    _previousTags: string[] = [],
    options: { inbound?: InboundClaim } = {},
  ): Promise<void> {
    const stored = this.s.tickets.get(ticket.id);
    if (!stored || stored.version !== expectedVersion)
      throw new VersionConflict('Ticket', expectedVersion, stored?.version);
    if (options.inbound) this.claimMessage(ticket.id, options.inbound);
    this.s.tickets.set(ticket.id, clone(ticket));
    this.s.entries.get(ticket.id)?.push(...clone(entries));
  }

  /** Like a Put per entry: an entry written again under the same id replaces the first. */
  async appendEntries(entries: TimelineEntry[]): Promise<void> {
    for (const entry of entries) {
      const list = this.s.entries.get(entry.ticketId);
      if (!list) continue;
      const at = list.findIndex((e) => e.id === entry.id);
      if (at >= 0) list[at] = clone(entry);
      else list.push(clone(entry));
    }
  }

  async updateEntryEmail(ticketId: string, entryId: string, email: EmailMeta): Promise<void> {
    const entry = this.s.entries.get(ticketId)?.find((e) => e.id === entryId);
    if (!entry) throw new Error(`no entry ${entryId}`);
    entry.email = clone(email);
  }

  async findMessage(messageKey: string): Promise<{ ticketId: string; entryId: string } | null> {
    return this.s.messages.get(messageKey) ?? null;
  }

  async findThreadRoot(root: string): Promise<string | null> {
    return this.s.threadRoots.get(root) ?? null;
  }

  private claimMessage(ticketId: string, claim: InboundClaim): void {
    if (this.s.messages.has(claim.messageKey)) throw new DuplicateMessage(claim.messageKey);
    this.s.messages.set(claim.messageKey, { ticketId, entryId: claim.entryId });
    if (claim.threadRoot) this.s.threadRoots.set(claim.threadRoot, ticketId);
  }

  async list(query: TicketQuery): Promise<Page<Ticket>> {
    const matches = [...this.s.tickets.values()]
      .filter(
        (t) =>
          (!query.status || t.status === query.status) &&
          (!query.departmentId || (t.departmentId ?? '_none') === query.departmentId) &&
          (!query.assigneeId || (t.assigneeId ?? '_none') === query.assigneeId) &&
          (!query.customerId || t.customerId === query.customerId) &&
          (!query.priority || t.priority === query.priority) &&
          (!query.tag || t.tags.includes(query.tag)) &&
          (!query.visibleTo || canListTicket(query.visibleTo, t)),
      )
      .sort((a, b) => {
        // Descending, in byte order, as DynamoDB sorts string keys.
        const [ka, kb] = [listOrderKey(a), listOrderKey(b)];
        return ka < kb ? 1 : ka > kb ? -1 : 0;
      });
    const start = query.cursor ? Number(query.cursor) : 0;
    const items = matches.slice(start, start + query.limit).map(clone);
    const next = start + query.limit;
    return { items, nextCursor: next < matches.length ? String(next) : null };
  }

  async timeline(
    ticketId: string,
    options: { limit: number; cursor?: string; includeNotes: boolean },
  ): Promise<Page<TimelineEntry>> {
    const all = (this.s.entries.get(ticketId) ?? []).filter((e) => options.includeNotes || e.kind !== 'note');
    const start = options.cursor ? Number(options.cursor) : 0;
    const next = start + options.limit;
    return { items: all.slice(start, next).map(clone), nextCursor: next < all.length ? String(next) : null };
  }

  async reassignCustomer(fromCustomerId: string, toCustomerId: string, at: string): Promise<number> {
    let moved = 0;
    for (const ticket of this.s.tickets.values()) {
      if (ticket.customerId === fromCustomerId) {
        ticket.customerId = toCustomerId;
        ticket.updatedAt = at;
        ticket.version++;
        moved++;
      }
    }
    return moved;
  }
}

export class MemoryCustomerRepository implements CustomerRepository {
  constructor(private readonly s: MemoryState) {}

  async get(id: string): Promise<Customer | null> {
    return clone(this.s.customers.get(id) ?? null);
  }

  async findByIdentity(identity: Identity): Promise<Customer | null> {
    const id = this.s.identities.get(identityKey(identity));
    return id ? clone(this.s.customers.get(id) ?? null) : null;
  }

  async saveMerge(
    survivor: Customer,
    merged: Customer,
    expected: { survivor: number; merged: number },
  ): Promise<void> {
    if (this.s.customers.get(survivor.id)?.version !== expected.survivor)
      throw new VersionConflict('Customer', expected.survivor);
    if (this.s.customers.get(merged.id)?.version !== expected.merged)
      throw new VersionConflict('Customer', expected.merged);
    this.s.customers.set(survivor.id, clone(survivor));
    this.s.customers.set(merged.id, clone(merged));
    for (const identity of survivor.identities) this.s.identities.set(identityKey(identity), survivor.id);
  }
}

export class MemoryDirectoryRepository implements DirectoryRepository {
  constructor(private readonly s: MemoryState) {}

  async getAgent(id: string): Promise<Agent | null> {
    return clone(this.s.agents.get(id) ?? null);
  }

  async findAgentByEmail(email: string): Promise<Agent | null> {
    return clone([...this.s.agents.values()].find((a) => a.email === email.toLowerCase()) ?? null);
  }

  async listAgents(): Promise<Agent[]> {
    return [...this.s.agents.values()].map(clone);
  }

  async getDepartment(id: string): Promise<Department | null> {
    const department = this.s.departments.get(id);
    return department ? DepartmentSchema.parse(clone(department)) : null;
  }

  async listDepartments(): Promise<Department[]> {
    return [...this.s.departments.values()].map((d) => DepartmentSchema.parse(clone(d)));
  }

  async createDepartment(input: DepartmentInput, audit?: AuditEntry): Promise<void> {
    const department = DepartmentSchema.parse(input);
    if (this.s.departments.has(department.id))
      throw new Conflict(`A department with id ${department.id} already exists`);
    this.claimAddresses(department.id, department.supportAddresses, []);
    this.s.departments.set(department.id, clone(department));
    if (audit) this.s.audit.push(clone(audit));
  }

  async saveDepartment(department: Department, previous: Department, audit: AuditEntry): Promise<void> {
    if (this.s.departments.get(department.id)?.version !== previous.version)
      throw new VersionConflict('Department', previous.version);
    this.claimAddresses(
      department.id,
      department.supportAddresses.filter((a) => !previous.supportAddresses.includes(a)),
      previous.supportAddresses.filter((a) => !department.supportAddresses.includes(a)),
    );
    this.s.departments.set(department.id, clone(department));
    this.s.audit.push(clone(audit));
  }

  /** Like the table's unique address items: a taken address fails the whole save. */
  private claimAddresses(departmentId: string, added: string[], removed: string[]): void {
    const taken = added.find((a) => this.s.departmentAddresses.has(a));
    if (taken) throw new Conflict(`${taken} already belongs to another department`);
    for (const address of removed) this.s.departmentAddresses.delete(address);
    for (const address of added) this.s.departmentAddresses.set(address, departmentId);
  }

  async departmentAddresses(): Promise<{ address: string; departmentId: string }[]> {
    return (await this.listDepartments()).flatMap((d) =>
      d.supportAddresses.map((address) => ({ address, departmentId: d.id })),
    );
  }

  async getTeam(id: string): Promise<Team | null> {
    return clone(this.s.teams.get(id) ?? null);
  }

  async listTeams(): Promise<Team[]> {
    return [...this.s.teams.values()].map(clone);
  }

  async createTeam(team: Team, audit?: AuditEntry): Promise<void> {
    if (this.s.teams.has(team.id)) throw new Conflict(`A team with id ${team.id} already exists`);
    this.s.teams.set(team.id, clone(team));
    if (audit) this.s.audit.push(clone(audit));
  }

  async createAgent(input: AgentInput, credential?: string, audit?: AuditEntry): Promise<void> {
    const agent = AgentSchema.parse(input);
    if (this.s.agents.has(agent.id) || [...this.s.agents.values()].some((a) => a.email === agent.email))
      throw new Conflict(`An agent with email ${agent.email} already exists`);
    this.s.agents.set(agent.id, clone(agent));
    if (credential) this.s.credentials.set(agent.id, credential);
    if (audit) this.s.audit.push(clone(audit));
  }

  async saveAgent(agent: Agent, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    if (this.s.agents.get(agent.id)?.version !== expectedVersion)
      throw new VersionConflict('Agent', expectedVersion);
    this.s.agents.set(agent.id, clone(agent));
    if (audit) this.s.audit.push(clone(audit));
  }

  async saveTeam(team: Team, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    if (this.s.teams.get(team.id)?.version !== expectedVersion)
      throw new VersionConflict('Team', expectedVersion);
    this.s.teams.set(team.id, clone(team));
    if (audit) this.s.audit.push(clone(audit));
  }
}

/** Routing rules, round-robin cursors and load counters in memory (same compare-and-set and once-only rules). */
export class MemoryRoutingStore implements RoutingStore {
  readonly rules = new Map<string, StoredRoutingRule>();
  readonly cursors = new Map<string, RoundRobinCursor>();
  readonly loads = new Map<string, AgentLoadRecord>();
  readonly seen = new Set<string>();
  constructor(private readonly s: MemoryState) {}

  async listRules(): Promise<StoredRoutingRule[]> {
    return [...this.rules.values()].map(clone);
  }

  async putRule(
    rule: DeskRoutingRule,
    expectedVersion: number | null,
    by: string,
    at: Date,
  ): Promise<number> {
    const current = this.rules.get(rule.id);
    if ((current?.rule.version ?? null) !== expectedVersion)
      throw new VersionConflict('Routing rule', expectedVersion ?? 0);
    const version = (expectedVersion ?? 0) + 1;
    this.rules.set(rule.id, {
      rule: clone({ ...rule, version }),
      updatedAt: at.toISOString(),
      updatedBy: by,
    });
    return version;
  }

  async getCursor(teamId: string): Promise<RoundRobinCursor | null> {
    return clone(this.cursors.get(teamId) ?? null);
  }

  async advanceCursor(teamId: string, expectedSeq: number | null, agentId: string): Promise<boolean> {
    if ((this.cursors.get(teamId)?.seq ?? null) !== expectedSeq) return false;
    this.cursors.set(teamId, { cursor: agentId, seq: (expectedSeq ?? 0) + 1 });
    return true;
  }

  async getLoads(agentIds: readonly string[]): Promise<Map<string, AgentLoadRecord>> {
    const out = new Map<string, AgentLoadRecord>();
    for (const id of agentIds) {
      const load = this.loads.get(id);
      if (load) out.set(id, clone(load));
    }
    return out;
  }

  async applyLoadChanges(eventId: string, changes: readonly LoadChange[]): Promise<boolean> {
    if (changes.length === 0) return true;
    if (this.seen.has(eventId)) return false;
    this.seen.add(eventId);
    for (const change of changes) {
      const load = this.loads.get(change.agentId) ?? { openCount: 0, lastAssignedAt: null };
      this.loads.set(change.agentId, {
        openCount: load.openCount + change.delta,
        lastAssignedAt: change.assignedAt ?? load.lastAssignedAt,
      });
    }
    return true;
  }

  async oldestUnassigned(teamIds: readonly string[], limit: number): Promise<Ticket[]> {
    return [...this.s.tickets.values()]
      .filter(
        (t) =>
          t.assigneeId === null &&
          (t.status === 'new' || t.status === 'open') &&
          t.teamId !== null &&
          teamIds.includes(t.teamId),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .slice(0, limit)
      .map(clone);
  }

  readonly routed = new Set<string>();

  async claimRecord(eventId: string): Promise<boolean> {
    if (this.routed.has(eventId)) return false;
    this.routed.add(eventId);
    return true;
  }

  async releaseRecord(eventId: string): Promise<void> {
    this.routed.delete(eventId);
  }
}

/** Workflow rules, macros, fired keys and record claims in memory (same version checks and once-only claims). */
export class MemoryWorkflowStore implements WorkflowStore {
  readonly rules = new Map<string, StoredWorkflowRule>();
  readonly macros = new Map<string, StoredMacro>();
  readonly fired = new Map<string, Set<string>>();
  readonly claimed = new Set<string>();

  async listRules(): Promise<StoredWorkflowRule[]> {
    return [...this.rules.values()].map(clone);
  }

  async putRule(rule: Rule, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    if ((this.rules.get(rule.id)?.rule.version ?? null) !== expectedVersion)
      throw new VersionConflict('Workflow rule', expectedVersion ?? 0);
    const version = (expectedVersion ?? 0) + 1;
    this.rules.set(rule.id, {
      rule: clone({ ...rule, version }),
      updatedAt: at.toISOString(),
      updatedBy: by,
    });
    return version;
  }

  async listMacros(): Promise<StoredMacro[]> {
    return [...this.macros.values()].map(clone);
  }

  async getMacro(id: string): Promise<StoredMacro | null> {
    return clone(this.macros.get(id) ?? null);
  }

  async putMacro(macro: Macro, expectedVersion: number | null, by: string, at: Date): Promise<number> {
    if ((this.macros.get(macro.id)?.macro.version ?? null) !== expectedVersion)
      throw new VersionConflict('Macro', expectedVersion ?? 0);
    const version = (expectedVersion ?? 0) + 1;
    this.macros.set(macro.id, {
      macro: clone({ ...macro, version }),
      updatedAt: at.toISOString(),
      updatedBy: by,
    });
    return version;
  }

  async firedKeys(ticketId: string): Promise<string[]> {
    return [...(this.fired.get(ticketId) ?? [])];
  }

  async addFiredKeys(ticketId: string, keys: readonly string[]): Promise<void> {
    const set = this.fired.get(ticketId) ?? new Set<string>();
    for (const key of keys) set.add(key);
    this.fired.set(ticketId, set);
  }

  async claimRecord(eventId: string): Promise<boolean> {
    if (this.claimed.has(eventId)) return false;
    this.claimed.add(eventId);
    return true;
  }

  async releaseRecord(eventId: string): Promise<void> {
    this.claimed.delete(eventId);
  }
}

/** Custom-field definitions and layouts in memory (same version checks; no cache). */
export class MemoryFieldStore implements FieldStore {
  readonly definitions = new Map<string, FieldDefinition>();
  readonly layouts = new Map<string, Layout>();

  async listDefinitions(): Promise<FieldDefinition[]> {
    return [...this.definitions.values()].map(clone);
  }

  async putDefinition(
    definition: FieldDefinition,
    expectedVersion: number | null,
    _by: string,
    _at: Date,
  ): Promise<number> {
    if ((this.definitions.get(definition.id)?.version ?? null) !== expectedVersion)
      throw new VersionConflict('Custom field', expectedVersion ?? 0);
    const version = (expectedVersion ?? 0) + 1;
    this.definitions.set(definition.id, clone({ ...definition, version }));
    return version;
  }

  async listLayouts(): Promise<Layout[]> {
    return [...this.layouts.values()].map(clone);
  }

  async getLayout(departmentId: string): Promise<Layout | null> {
    return clone(this.layouts.get(departmentId) ?? null);
  }

  async putLayout(layout: Layout, expectedVersion: number | null, _by: string, _at: Date): Promise<number> {
    if ((this.layouts.get(layout.departmentId)?.version ?? null) !== expectedVersion)
      throw new VersionConflict('Field layout', expectedVersion ?? 0);
    const version = (expectedVersion ?? 0) + 1;
    this.layouts.set(layout.departmentId, clone({ ...layout, version }));
    return version;
  }

  async setup(): Promise<FieldSetup> {
    return { definitions: await this.listDefinitions(), layouts: await this.listLayouts() };
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  constructor(private readonly s: MemoryState) {}

  async get(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return clone(this.s.claims.get(`${scope}#${key}`) ?? null);
  }
}

export class MemoryRateLimiter implements RateLimiter {
  constructor(private readonly s: MemoryState) {}

  async hit(bucket: string, limit: number): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const hits = this.s.rates.get(bucket) ?? 0;
    if (hits >= limit) return { allowed: false, retryAfterSeconds: 60 };
    this.s.rates.set(bucket, hits + 1);
    return { allowed: true, retryAfterSeconds: 0 };
  }
}

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  constructor(private current: Date = new Date('2026-03-02T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
}

/** Sequential ids (`id-0001`, ...), readable in test failures. */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let n = 0;
  return { newId: () => `${prefix}-${String(++n).padStart(4, '0')}` };
}

export function memoryDeps(
  state = new MemoryState(),
  clock = new FakeClock(),
): Deps & { state: MemoryState; clock: FakeClock; fields: MemoryFieldStore } {
  return {
    state,
    tickets: new MemoryTicketRepository(state),
    customers: new MemoryCustomerRepository(state),
    directory: new MemoryDirectoryRepository(state),
    idempotency: new MemoryIdempotencyStore(state),
    rateLimiter: new MemoryRateLimiter(state),
    fields: new MemoryFieldStore(),
    clock,
    ids: sequentialIds(),
  };
}
