/**
 * `poflow start`: the embedded default. Starts whatever is not configured elsewhere (the Temporal
 * dev server with its Web UI, the provider sandbox in a thread of its own), then the worker, the
 * webhook receiver with its reconciler and the ERP API; prints the addresses and records them in
 * `stack.json` of the data dir for the commands of other terminals; stops it all, in reverse order,
 * on Ctrl-C.
 */
import type { Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startSandboxThread } from '../sandbox/thread';
import { ensureDefaultKeyFile, type CodecKeys } from '../codec/keys';
import { startCodecServer } from '../codec/server';
import { startWebhooks, webhookSecrets } from '../webhooks/main';
import { poflowLogger } from '../infra/logger';
import {
  DATA_DIR,
  loadConfig,
  type Config,
  providersCalled,
  requireProviderSettings,
} from '../worker/config';
import { connectClient, connectWorker, type PoflowClient } from '../worker/connection';
import { ensureSearchAttributes, startDevServer } from '../worker/dev-server';
import { createConfiguredWorkers, providerChecks } from '../worker/worker';
import type { Worker } from '@temporalio/worker';
import { hostOf } from '../providers';
import { TASK_QUEUE } from '../providers/start-once';
import { PROVIDERS } from '../workflows/core/choices';
import { pingWorkflow } from '../workflows/ping';
import { untilInterrupted } from '../worker/interrupt';
import { installTelemetry, temporalAnswers, workersPolling } from '../infra/operations';
import { operationsPort, serveOperations } from '../worker/operations';
import { ensurePortsFree } from '../worker/leftover-server';
import { ensureApiTokenFile, startApi } from './api/command';
import { portOf, removeStackFile, writeStackFile, type StackFile } from '../worker/stack-file';

type Stop = () => Promise<void>;

export async function runStart(): Promise<void> {
  // Before anything is written or started: a provider at a configured address needs its own token
  // and (Flexport's deliveries) secret.
  // Never another stack's recorded ports: this one starts its own parts where the variables say.
  const configured = loadConfig(process.env, { stackFile: false });
  requireProviderSettings(configured, { ...providersCalled(configured), webhooks: true });
  // Its own ports too, before a key or a token is generated for a stack that would not start.
  await ensurePortsFree([
    { port: configured.codec.port, variable: 'POFLOW_CODEC_PORT' },
    operationsPort(configured),
  ]);
  const generatedKeys = ensureDefaultKeyFile(process.env, DATA_DIR);
  if (generatedKeys) console.log(`generated a payload encryption key in ${generatedKeys}: keep a copy`);
  const generatedTokens = ensureApiTokenFile(process.env);
  if (generatedTokens) console.log(`generated an ERP API token in ${generatedTokens}: give it to the ERP`);
  const config = loadConfig(process.env, { stackFile: false });
  const sdkMetricsUrl = await installTelemetry(config.logLevel);
  const serverLog = poflowLogger('temporal-server');
  const stops: Stop[] = [];
  const lines: string[] = [];
  // Where each part listens, for the stack file; the ports each server actually bound.
  const listening: Partial<StackFile> = {};
  const listener = (url: string) => {
    const port = portOf(url);
    return port === undefined ? undefined : { port };
  };
  try {
    const codecServer = await startCodecServer({
      port: config.codec.port,
      keys: config.codec.keys,
      corsOrigins: config.codec.corsOrigins,
      authToken: config.codec.authToken,
    });
    stops.push(codecServer.close);
    listening.codec = listener(codecServer.url);
    lines.push(`  Codec server ${codecServer.url} (${encryptionLine(config.codec.keys)})`);
    if (config.temporal.address) {
      lines.push(`  Temporal     ${config.temporal.address} (namespace ${config.temporal.namespace})`);
      listening.temporal = {
        address: config.temporal.address,
        uiUrl: config.temporal.uiUrl,
        embedded: false,
      };
    } else {
      const devServer = await startDevServer({
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        dbFile: path.join(DATA_DIR, 'temporal.sqlite'),
        codecEndpoint: codecServer.url,
        log: (line) => serverLog.info(line),
      });
      stops.push(devServer.stop);
      listening.temporal = { address: devServer.address, uiUrl: config.temporal.uiUrl, embedded: true };
      lines.push(
        `  Temporal     ${devServer.address} (namespace ${config.temporal.namespace}) [embedded dev server]`,
      );
    }
    lines.push(
      `  Web UI       ${config.temporal.uiUrl ?? 'not known: set TEMPORAL_UI_URL for links to POs'}`,
    );

    const client = await connectClient(config);
    stops.push(() => client.connection.close());
    if (config.temporal.address)
      await registerSearchAttributesOnCluster(client.connection, config.temporal.namespace);
    const connection = await connectWorker(config);
    stops.push(() => connection.close());

    // The sandbox retries a delivery until the receiver, started below, answers 200.
    const receiverUrl = `http://127.0.0.1:${config.webhooks.port}/webhooks/flexport`;
    if (config.flexport.embedded) {
      const sandbox = await startSandboxThread({
        port: config.sandbox.port,
        apiToken: config.flexport.apiToken,
        flxpointApiToken: config.flxpoint.apiToken,
        dbFile: path.join(DATA_DIR, 'sandbox.sqlite'),
        // The receiver and the sandbox share the secret: generated per start unless WEBHOOK_SECRET is set.
        webhooks: [{ url: receiverUrl, secret: webhookSecrets(config)[0]! }],
      });
      stops.push(sandbox.close);
      listening.sandbox = { port: sandbox.port };
      lines.push(
        `  Sandbox      ${sandbox.url} (Flexport), ${sandbox.url}/flxpoint (Flxpoint); ` +
          'token from FLEXPORT_API_TOKEN or "sandbox"',
      );
    } else {
      lines.push(`  Flexport     ${config.flexport.baseUrl}`);
    }

    const workers = await createConfiguredWorkers(config, connection);
    const running = Promise.all(workers.map((worker) => worker.run()));
    stops.push(async () => {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    lines.push(`  Workers      ${workersLine(config, workers)}`);

    const logger = poflowLogger('webhooks');
    const webhooks = await startWebhooks(config, { client, connection, logger });
    stops.push(webhooks.close);
    listening.webhooks = listener(webhooks.flexportUrl.replace(/\/webhooks\/flexport$/, ''));
    lines.push(`  Webhooks     ${webhooks.flexportUrl} (reconciler ${webhooks.reconcilerWorkflowId})`);

    lines.push(`  API          ${await startEmbeddedApi(config, client, stops, listening)}`);

    const operations = await serveOperations(config, {
      sdkMetricsUrl,
      client,
      checks: {
        temporal: temporalAnswers(connection),
        workers: workersPolling(workers),
        ...providerChecks(config),
      },
    });
    // Closed last: /readyz answers 503 (draining) while everything else stops.
    stops.unshift(operations.close);
    listening.metrics = listener(operations.url);
    lines.push(`  Operations   ${operations.url}/metrics, /healthz, /readyz`);

    await proveWorkerPolls(client);
    const stackFile = writeStackFile(DATA_DIR, {
      ...listening,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      temporal: listening.temporal!,
      dataDir: DATA_DIR,
    });
    // Run first on the way down: from then on, other terminals no longer find this stack.
    stops.push(async () => removeStackFile(DATA_DIR));
    lines.push(`  Stack file   ${stackFile} (read by poflow commands in other terminals)`);
    console.log(['poflow is running', ...lines, 'Press Ctrl-C to stop.'].join('\n'));

    await untilInterrupted(running);
    console.log('stopping...');
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err) => console.error(String(err)));
  }
}

/**
 * The ERP API beside the rest; its banner line. A port already taken (another `poflow start`, a
 * test run) leaves the stack up without the API and says how to move it.
 */
async function startEmbeddedApi(
  config: Config,
  client: PoflowClient,
  stops: Stop[],
  listening: Partial<StackFile>,
): Promise<string> {
  try {
    const api = await startApi(config, client);
    stops.push(api.close);
    const port = portOf(api.url);
    if (port !== undefined) listening.api = { port };
    return `${api.url}/v1 (tokens from ${config.api.tokensSource}; docs ${api.url}/docs)`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const at = `${config.api.host}:${config.api.port}`;
    return `not started: ${at} is in use (set POFLOW_API_PORT to a free port)`;
  }
}

/**
 * The task queues served, each provider's budget, and the providers whose requests go from another
 * process.
 */
function workersLine(config: Config, workers: Worker[]): string {
  const queues = workers.map((worker) => {
    const provider = PROVIDERS.find((p) => hostOf(p).activityQueue?.taskQueue === worker.options.taskQueue);
    const queue = provider && hostOf(provider).activityQueue;
    return queue
      ? `${queue.taskQueue} (${queue.requestsPerSecond.toFixed(1)} requests/s)`
      : worker.options.taskQueue;
  });
  const elsewhere = PROVIDERS.filter((provider) => !config[provider].worker).map((provider) => {
    const host = hostOf(provider);
    return `${host.activityQueue?.workerSwitch}=off: ${host.side.label} POs wait for another process`;
  });
  return [`task queues ${queues.join(', ')}`, ...elsewhere].join('; ');
}

function encryptionLine(keys: CodecKeys | undefined): string {
  if (!keys) return 'payloads in clear: no key configured';
  const writing = keys.encryptWith ? `encrypting with key ${keys.encryptWith.id}` : 'writing in clear';
  return `${writing}; keys from ${keys.source}`;
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
    if (added.length > 0) poflowLogger('worker').info({ added }, 'registered search attributes');
  } catch (err) {
    poflowLogger('worker').warn({ err }, 'could not register the PO search attributes (see docs/cluster.md)');
  }
}
