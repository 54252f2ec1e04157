/**
 * Temporal goes away under the receiver: deliveries are answered 503 (so the provider keeps
 * them), and once the same server is back (same SQLite file) the provider's retries land.
 * Its own dev server, so the test can stop and restart it.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createActivities } from '../activities';
import { FlexportClient } from '../activities/flexport/client';
import { startPurchaseOrder } from '../client/purchase-orders';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { TASK_QUEUE } from '../providers/start-once';
import { startDevServer, type DevServer, type DevServerOptions } from '../worker/dev-server';
import { poflowLogger } from '../infra/logger';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/receiver';
import type { purchaseOrderWorkflow } from '../workflows/flexport/workflow';
import { until } from './support/po-harness';
import { freePort } from './support/ports';
import { samplePurchaseOrder } from './support/purchase-orders';
import { workerDefaults } from './support/temporal';

const SECRET = 'whsec-outage-3c9d0e1f2a7b';
const dir = mkdtempSync(path.join(tmpdir(), 'poflow-outage-'));
let options: DevServerOptions;
let server: DevServer | undefined;
let client: Client;
let sandbox: Sandbox;
let receiver: WebhookReceiver;

interface RunningWorker {
  stop(): Promise<void>;
}

async function runWorker(flexport: FlexportClient): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: server!.address });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUE,
    ...workerDefaults,
    activities: createActivities({ flexport, alerts: { raise: () => {} } }),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  options = { port: await freePort(), uiPort: await freePort(), namespace: 'default', dbFile: path.join(dir, 'temporal.sqlite') }; // prettier-ignore
  server = await startDevServer(options);
  const connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, dataConverter: workerDefaults.dataConverter });
  receiver = await startWebhookReceiver({ port: 0, secrets: [SECRET], client, rpcTimeoutMs: 2000, logger: poflowLogger('webhooks', { write: () => {} }) }); // prettier-ignore
  sandbox = await startSandbox({
    port: 0,
    webhooks: [{ url: `${receiver.url}/webhooks/flexport`, secret: SECRET }],
    webhookRetry: { initialDelayMs: 250, maxDelayMs: 1000, maxAttempts: 500 },
  });
});

afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
  await client?.connection.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function admin<T>(method: 'GET' | 'POST', route: string): Promise<T> {
  const response = await fetch(`${sandbox.url}/_sandbox${route}`, { method });
  expect(response.ok).toBe(true);
  return ((await response.json()) as { data: T }).data;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('Temporal down: 503 and the provider keeps retrying; Temporal back: the retried delivery lands', async () => {
  const flexport = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' });
  let worker = await runWorker(flexport);
  const { workflowId } = await startPurchaseOrder(client, samplePurchaseOrder(`PO-OUTAGE-${Date.now()}`, Date.now())); // prettier-ignore
  const handle = client.workflow.getHandle<typeof purchaseOrderWorkflow>(workflowId);
  const open = await until(handle, (s) => s.providerId !== undefined && s.seenEventIds.length > 0, 60_000);
  expect(open.acknowledged).toBe(false);

  await worker.stop();
  await server!.stop();
  await admin('POST', `/purchase_orders/${open.providerId}/acknowledge`);
  type Delivery = { event_type: string; outcome: string; attempts: { status: number | null }[] };
  const ackDelivery = async (): Promise<Delivery | undefined> =>
    (await admin<{ deliveries: Delivery[] }>('GET', '/deliveries')).deliveries.find((d) => d.event_type === '/purchase_order#acknowledged'); // prettier-ignore
  await waitFor(async () => ((await ackDelivery())?.attempts.filter((a) => a.status === 503).length ?? 0) >= 2, 'two 503 answers'); // prettier-ignore
  expect(receiver.counts.unavailable).toBeGreaterThanOrEqual(2);
  expect((await ackDelivery())?.outcome).toBe('pending');

  server = await startDevServer(options);
  worker = await runWorker(flexport);
  try {
    await waitFor(async () => (await ackDelivery())?.outcome === 'delivered', 'the retried delivery');
    const acknowledged = await until(handle, (s) => s.acknowledged, 60_000);
    expect(acknowledged.status).toBe('open');
    expect((await ackDelivery())!.attempts.at(-1)!.status).toBe(200);
  } finally {
    await worker.stop();
  }
});
