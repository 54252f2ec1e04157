/**
 * `poflow worker`: only the workers, against the configured Temporal and providers, with their
 * operations endpoints.
 */
import { Client } from '@temporalio/client';
import { loadConfig, providersCalled, requireProviderSettings } from '../../worker/config';
import { connectWorker } from '../../worker/connection';
import { installTelemetry, temporalAnswers, workersPolling } from '../../infra/operations';
import { metricsPortOf } from '../../worker/metrics-port';
import { operationsPort, serveOperations } from '../../worker/operations';
import { ensurePortsFree } from '../../worker/leftover-server';
import { withCleanUp } from '../../worker/clean-up';
import { poflowLogger } from '../../infra/logger';
import { createConfiguredWorkers, providerChecks } from '../../worker/worker';

export async function runWorker(): Promise<void> {
  const config = loadConfig();
  requireProviderSettings(config, providersCalled(config));
  const metricsPort = metricsPortOf('worker', process.env, config.operations.metricsPort);
  await ensurePortsFree([operationsPort(config, metricsPort)]);
  const sdkMetricsUrl = await installTelemetry(config.logLevel);
  const connection = await connectWorker(config);
  // A failure to start is reported as itself: never as the connection refusing to close under workers.
  await withCleanUp(
    async () => {
      const workers = await createConfiguredWorkers(config, connection);
      const operations = await serveOperations(config, {
        metricsPort,
        sdkMetricsUrl,
        client: new Client({ connection, namespace: config.temporal.namespace }),
        checks: {
          temporal: temporalAnswers(connection),
          workers: workersPolling(workers),
          // A provider matters only to the process that sends its requests.
          ...providerChecks(config),
        },
      });
      poflowLogger('worker').info(
        `workers polling task queues ${workers.map((w) => w.options.taskQueue).join(', ')} ` +
          `on namespace ${config.temporal.namespace}; ` +
          `metrics, /healthz and /readyz on ${operations.url}; Ctrl-C stops them`,
      );
      try {
        // The SDK's workers shut down gracefully on SIGINT and SIGTERM: running activities finish first.
        await Promise.all(workers.map((worker) => worker.run()));
      } finally {
        await operations.close();
      }
    },
    () => connection.close(),
  );
}
