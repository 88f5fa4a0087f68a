/** Time source, injected everywhere so tests can run on a fake clock. */
export interface Clock {
  now(): Date;
}

/** Source of new identifiers; ULIDs in production so ids sort by creation time. */
export interface IdGenerator {
  newId(): string;
}

export const systemClock: Clock = { now: () => new Date() };
