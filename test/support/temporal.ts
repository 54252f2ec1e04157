/** Real Temporal servers for the suites, always through the project's binary resolver. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { inspect } from 'node:util';
import { Runtime, DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { SearchAttributes } from '../../workflows/core/search-attributes';
import { WORKER_TUNING } from '../../worker/config';
import { SINGLE_PARTITION_TASK_QUEUES } from '../../worker/dev-server';
import { executableFor, TEMPORAL_HOME, type BinaryKind } from '../../worker/temporal-binaries';
import { tetheredExecutable } from '../../worker/tether';
import { WORKFLOW_BUNDLE_PATH } from '../../worker/workflow-bundle';
import { testDataConverter } from './codec';

let runtimeInstalled = false;
/** Keeps worker logs to warnings so jest output stays readable. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * The server binary, tethered to this jest process: a test file that crashes the process (or a
 * jest killed outright) leaves no server behind. The SDK runs an `existing-path` executable as is.
 */
function tetheredServer(kind: BinaryKind): ReturnType<typeof executableFor> {
  const executable = executableFor(kind);
  if (executable.type !== 'existing-path') return executable;
  return {
    type: 'existing-path',
    path: tetheredExecutable(executable.path, path.join(TEMPORAL_HOME, 'tethered')),
  };
}

/** The time-skipping test server: for timers measured in days. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return startedWithin5s(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: tetheredServer('testServer') },
      client: { dataConverter: testDataConverter },
    }),
  );
}

/** The dev server as `poflow start` runs it, PO search attributes registered: for visibility queries. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return startedWithin5s(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: tetheredServer('cli'),
        searchAttributes: Object.values(SearchAttributes),
        ip: '127.0.0.1',
        extraArgs: ['--log-level', 'error', ...SINGLE_PARTITION_TASK_QUEUES],
      },
      client: { dataConverter: testDataConverter },
    }),
  );
}

/**
 * The SDK gives a server 5 seconds to accept connections, a fixed wait, and kills it past that: a
 * starved machine (load 15-20 on 2 cores) misses it now and then, which failed whole files. A
 * server that missed it is started again, twice at most; any other failure is thrown at once.
 */
async function startedWithin5s(
  start: () => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt === 3 || !inspect(err).includes('did not start within')) throw err;
    }
  }
}

/**
 * What every suite's workers share: the bundle built once by the global setup, the payload codec
 * the suites' clients use, and poflow's limit on one activation (see `WorkerTuning`).
 */
export const workerDefaults = {
  workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
  dataConverter: testDataConverter,
  // Read by Worker.create though not in its typed options, hence the spread.
  ...{ isolateExecutionTimeout: WORKER_TUNING.isolateExecutionTimeout },
} satisfies Partial<WorkerOptions>;
