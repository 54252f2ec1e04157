/**
 * The PO worker's sizing from the environment (`POFLOW_MAX_CACHED_WORKFLOWS`,
 * `POFLOW_WORKER_<OPTION>`), which workers a process runs (`POFLOW_FLXPOINT_WORKER`), and POs that
 * keep working when the cache holds fewer than are open.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ConfigError, loadConfig, WORKER_TUNING } from '../worker/config';
import { FLXPOINT_TASK_QUEUE } from '../providers/flxpoint/task-queue';
import { TASK_QUEUE } from '../providers/start-once';
import { createConfiguredWorkers } from '../worker/worker';
import { stateQuery } from '../workflows/flexport/messages';
import { runCli } from './support/stack';
import { harnessFor, until } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';
import { timeSkippingEnv } from './support/temporal';

describe('configuration', () => {
  test('defaults are the documented ones; every option is read from its variable', () => {
    expect(loadConfig({}).worker).toEqual(WORKER_TUNING);
    const tuned = loadConfig({
      POFLOW_MAX_CACHED_WORKFLOWS: '0',
      POFLOW_WORKER_STICKY_QUEUE_SCHEDULE_TO_START_TIMEOUT: '2.5s',
      POFLOW_WORKER_MAX_CONCURRENT_WORKFLOW_TASK_EXECUTIONS: '8',
      POFLOW_WORKER_MAX_CONCURRENT_WORKFLOW_TASK_POLLS: '4',
      POFLOW_WORKER_MAX_CONCURRENT_ACTIVITY_TASK_EXECUTIONS: '20',
      POFLOW_WORKER_MAX_CONCURRENT_ACTIVITY_TASK_POLLS: '3',
      POFLOW_WORKER_WORKFLOW_THREAD_POOL_SIZE: '2',
      POFLOW_WORKER_ISOLATE_EXECUTION_TIMEOUT: '1m',
    }).worker;
    expect(tuned).toEqual({
      maxCachedWorkflows: 0,
      stickyQueueScheduleToStartTimeout: '2.5s',
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentWorkflowTaskPolls: 4,
      maxConcurrentActivityTaskExecutions: 20,
      maxConcurrentActivityTaskPolls: 3,
      workflowThreadPoolSize: 2,
      isolateExecutionTimeout: '1m',
    });
  });

  test.each([
    ['POFLOW_MAX_CACHED_WORKFLOWS', 'lots', 'expected a whole number'],
    ['POFLOW_MAX_CACHED_WORKFLOWS', '-1', 'expected a whole number'],
    ['POFLOW_WORKER_MAX_CONCURRENT_WORKFLOW_TASK_EXECUTIONS', '1', 'must be at least 2'],
    ['POFLOW_WORKER_MAX_CONCURRENT_ACTIVITY_TASK_EXECUTIONS', '2.5', 'expected a whole number'],
    ['POFLOW_WORKER_STICKY_QUEUE_SCHEDULE_TO_START_TIMEOUT', '10 seconds', 'expected a duration'],
    ['POFLOW_WORKER_MAX_CONCURRENT_WORKFLOW_TASK_POLLS', '50', 'must not exceed POFLOW_WORKER_MAX_CONCURRENT_WORKFLOW_TASK_EXECUTIONS'], // prettier-ignore
    ['POFLOW_FLXPOINT_WORKER', 'no', 'expected on or off'],
  ])('%s=%s is refused, naming the variable', (variable, value, reason) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`${variable}: ${reason}`);
  });

  test('poflow worker exits 2 on a bad value, naming the variable, before connecting anywhere', async () => {
    const env = { ...process.env, POFLOW_MAX_CACHED_WORKFLOWS: 'lots', TEMPORAL_ADDRESS: '127.0.0.1:1' };
    const result = await runCli({ cliEnv: env }, ['worker']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('POFLOW_MAX_CACHED_WORKFLOWS: expected a whole number');
  });
});

describe('POFLOW_FLXPOINT_WORKER: one process per Flxpoint token sends its requests', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await timeSkippingEnv();
  });

  afterAll(async () => {
    await env.teardown();
  });

  test.each([
    [{}, [TASK_QUEUE, FLXPOINT_TASK_QUEUE]],
    [{ POFLOW_FLXPOINT_WORKER: 'on' }, [TASK_QUEUE, FLXPOINT_TASK_QUEUE]],
    [{ POFLOW_FLXPOINT_WORKER: 'off' }, [TASK_QUEUE]],
  ])('%j: the process polls %j', async (variables, queues) => {
    const workers = await createConfiguredWorkers(loadConfig(variables), env.nativeConnection);
    expect(workers.map((worker) => worker.options.taskQueue)).toEqual(queues);
    // Created workers hold native resources until they have run; start and stop each at once.
    await Promise.all(workers.map((worker) => worker.runUntil(Promise.resolve())));
  });
});

describe('a cache smaller than the open book', () => {
  const tuning = { ...WORKER_TUNING, maxCachedWorkflows: 2, maxConcurrentWorkflowTaskExecutions: 2 };
  const harness = harnessFor('the file', { harness: { tuning } });

  test('evicted POs replay and still answer queries and take provider events', async () => {
    const now = await harness().env.currentTimeMs();
    const handles = [];
    for (let i = 0; i < 5; i++) {
      const handle = await harness().start(samplePurchaseOrder(`PO-CACHE-${i}`, now));
      await until(handle, (s) => s.status === 'open');
      handles.push(handle);
    }
    // Five open POs, two cache slots: each acknowledgement lands on a PO that had been evicted.
    for (const handle of handles) {
      const { providerId } = await handle.query(stateQuery);
      await harness().admin('POST', `/purchase_orders/${providerId}/acknowledge`);
      await harness().deliverEvents(handle);
    }
    for (const handle of handles) {
      expect(await handle.query(stateQuery)).toMatchObject({ status: 'open', acknowledged: true });
    }
  });
});
