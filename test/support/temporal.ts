/** Real Temporal servers for the suites, always through the project's binary resolver. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { SearchAttributes } from '../../workflows/messages';
import { SINGLE_PARTITION_TASK_QUEUES } from '../../worker/dev-server';
import { executableFor } from '../../worker/temporal-binaries';
import { WORKFLOW_BUNDLE_PATH } from '../../worker/workflow-bundle';
import { testDataConverter } from './codec';

let runtimeInstalled = false;
/** Keeps worker logs to warnings so jest output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** The time-skipping test server: for timers measured in days. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executableFor('testServer') },
    client: { dataConverter: testDataConverter },
  });
}

/** The dev server as `poflow start` runs it, PO search attributes registered: for visibility queries. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: executableFor('cli'),
      searchAttributes: Object.values(SearchAttributes),
      ip: '127.0.0.1',
      extraArgs: ['--log-level', 'error', ...SINGLE_PARTITION_TASK_QUEUES],
    },
    client: { dataConverter: testDataConverter },
  });
}

/**
 * What every suite's workers share: the bundle built once by the global setup, and the payload
 * codec the suites' clients use.
 */
export const workerDefaults = {
  workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
  dataConverter: testDataConverter,
} satisfies Partial<WorkerOptions>;
