/**
 * `poflow start`: the embedded default. Starts what is not configured elsewhere (the Temporal
 * dev server with its Web UI), then the worker; prints the addresses; stops it all on Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DATA_DIR, loadConfig, TASK_QUEUE, temporalAddress } from '../worker/config';
import { connectClient, connectWorker, type PoflowClient } from '../worker/connection';
import { ensureSearchAttributes, startDevServer, type DevServer } from '../worker/dev-server';
import { pingWorkflow } from '../workflows/ping';
import type { Connection } from '@temporalio/client';
import { createPoflowWorker } from '../worker/worker';

type Stop = () => Promise<void>;

export async function runStart(): Promise<void> {
  const config = loadConfig();
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(String(err)));
  };
  try {
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      devServer = await startDevServer({
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        dbFile: path.join(DATA_DIR, 'temporal.sqlite'),
        log: (line) => console.log(`temporal: ${line}`),
      });
      stops.push(devServer.stop);
    }

    const connection = await connectWorker(config);
    stops.push(() => connection.close());
    const worker = await createPoflowWorker({ connection, namespace: config.temporal.namespace });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const client = await connectClient(config);
    stops.push(() => client.connection.close());
    if (config.temporal.address)
      await registerSearchAttributesOnCluster(client.connection, config.temporal.namespace);
    await proveWorkerPolls(client);
    console.log(
      [
        'poflow is running',
        `  Temporal     ${temporalAddress(config)} (namespace ${config.temporal.namespace})${devServer ? ' [embedded dev server]' : ''}`,
        `  Web UI       ${config.temporal.uiUrl}`,
        `  Worker       task queue ${TASK_QUEUE}`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );

    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      void running.then(resolve, resolve);
    });
    console.log('stopping...');
  } finally {
    await stopAll();
  }
}

/** One ping workflow through the worker: the stack is up only when a worker answers. */
async function proveWorkerPolls(client: PoflowClient): Promise<void> {
  await client.workflow.execute(pingWorkflow, {
    taskQueue: TASK_QUEUE,
    workflowId: `poflow-start-ping-${randomUUID()}`,
    workflowExecutionTimeout: '30s',
  });
}

/** On a cluster registering needs admin rights; without them the operator must do it once. */
async function registerSearchAttributesOnCluster(connection: Connection, namespace: string): Promise<void> {
  try {
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length > 0) console.log(`registered search attributes: ${added.join(', ')}`);
  } catch (err) {
    console.warn(`could not register the PO search attributes (see README): ${String(err)}`);
  }
}
