/**
 * The SLA timer state machine's task (statemachines/sla-timer.asl.json, state
 * `Tick`): receives `{ action: 'tick', ticketId, target, generation }`, fires
 * the due escalation levels and answers `{ next, wakeAt, reason }`. Once an
 * hour a schedule sends `{ action: 'repair' }`: timers that should run and do
 * not (a start that failed) are started again from the table.
 */
import { z } from 'zod';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { SlaTargetKindSchema } from '../domain/sla/policy.js';
import { repairTimers, runTimerTick } from './engine.js';

const TaskInputSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('tick'),
    ticketId: z.string().min(1),
    target: SlaTargetKindSchema,
    generation: z.number().int().min(0),
  }),
  /** The hourly schedule: start the timers that should run and do not (see `repairTimers`). */
  z.object({ action: z.literal('repair') }),
]);

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export async function handler(event: unknown) {
  const input = TaskInputSchema.parse(event);
  const app = appContext();
  if (input.action === 'repair') {
    const started = await repairTimers({
      deps: app.deps,
      store: app.sla,
      timers: app.slaTimers ?? null,
      mail: null,
      log,
    });
    log({ message: 'sla timers repaired', started });
    return { started };
  }
  const mail = await awsMailRuntime(app);
  return runTimerTick(
    { deps: app.deps, store: app.sla, timers: null, mail, log },
    { ticketId: input.ticketId, target: input.target, generation: input.generation },
  );
}
