import type { Action } from './actions.js';
import { matchesConditions } from './conditions.js';
import type { RuleFacts } from './facts.js';
import { type Rule, type RuleTrigger, sortRules } from './model.js';

/**
 * Evaluating workflow rules, with loop safety.
 *
 * How the caller runs them (events handler):
 * 1. On an event, build the facts of the ticket as it is now (`buildFacts`),
 *    and call `evaluateRules` with the event's trigger, the ticket's
 *    `firedBefore` keys, and `causedBy` when the event is a change that rules
 *    made (read from that change's timeline event).
 * 2. Plan all matched actions together (`planActions(ticket,
 *    combinedActions(result), ...)`) and save them as ONE change, conditional
 *    on the ticket version the facts were built from. Record on it
 *    `result.cause` (who made the change: which rules, at which depth) and add
 *    `result.firedKeys` to the ticket's fired keys.
 * 3. That change is a `ticket_updated` event: go to 1 with `causedBy` =
 *    the recorded cause.
 *
 * Loop safety, three guards:
 * - Fired keys (`firedKey`): `<ruleId>@v<ticketVersion>` for event triggers,
 *   so a rule fires at most once for one state of the ticket, even when the
 *   same event is delivered twice (streams are at-least-once);
 *   `<ruleId>@time` for time-based rules, so each fires at most once per
 *   ticket, ever. Keep the `@time` keys for the life of the ticket; `@v` keys
 *   below the current version can be dropped (`pruneFiredKeys`).
 * - The chain: a change made by rules carries `cause.ruleIds`, every rule
 *   that fired along the chain of changes started by one outside event; those
 *   rules are skipped for the events that change causes. A rule whose action
 *   makes it match again (or two rules that undo each other) therefore fires
 *   once per chain.
 * - Depth: a chain stops after `MAX_CHAIN_DEPTH` rule-made changes.
 *
 * All rules matched by one evaluation see the same facts (the ticket before
 * any of their actions); a later rule sees an earlier rule's change only
 * through the `ticket_updated` event that change causes.
 */

export const MAX_CHAIN_DEPTH = 5;

/** Who made a change: the rules of the chain so far, and how many rule-made changes deep it is. */
export interface RuleCause {
  ruleIds: string[];
  /** 1 for a change made by rules reacting to an outside event, 2 for the next link... */
  depth: number;
}

export interface EvaluateRulesInput {
  rules: readonly Rule[];
  trigger: RuleTrigger;
  facts: RuleFacts;
  /** Keys of the rules that already fired for this ticket (see `firedKey`). */
  firedBefore?: ReadonlySet<string> | readonly string[];
  /** Set when the event is a change made by rules: that change's recorded `cause`. */
  causedBy?: RuleCause | null;
}

export interface RuleMatch {
  ruleId: string;
  ruleName: string;
  actions: Action[];
  /** The fired key to record for this rule. */
  key: string;
}

export type SkipReason = 'already_fired' | 'in_chain' | 'max_depth';

export interface RulesEvaluation {
  /** Matching rules, in position order (ties by id). */
  matches: RuleMatch[];
  /** Keys to add to the ticket's fired keys once the change is saved. */
  firedKeys: string[];
  /** The cause to record on the change that applies the matches; null when nothing matched. */
  cause: RuleCause | null;
  /** Rules whose conditions matched but that did not fire, and why. */
  skipped: { ruleId: string; reason: SkipReason }[];
}

/** The key recording that `ruleId` fired: per ticket version for events, once per ticket for time-based rules. */
export function firedKey(ruleId: string, trigger: RuleTrigger, ticketVersion: number): string {
  return trigger === 'time_based' ? `${ruleId}@time` : `${ruleId}@v${ticketVersion}`;
}

/** Keeps the time-based keys and the keys of `currentVersion` and later; older version keys can never match again. */
export function pruneFiredKeys(keys: Iterable<string>, currentVersion: number): string[] {
  return [...keys].filter((key) => {
    const m = /@v(\d+)$/.exec(key);
    return m === null || Number(m[1]) >= currentVersion;
  });
}

/**
 * The active rules of `trigger` whose conditions hold for `facts`, in
 * position order, minus those the loop guards stop (listed in `skipped`).
 */
export function evaluateRules(input: EvaluateRulesInput): RulesEvaluation {
  const { trigger, facts } = input;
  const fired = new Set(input.firedBefore ?? []);
  const chain = new Set(input.causedBy?.ruleIds ?? []);
  const depth = input.causedBy?.depth ?? 0;
  const matches: RuleMatch[] = [];
  const skipped: RulesEvaluation['skipped'] = [];

  for (const rule of sortRules(input.rules)) {
    if (!rule.active || rule.trigger !== trigger) continue;
    if (!matchesConditions(rule.conditions, facts)) continue;
    const key = firedKey(rule.id, trigger, facts.ticketVersion);
    if (fired.has(key)) skipped.push({ ruleId: rule.id, reason: 'already_fired' });
    else if (chain.has(rule.id)) skipped.push({ ruleId: rule.id, reason: 'in_chain' });
    else if (depth >= MAX_CHAIN_DEPTH) skipped.push({ ruleId: rule.id, reason: 'max_depth' });
    else matches.push({ ruleId: rule.id, ruleName: rule.name, actions: rule.actions, key });
  }

  return {
    matches,
    firedKeys: matches.map((m) => m.key),
    cause:
      matches.length === 0
        ? null
        : { ruleIds: [...new Set([...chain, ...matches.map((m) => m.ruleId)])], depth: depth + 1 },
    skipped,
  };
}

/** The actions of every match, in order, to plan as one change (later actions win on the same property). */
export function combinedActions(evaluation: Pick<RulesEvaluation, 'matches'>): Action[] {
  return evaluation.matches.flatMap((m) => m.actions);
}
