/**
 * Ports: what the use cases need from storage, by role. Implemented by
 * `functions/adapters/dynamodb` (and by in-memory fakes in unit tests).
 */
import type { Agent, AgentInput, Department, DepartmentInput, Principal, Team } from './agents/model.js';
import type { AuditEntry } from './audit/model.js';
import type { Customer, Identity } from './customers/model.js';
import type { FieldStore } from './fields/ports.js';
import type { Clock, IdGenerator } from './shared/ports.js';
import type { EmailMeta, Priority, Ticket, TicketStatus, TimelineEntry } from './tickets/model.js';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface TicketQuery {
  status?: TicketStatus;
  departmentId?: string;
  assigneeId?: string;
  customerId?: string;
  tag?: string;
  priority?: Priority;
  limit: number;
  cursor?: string;
  /** When set, only tickets this principal may see are returned. */
  visibleTo?: Principal;
}

/** Claim on an Idempotency-Key, written in the same transaction as what it protects. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  /** Hash of the request body: the same key with another body is refused. */
  fingerprint: string;
  resourceId: string;
}

export interface IdempotencyRecord {
  fingerprint: string;
  resourceId: string;
}

export interface NewTicketBundle {
  ticket: Ticket;
  firstEntry: TimelineEntry;
  /** Present when the requester is not yet a customer: created with their identities in the same transaction. */
  newCustomer?: Customer;
  idempotency?: IdempotencyClaim;
  /** Inbound mail: the message's claim, written in the same transaction (see InboundClaim). */
  inbound?: InboundClaim;
}

/**
 * An inbound mail message claimed by the timeline entry it became. The claim
 * item is unique per message (its Message-ID, or the hash of the raw message
 * when it has none), so the same mail delivered twice yields one entry; it
 * also lets later replies that quote this Message-ID find the ticket.
 */
export interface InboundClaim {
  messageKey: string;
  entryId: string;
  /** Outlook conversation key (Thread-Index root), remembered for threading. */
  threadRoot: string | null;
}

/** Raised when an inbound message was already recorded (a second delivery). */
export class DuplicateMessage extends Error {
  constructor(readonly messageKey: string) {
    super(`message ${messageKey} was already recorded`);
  }
}

/** Raised by a repository when a uniqueness guard lost a race; the use case re-reads and retries. */
export class IdentityTaken extends Error {
  constructor(readonly identity: Identity) {
    super(`identity ${identity.type}:${identity.value} already belongs to a customer`);
  }
}

/** Raised when a concurrent request with the same Idempotency-Key won the race. */
export class IdempotencyRace extends Error {}

export interface TicketRepository {
  /** Allocates the next human ticket number (#1001, #1002, ...); atomic, never reused. */
  nextTicketNumber(): Promise<number>;
  /** Writes ticket, first timeline entry, new customer + identities and idempotency claim in one transaction. */
  create(bundle: NewTicketBundle): Promise<void>;
  get(id: string): Promise<Ticket | null>;
  getByNumber(number: number): Promise<Ticket | null>;
  /**
   * Saves a changed ticket with its new timeline entries, on condition that the
   * stored version is still `expectedVersion`; throws VersionConflict otherwise.
   */
  update(
    ticket: Ticket,
    expectedVersion: number,
    entries: TimelineEntry[],
    previousTags: string[],
    options?: { inbound?: InboundClaim },
  ): Promise<void>;
  /** Adds entries that change nothing on the ticket itself (sent notifications, system messages). */
  appendEntries(entries: TimelineEntry[]): Promise<void>;
  /** Records what happened to a mail sent for an entry (its Message-ID, when it left, or why not). */
  updateEntryEmail(ticketId: string, entryId: string, email: EmailMeta): Promise<void>;
  /** The ticket and entry an inbound message was recorded as (by message key). */
  findMessage(messageKey: string): Promise<{ ticketId: string; entryId: string } | null>;
  /** The ticket an Outlook conversation (Thread-Index root) belongs to. */
  findThreadRoot(root: string): Promise<string | null>;
  list(query: TicketQuery): Promise<Page<Ticket>>;
  timeline(
    ticketId: string,
    options: { limit: number; cursor?: string; includeNotes: boolean },
  ): Promise<Page<TimelineEntry>>;
  /** Points every ticket of one customer at another (customer merge); returns how many moved. */
  reassignCustomer(fromCustomerId: string, toCustomerId: string, at: string): Promise<number>;
}

export interface CustomerRepository {
  get(id: string): Promise<Customer | null>;
  findByIdentity(identity: Identity): Promise<Customer | null>;
  /** Survivor and merged customer saved with identities re-pointed, in one transaction, version-checked. */
  saveMerge(
    survivor: Customer,
    merged: Customer,
    expected: { survivor: number; merged: number },
  ): Promise<void>;
}

export interface DirectoryRepository {
  getAgent(id: string): Promise<Agent | null>;
  findAgentByEmail(email: string): Promise<Agent | null>;
  listAgents(): Promise<Agent[]>;
  getDepartment(id: string): Promise<Department | null>;
  listDepartments(): Promise<Department[]>;
  /** Creates a department (with `audit` in the same write); throws Conflict if the id exists. */
  createDepartment(department: DepartmentInput, audit?: AuditEntry): Promise<void>;
  /**
   * Saves a changed department if the stored one is still `previous`'s
   * version (VersionConflict otherwise), with its audit entry; support
   * addresses it gains are claimed for it, so an address another department
   * holds throws Conflict.
   */
  saveDepartment(department: Department, previous: Department, audit: AuditEntry): Promise<void>;
  /** Support addresses admins gave departments (adapters may cache them for a few seconds). */
  departmentAddresses(): Promise<{ address: string; departmentId: string }[]>;
  getTeam(id: string): Promise<Team | null>;
  listTeams(): Promise<Team[]>;
  /** Creates a team (with `audit` in the same write); throws Conflict if the id exists. */
  createTeam(team: Team, audit?: AuditEntry): Promise<void>;
  /**
   * Creates an agent with its unique email (Conflict if taken) and, for the
   * local sign-in only, a password hash; `audit` is written with it.
   */
  createAgent(agent: AgentInput, credential?: string, audit?: AuditEntry): Promise<void>;
  /**
   * Saves a changed agent if its stored version is still `expectedVersion`;
   * throws VersionConflict otherwise. `audit`, when given, is written in the same write.
   */
  saveAgent(agent: Agent, expectedVersion: number, audit?: AuditEntry): Promise<void>;
  /** Saves a changed team if its stored version is still `expectedVersion` (VersionConflict otherwise), with `audit`. */
  saveTeam(team: Team, expectedVersion: number, audit?: AuditEntry): Promise<void>;
}

export interface IdempotencyStore {
  get(scope: string, key: string): Promise<IdempotencyRecord | null>;
}

export interface RateLimiter {
  /** Counts one hit in the current window; `allowed` is false once `limit` is reached. */
  hit(
    bucket: string,
    limit: number,
    windowSeconds: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

export interface Deps {
  tickets: TicketRepository;
  customers: CustomerRepository;
  directory: DirectoryRepository;
  idempotency: IdempotencyStore;
  rateLimiter: RateLimiter;
  /** Custom-field definitions and department layouts (ticket changes are checked against them). */
  fields: FieldStore;
  clock: Clock;
  ids: IdGenerator;
}
