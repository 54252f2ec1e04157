/**
 * Runs the reconciler: a worker on its own task queue with the reconciler activity, and the
 * reconciler workflow ensured under its fixed id (started once; an already running one is kept,
 * with its cursor). Idempotent, so every `poflow start` / `poflow webhooks` may call it.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createReconcilerActivities, type EventFeed } from './activities';
import { ensureWorkflowBundle } from '../../worker/workflow-bundle';
import {
  eventReconcilerWorkflow,
  RECONCILER_TASK_QUEUE,
  reconcilerWorkflowId,
  type ReconcilerInput,
} from '../../workflows/reconciler';
import { poflowLogger } from '../../infra/logger';
import type { UnknownPoAdoption } from '../delivery';

export interface ReconcilerOptions {
  /** The worker's connection (the client's cannot poll). */
  connection: NativeConnection;
  namespace: string;
  /** The payload codec the client uses too. */
  dataConverter: DataConverter;
  /** The provider's event log; today only Flexport has one (Flxpoint pushes nothing). */
  flexport: EventFeed;
  /** The rule `adopt` for events about POs poflow does not follow; unset: they are dropped. */
  adoption?: UnknownPoAdoption;
  pollIntervalMs?: number;
  settleMs?: number;
  overlapMs?: number;
  /** Tries of an event that fails for good before it is dead-lettered (default 5). */
  maxEventTries?: number;
  logger?: Logger;
}

export interface RunningReconciler {
  workflowId: string;
  /** Stops the worker; the workflow stays, and resumes from its cursor with the next worker. */
  close(): Promise<void>;
}

export async function startReconciler(
  client: Client,
  options: ReconcilerOptions,
): Promise<RunningReconciler> {
  const activities = createReconcilerActivities({
    client,
    feeds: { flexport: options.flexport },
    adoption: options.adoption,
    logger: options.logger ?? poflowLogger('webhooks'),
  });
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: RECONCILER_TASK_QUEUE,
    workflowBundle: { codePath: await ensureWorkflowBundle() },
    dataConverter: options.dataConverter,
    activities,
  });
  const running = worker.run();
  const input: ReconcilerInput = {
    provider: 'flexport',
    pollIntervalMs: options.pollIntervalMs,
    settleMs: options.settleMs,
    overlapMs: options.overlapMs,
    maxEventTries: options.maxEventTries,
  };
  const workflowId = reconcilerWorkflowId(input.provider);
  try {
    await client.workflow.start(eventReconcilerWorkflow, {
      workflowId,
      taskQueue: RECONCILER_TASK_QUEUE,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `recovers missed ${input.provider} webhooks from GET /events`,
    });
  } catch (err) {
    worker.shutdown();
    await running;
    throw err;
  }
  return {
    workflowId,
    close: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
