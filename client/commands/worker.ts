/** `poflow worker`: only the workers, against the configured Temporal and providers. */
import { FLXPOINT_TASK_QUEUE, loadConfig, TASK_QUEUE } from '../../worker/config';
import { connectWorker } from '../../worker/connection';
import { createConfiguredWorkers } from '../../worker/worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const connection = await connectWorker(config);
  try {
    const workers = await createConfiguredWorkers(config, connection);
    console.log(
      `workers polling task queues ${TASK_QUEUE}, ${FLXPOINT_TASK_QUEUE} on namespace ${config.temporal.namespace}; Ctrl-C stops them`,
    );
    // The SDK's workers shut down gracefully on SIGINT and SIGTERM.
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
  }
}
