/**
 * The scheduled entry point of the time-based workflow rules: an EventBridge
 * rule invokes it every 15 minutes on AWS (lib/stacks/helpdesk-stack.ts), the
 * local runtime runs the same check on an interval (local/runtime.ts), and
 * `POST /workflow-rules/run-time-based` runs it on demand.
 */
import { type AppContext, appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { autoAssign, type RoutingContext } from '../routing/engine.js';
import { runTimeBasedRules, type TimeBasedOutcome } from './engine.js';

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export function handler(): Promise<TimeBasedOutcome> {
  return runScheduledRules(appContext(), log);
}

/** One run of the time-based rules with everything they may need (mail, webhooks, feed, assignment). */
export async function runScheduledRules(
  app: AppContext,
  log: (event: Record<string, unknown>) => void,
): Promise<TimeBasedOutcome> {
  const routing: RoutingContext = { deps: app.deps, store: app.routing, log, pending: new Map() };
  const outcome = await runTimeBasedRules({
    deps: app.deps,
    store: app.workflow,
    sla: app.sla,
    mail: await awsMailRuntime(app),
    webhooks: app.webhooks,
    feed: app.notifications,
    assign: async (ticket, ruleName) => {
      await autoAssign(routing, ticket, { ruleName });
    },
    log,
  });
  log({ message: 'time-based rules run', checked: outcome.checked, fired: outcome.fired.length });
  return outcome;
}
