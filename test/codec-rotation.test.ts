/**
 * Keys change under running POs. One PO lives through: no encryption, key 1, key 2 (rotation),
 * then `plain` (encryption off, the old keys kept to read): after each change a fresh worker
 * replays its whole history and the client reads it. A payload under a key the worker lacks fails
 * its workflow task with a clear error and the worker keeps serving other POs.
 */
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { FlexportClient } from '../activities/flexport/client';
import { poflowDataConverter } from '../codec/aes-gcm';
import { generateKeyEntry, parseCodecKeys } from '../codec/keys';
import { startPurchaseOrder } from '../client/purchase-orders';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { TASK_QUEUE } from '../providers/start-once';
import { amendUpdate, providerEventSignal, stateQuery } from '../workflows/flexport/messages';
import type { purchaseOrderWorkflow } from '../workflows/flexport/workflow';
import { samplePurchaseOrder } from './support/purchase-orders';
import { devServerEnv, workerDefaults } from './support/temporal';

const key = (id: string) => generateKeyEntry().replace(/^[^:]+/, id);
const KEY_1 = key('key-1');
const KEY_2 = key('key-2');

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;

beforeAll(async () => {
  env = await devServerEnv();
  sandbox = await startSandbox({ port: 0 });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
  await env?.teardown();
});

/** A client and a worker with these keys (`undefined`: no encryption), as two poflow processes would have. */
async function poflowWith<T>(
  keys: string | undefined,
  run: (client: Client, worker: Worker) => Promise<T>,
): Promise<T> {
  const dataConverter = poflowDataConverter(keys ? parseCodecKeys(keys, 'test') : undefined);
  const worker = await Worker.create({
    ...workerDefaults,
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    dataConverter,
    // Every phase replays the PO's whole history from the server.
    maxCachedWorkflows: 0,
    activities: createActivities({
      flexport: new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' }),
      alerts: { raise: () => {} },
    }),
  });
  const client = new Client({ connection: env.connection, dataConverter });
  return worker.runUntil(() => run(client, worker));
}

type PoHandle = WorkflowHandle<typeof purchaseOrderWorkflow>;

async function stateOnceOpen(handle: PoHandle, minVersion = 0) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await handle.query(stateQuery);
    if (state.status === 'open' && (state.providerVersion ?? 0) >= minVersion && !state.pending) return state;
    if (Date.now() > deadline) throw new Error(`PO ${state.name} stuck in ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The key ids (or `clear`) of the payloads the server holds for this PO. */
async function keyIdsInHistory(workflowId: string): Promise<Set<string>> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.metadata && record.data instanceof Uint8Array) {
      const id = (record.metadata as Record<string, Uint8Array>)['encryption-key-id'];
      ids.add(id ? Buffer.from(id).toString() : 'clear');
      return;
    }
    for (const value of Object.values(record)) walk(value);
  };
  // fetchHistory decodes nothing: these are the payloads as the server stores them.
  walk(history);
  return ids;
}

test('a running PO stays readable through encryption turned on, a key rotation and encryption turned off', async () => {
  const po = samplePurchaseOrder('PO-ROTATE', Date.now());
  const workflowId = 'po/flexport/PO-ROTATE';
  const amendTo = (units: number) => ({ ...po, line_items: po.line_items.map((l, i) => (i === 0 ? { ...l, units } : l)) }); // prettier-ignore

  await poflowWith(undefined, async (client) => {
    await startPurchaseOrder(client, po);
    await stateOnceOpen(client.workflow.getHandle(workflowId));
  });
  expect(await keyIdsInHistory(workflowId)).toEqual(new Set(['clear']));

  // Turned on: the clear history replays, the new payloads use key 1.
  await poflowWith(KEY_1, async (client) => {
    const handle: PoHandle = client.workflow.getHandle(workflowId);
    await handle.executeUpdate(amendUpdate, { args: [amendTo(510)] });
    expect((await stateOnceOpen(handle, 2)).lines[0]!.units).toBe(510);
  });
  expect(await keyIdsInHistory(workflowId)).toEqual(new Set(['clear', 'key-1']));

  // Rotated: key 2 writes, key 1 still reads what it wrote.
  await poflowWith(`${KEY_2},${KEY_1}`, async (client) => {
    const handle: PoHandle = client.workflow.getHandle(workflowId);
    await handle.executeUpdate(amendUpdate, { args: [amendTo(520)] });
    expect((await stateOnceOpen(handle, 3)).lines[0]!.units).toBe(520);
  });
  expect(await keyIdsInHistory(workflowId)).toEqual(new Set(['clear', 'key-1', 'key-2']));

  // Turned off: `plain` first, new payloads in clear, the old keys still read.
  await poflowWith(`plain,${KEY_2},${KEY_1}`, async (client) => {
    const handle: PoHandle = client.workflow.getHandle(workflowId);
    await handle.executeUpdate(amendUpdate, { args: [amendTo(530)] });
    const state = await stateOnceOpen(handle, 4);
    expect(state.lines[0]!.units).toBe(530);
    expect(state.po.line_items[0]!.unit_cost?.amount).toBe('4.65');
  });
}, 120_000);

test('a payload under a key the worker lacks fails its workflow task clearly; the worker keeps serving', async () => {
  await poflowWith(KEY_1, async (client, worker) => {
    await startPurchaseOrder(client, samplePurchaseOrder('PO-STRANGER', Date.now()));
    const stranger: PoHandle = client.workflow.getHandle('po/flexport/PO-STRANGER');
    await stateOnceOpen(stranger);
    // Another process signals with a key this worker was never given.
    const other = new Client({ connection: env.connection, dataConverter: poflowDataConverter(parseCodecKeys(key('key-9'), 'test')) }); // prettier-ignore
    await other.workflow.getHandle(stranger.workflowId).signal(providerEventSignal, {
      _object: '/event',
      id: 1,
      type: '/purchase_order#acknowledged',
      data: { purchase_order: { name: 'PO-STRANGER' } },
    });
    const failure = await workflowTaskFailure(stranger.workflowId);
    expect(failure).toMatch(/payload encrypted with key "key-9" cannot be decrypted: test does not list that key id \(known: key-1\)/); // prettier-ignore

    // The same worker still runs another PO to open.
    await startPurchaseOrder(client, samplePurchaseOrder('PO-NEIGHBOUR', Date.now()));
    await stateOnceOpen(client.workflow.getHandle('po/flexport/PO-NEIGHBOUR'));
    expect(worker.getState()).toBe('RUNNING');
    await stranger.terminate('test over: the key-9 signal can never be read here');
  });
}, 90_000);

async function workflowTaskFailure(workflowId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes);
    if (failed) return failed.workflowTaskFailedEventAttributes!.failure?.message ?? '';
    if (Date.now() > deadline) throw new Error(`no failed workflow task in ${workflowId}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
