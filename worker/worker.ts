/**
 * The poflow workers: the PO workflows and their activities on task queue `poflow`, and the
 * activities of each provider with a task queue of its own (Flxpoint's), rate-limited to its budget.
 */
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { poflowDataConverter } from '../codec/aes-gcm';
import { createNotificationActivities, loggedAlerts } from '../activities/notifications';
import { hostOf } from '../providers';
import { TASK_QUEUE } from '../providers/start-once';
import { PROVIDERS, type Provider } from '../workflows/core/choices';
import type { Config, WorkerTuning } from './config';
import { poflowLogger } from '../infra/logger';
import { providerReachable, type ReadinessCheck } from '../infra/operations';
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

export interface ProviderWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
  /** A provider whose activities have a task queue of their own (`activityQueue` in its host). */
  provider: Provider;
  /** The provider's activities: `hostOf(provider).activities(connection)`. */
  activities: object;
}

/**
 * The worker of a provider's own activity queue. Its activities pace their own requests: the
 * guarantee where one process per token runs this worker. The server's limit on the queue is the
 * same rate: it keeps the backlog in Temporal rather than in this worker, and bounds the tasks
 * handed out to all processes together.
 */
export async function createProviderWorker(options: ProviderWorkerOptions): Promise<Worker> {
  const queue = hostOf(options.provider).activityQueue;
  if (!queue) throw new Error(`${options.provider}'s activities run on the PO task queue ${TASK_QUEUE}`);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: queue.taskQueue,
    dataConverter: options.dataConverter,
    activities: options.activities,
    maxTaskQueueActivitiesPerSecond: queue.requestsPerSecond,
    maxConcurrentActivityTaskExecutions: queue.maxConcurrentActivities,
  });
}

/**
 * The workers with the activities the configuration calls for: the configured providers (the
 * sandbox unless their addresses are set), alerts to the log and the chat webhook, notifications to
 * the configured ERP endpoints. A provider's own queue is served only where its switch is on (the
 * default: `POFLOW_FLXPOINT_WORKER`). `poflow start` and `poflow worker`.
 */
export async function createConfiguredWorkers(
  config: Config,
  connection: NativeConnection,
): Promise<Worker[]> {
  const namespace = config.temporal.namespace;
  const dataConverter = poflowDataConverter(config.codec.keys);
  const onPoQueue = PROVIDERS.filter((provider) => !hostOf(provider).activityQueue);
  const poWorker = createPoflowWorker({
    connection,
    namespace,
    dataConverter,
    activities: Object.assign(
      createNotificationActivities({
        notify: { ...config.notifications, uiUrl: config.temporal.uiUrl, namespace },
        alerts: loggedAlerts(poflowLogger('worker')),
      }),
      ...onPoQueue.map((provider) => hostOf(provider).activities(config[provider])),
    ),
    tuning: config.worker,
  });
  const ownQueues = PROVIDERS.filter((p) => hostOf(p).activityQueue && config[p].worker);
  return Promise.all([
    poWorker,
    ...ownQueues.map((provider) =>
      createProviderWorker({
        connection,
        namespace,
        dataConverter,
        provider,
        activities: hostOf(provider).activities(config[provider]),
      }),
    ),
  ]);
}

/** Readiness of the providers this process calls: each one this process runs a worker for. */
export function providerChecks(config: Config): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    PROVIDERS.filter((provider) => config[provider].worker).map((provider) => [
      provider,
      providerReachable(config[provider].baseUrl),
    ]),
  );
}
