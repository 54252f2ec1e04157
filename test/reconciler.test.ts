/**
 * The reconciler against a real dev server and the real sandbox over HTTP, with no webhook
 * endpoint registered: every event is "missed" and must arrive through `GET /events`, exactly
 * once per walk, from a cursor that survives the reconciler's worker going away.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flexportEventFeed } from '../activities/reconciler';
import { FlexportClient } from '../activities/flexport';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { webhookLogger } from '../webhooks/logger';
import { startReconciler, type RunningReconciler } from '../webhooks/reconciler';
import { parsePurchaseOrder } from '../workflows/purchase-order';
import { reconcilerStateQuery, reconcilerWorkflowId } from '../workflows/reconciler';
import { pingWorkflow } from '../workflows/ping';
import { devServerEnv } from './support/temporal';

const examplePo = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8'),
);
const silent = webhookLogger({ write: () => {} });

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let flexport: FlexportClient;
let reconciler: RunningReconciler | undefined;

beforeAll(async () => {
  env = await devServerEnv();
  sandbox = await startSandbox({ port: 0 });
  flexport = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' });
});

afterAll(async () => {
  await reconciler?.close();
  await sandbox?.close();
  await env?.teardown();
});

const runReconciler = () =>
  startReconciler(env.client, {
    connection: env.nativeConnection,
    namespace: 'default',
    flexport: flexportEventFeed(flexport),
    pollIntervalMs: 300,
    settleMs: 0,
    logger: silent,
  });

async function createAtProvider(name: string): Promise<number> {
  const parsed = parsePurchaseOrder({ ...examplePo, name });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return (await flexport.createOrUpdatePurchaseOrder(parsed.value)).id;
}

async function acknowledgeAtProvider(id: number): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/purchase_orders/${id}/acknowledge`, {
    method: 'POST',
  });
  expect(response.status).toBe(200);
}

async function lastEventId(): Promise<number> {
  const feed = flexportEventFeed(flexport);
  let last = 0;
  for (let page = await feed.eventsAfter(0, 100); ; page = await feed.eventsAfter(last, 100)) {
    last = page.events.at(-1)?.id ?? last;
    if (!page.hasMore) return last;
  }
}

/** A PO workflow nobody runs: the server still records every signal it accepts. */
const idlePoWorkflow = (client: Client, name: string) =>
  client.workflow.start(pingWorkflow, { taskQueue: 'nobody-polls', workflowId: `po/flexport/${name}` });

async function signalledEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const payload = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<{ type: string }>(payload).type] : [];
  });
}

async function reconciledUpTo(eventId: number): Promise<void> {
  const handle = env.client.workflow.getHandle(reconcilerWorkflowId('flexport'));
  const deadline = Date.now() + 30_000;
  while ((await handle.query(reconcilerStateQuery)).cursor < eventId) {
    if (Date.now() > deadline) throw new Error(`reconciler did not reach event ${eventId}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('missed events reach their PO workflows once each; unknown POs are dropped; the cursor survives a restart', async () => {
  const run = Date.now();
  const [known, later, stranger] = [`PO-REC-A-${run}`, `PO-REC-B-${run}`, `PO-REC-X-${run}`];
  const knownHandle = await idlePoWorkflow(env.client, known);
  const laterHandle = await idlePoWorkflow(env.client, later);
  const knownId = await createAtProvider(known);
  const laterId = await createAtProvider(later);
  await createAtProvider(stranger);
  await acknowledgeAtProvider(knownId);

  reconciler = await runReconciler();
  await reconciledUpTo(await lastEventId());
  expect(await signalledEventTypes(knownHandle)).toEqual([
    '/purchase_order#created',
    '/purchase_order#acknowledged',
  ]);
  expect(await signalledEventTypes(laterHandle)).toEqual(['/purchase_order#created']);
  const state = await env.client.workflow
    .getHandle(reconcilerWorkflowId('flexport'))
    .query(reconcilerStateQuery);
  expect(state.totals).toMatchObject({ events: 4, signalled: 3, unknownPo: 1 });
  await expect(env.client.workflow.getHandle(`po/flexport/${stranger}`).describe()).rejects.toThrow();

  // The worker goes away; events keep coming; a second start keeps the same workflow and cursor.
  await reconciler.close();
  await acknowledgeAtProvider(laterId);
  reconciler = await runReconciler();
  expect(reconciler.workflowId).toBe(reconcilerWorkflowId('flexport'));
  await reconciledUpTo(await lastEventId());
  expect(await signalledEventTypes(laterHandle)).toEqual([
    '/purchase_order#created',
    '/purchase_order#acknowledged',
  ]);
  expect(await signalledEventTypes(knownHandle)).toHaveLength(2);
});
