import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TaskStateMachine } from './task-state-machine.js';

/** The Blueprint interpreter, relative to the repository root (the local runtime runs the same file). */
export const BLUEPRINT_DEFINITION = 'statemachines/blueprint.asl.json';

export interface BlueprintProcessesProps {
  /** The Blueprint task: `{ action: 'await' | 'deadline', ... }` (functions/blueprints/task-handler.ts). */
  readonly taskFunction: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Blueprint processes: one execution per ticket under a blueprint, a generic
 * interpreter of the definitions stored in the table. It waits for agents'
 * transitions on task tokens (answered by the API with SendTaskSuccess) and
 * re-checks the state's time limit every time slice.
 */
export class BlueprintProcesses extends TaskStateMachine {
  constructor(scope: Construct, id: string, props: BlueprintProcessesProps) {
    super(scope, id, {
      ...props,
      definitionFile: BLUEPRINT_DEFINITION,
      taskArnSubstitution: 'BlueprintTaskFunctionArn',
      comment: 'Help desk Blueprint processes',
      what: 'A blueprint process',
      failureImpact:
        'its ticket no longer escalates overdue states; transitions still apply (the run item is the truth).',
    });
  }

  /** Lets `grantee` answer this machine's task tokens (states:SendTaskSuccess/Failure/Heartbeat on it only). */
  grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resourceArns: [this.stateMachineArnByName],
    });
  }

  /** Lets `grantee` start executions (states:StartExecution on this machine only). */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
