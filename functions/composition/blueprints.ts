/**
 * The Blueprint runtime's adapters: the table, the state machine (Step
 * Functions on AWS via BLUEPRINT_STATE_MACHINE_ARN, or the local runner the
 * local runtime installs), mail, and the calendar time limits are measured in
 * (the desk's first business-hours calendar, else 24/7).
 */
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoBlueprintRepository } from '../adapters/dynamodb/blueprint-repository.js';
import type { BlueprintContext, BlueprintMachine } from '../blueprints/engine.js';
import { blueprintExecutionName } from '../domain/blueprints/execution-name.js';
import { TWENTY_FOUR_SEVEN } from '../domain/business-hours/calendar.js';
import type { AppContext } from './deps.js';

/** Step Functions: deterministic execution names (a retried start is harmless), task tokens answered. */
export class SfnBlueprintMachine implements BlueprintMachine {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { ticketId: string; blueprintId: string; version: number }): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: blueprintExecutionName(input.ticketId, input.blueprintId, input.version),
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
    }
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }
}

export function blueprintContext(app: AppContext): BlueprintContext {
  app.blueprints ??= new DynamoBlueprintRepository(app.documentClient, app.config.TABLE_NAME);
  if (!app.blueprintMachine && app.config.BLUEPRINT_STATE_MACHINE_ARN) {
    app.blueprintMachine = new SfnBlueprintMachine(
      new SFNClient({ region: app.config.AWS_REGION }),
      app.config.BLUEPRINT_STATE_MACHINE_ARN,
    );
  }
  return {
    deps: app.deps,
    store: app.blueprints,
    machine: app.blueprintMachine ?? null,
    mail: app.mail ?? null,
    calendar: async () => {
      const calendars = await app.sla.listCalendars();
      const first = calendars.map((c) => c.calendar).sort((a, b) => a.id.localeCompare(b.id))[0];
      return first ?? TWENTY_FOUR_SEVEN;
    },
  };
}
