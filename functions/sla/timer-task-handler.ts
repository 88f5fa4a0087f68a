/**
 * The SLA timer state machine's task (statemachines/sla-timer.asl.json, state
 * `Tick`): receives `{ action: 'tick', ticketId, target, generation }`, fires
 * the due escalation levels and answers `{ next, wakeAt, reason }`.
 */
import { z } from 'zod';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { SlaTargetKindSchema } from '../domain/sla/policy.js';
import { runTimerTick } from './engine.js';

const TickInputSchema = z.object({
  action: z.literal('tick'),
  ticketId: z.string().min(1),
  target: SlaTargetKindSchema,
  generation: z.number().int().min(0),
});

const log = (event: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', ...event }));

export async function handler(event: unknown) {
  const input = TickInputSchema.parse(event);
  const app = appContext();
  const mail = await awsMailRuntime(app);
  return runTimerTick(
    { deps: app.deps, store: app.sla, timers: null, mail, log },
    { ticketId: input.ticketId, target: input.target, generation: input.generation },
  );
}
