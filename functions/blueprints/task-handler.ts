/**
 * The Blueprint state machine's task (statemachines/blueprint.asl.json):
 * `await` stores the task token the execution now waits on (or answers it at
 * once when the run moved on); `deadline` escalates an overdue state once and
 * answers the next time slice.
 */

import { blueprintContext } from '../composition/blueprints.js';
import { appContext } from '../composition/deps.js';
import { awsMailRuntime } from '../composition/mail.js';
import { parseBlueprintTaskRequest } from '../domain/blueprints/task-contract.js';
import { blueprintTask } from './engine.js';

export async function handler(event: unknown) {
  const request = parseBlueprintTaskRequest(event);
  const app = appContext();
  await awsMailRuntime(app);
  return blueprintTask(blueprintContext(app), request);
}
