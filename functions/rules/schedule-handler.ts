/**
 * The hourly entry point of the time-based workflow rules (an EventBridge
 * schedule would invoke it; `POST /workflow-rules/run-time-based` runs the
 * same function on demand).
 */
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { runTimeBasedRules, type TimeBasedOutcome } from './engine.js';

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export async function handler(): Promise<TimeBasedOutcome> {
  const app = appContext();
  const outcome = await runTimeBasedRules({
    deps: app.deps,
    store: app.workflow,
    sla: app.sla,
    mail: await awsMailRuntime(app),
    log,
  });
  log({ message: 'time-based rules run', checked: outcome.checked, fired: outcome.fired.length });
  return outcome;
}
