/**
 * The poflow workers: the PO workflows and their activities on task queue `poflow`, and the
 * Flxpoint activities alone on `poflow-flxpoint`, rate-limited to Flxpoint's 2 requests/second.
 */
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { poflowDataConverter } from '../codec/aes-gcm';
import { createActivities } from '../activities';
import { FlexportClient } from '../activities/flexport/client';
import {
  createFlxpointActivities,
  FLXPOINT_REQUEST_SPACING_MS,
  type FlxpointActivities,
} from '../activities/flxpoint/activities';
import { FlxpointClient } from '../activities/flxpoint/client';
import { loggedAlerts } from '../activities/notifications';
import { FLXPOINT_TASK_QUEUE, TASK_QUEUE, type Config, type WorkerTuning } from './config';
import { poflowLogger } from '../infra/logger';
import { ensureWorkflowBundle } from './workflow-bundle';

export interface PoflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** `poflowDataConverter(keys)`: the payload codec the clients use too. */
  dataConverter: DataConverter;
  activities?: object;
  /** Cache, sticky queue and concurrency: `config.worker`, from the environment. */
  tuning: WorkerTuning;
}

export async function createPoflowWorker(options: PoflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: await ensureWorkflowBundle() },
    dataConverter: options.dataConverter,
    activities: options.activities,
    ...options.tuning,
  });
}

export interface FlxpointWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
  /** `createFlxpointActivities({ flxpoint })`. */
  activities: FlxpointActivities;
}

/**
 * The Flxpoint activities' worker. The activities pace their own requests (one every
 * FLXPOINT_REQUEST_SPACING_MS, no burst): the guarantee where one process per token runs this
 * worker (docs/flxpoint.md). The server's limit on the queue is set to the same rate: it keeps the
 * backlog in Temporal rather than in this worker, and bounds the tasks handed out to all processes
 * together. Few slots: a task the worker holds only waits for its turn, and the wait counts against
 * its start-to-close timeout.
 */
export async function createFlxpointWorker(options: FlxpointWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: FLXPOINT_TASK_QUEUE,
    dataConverter: options.dataConverter,
    activities: options.activities,
    maxTaskQueueActivitiesPerSecond: 1000 / FLXPOINT_REQUEST_SPACING_MS,
    maxConcurrentActivityTaskExecutions: 4,
  });
}

/**
 * The workers with the activities the configuration calls for: the configured providers (the
 * sandbox unless their addresses are set), alerts to the log and the chat webhook, notifications to the
 * configured ERP endpoints. The Flxpoint worker only where `POFLOW_FLXPOINT_WORKER` is on (the
 * default). `poflow start` and `poflow worker`.
 */
export async function createConfiguredWorkers(
  config: Config,
  connection: NativeConnection,
): Promise<Worker[]> {
  const namespace = config.temporal.namespace;
  const dataConverter = poflowDataConverter(config.codec.keys);
  const poWorker = createPoflowWorker({
    connection,
    namespace,
    dataConverter,
    activities: createActivities({
      flexport: new FlexportClient(config.flexport),
      alerts: loggedAlerts(poflowLogger('worker')),
      notify: { ...config.notifications, uiUrl: config.temporal.uiUrl, namespace },
    }),
    tuning: config.worker,
  });
  if (!config.flxpoint.worker) return [await poWorker];
  return Promise.all([
    poWorker,
    createFlxpointWorker({
      connection,
      namespace,
      dataConverter,
      activities: createFlxpointActivities({ flxpoint: new FlxpointClient(config.flxpoint) }),
    }),
  ]);
}
