/**
 * Domain errors. They carry a stable machine-readable `code` and a message a
 * person can act on, and no transport knowledge: `functions/api/http.ts` maps
 * them to HTTP status codes in one place.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details?: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  readonly code: string;
  constructor(entity: string, id: string) {
    super(`${entity} ${id} was not found`);
    this.code = `${entity.toLowerCase()}_not_found`;
  }
}

export class TicketNotFound extends NotFoundError {
  constructor(id: string) {
    super('Ticket', id);
  }
}

export class CustomerNotFound extends NotFoundError {
  constructor(id: string) {
    super('Customer', id);
  }
}

/** Input that is well-formed but breaks a business rule (an unknown department, a bad tag). */
export class ValidationFailed extends DomainError {
  readonly code = 'validation_failed';
}

/** The aggregate changed since the caller read it (optimistic concurrency). */
export class VersionConflict extends DomainError {
  readonly code = 'version_conflict';
  constructor(
    readonly entity: string,
    readonly expected: number,
    readonly actual?: number,
  ) {
    super(
      `${entity} was changed by someone else (you had version ${expected}${actual === undefined ? '' : `, it is now ${actual}`}); reload it and try again`,
    );
  }
}

export class TransitionNotAllowed extends DomainError {
  readonly code = 'transition_not_allowed';
}

/** The caller is known but their role does not allow this. */
export class Forbidden extends DomainError {
  readonly code = 'forbidden';
}

/** The same Idempotency-Key was sent again with a different request body. */
export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency_key_reused';
}

export class RateLimited extends DomainError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A request that conflicts with the current state in a way a retry will not fix (e.g. merging a customer into itself). */
export class Conflict extends DomainError {
  readonly code = 'conflict';
}
