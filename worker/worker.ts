/** The poflow worker: the PO workflows and their activities on task queue `poflow`. */
import { Worker, type NativeConnection } from '@temporalio/worker';
import { TASK_QUEUE } from './config';
import { ensureWorkflowBundle } from './workflow-bundle';

export interface PoflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  activities?: object;
}

export async function createPoflowWorker(options: PoflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: await ensureWorkflowBundle() },
    activities: options.activities,
  });
}
