/**
 * A real Temporal server, the real sandbox over HTTP and a worker with the real activities:
 * what the PO workflow suites and the history recorder run against. Provider events reach the
 * workflow the way the webhook receiver will deliver them: read from the sandbox's `GET /events`
 * and signalled as `providerEvent`.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startPurchaseOrder } from '../../client/purchase-orders';
import { createActivities, type AlertSink } from '../../activities';
import { FlexportClient } from '../../activities/flexport';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { TASK_QUEUE } from '../../worker/config';
import type { Alert } from '../../workflows/lifecycle';
import {
  providerEventSignal,
  SearchAttributes,
  stateQuery,
  type PoView,
  type ProviderEvent,
} from '../../workflows/messages';
import type { PoSettingsInput } from '../../workflows/purchase-order';
import type { purchaseOrderWorkflow } from '../../workflows/purchase-order-workflow';
import { workflowBundle } from './temporal';

export type PoHandle = WorkflowHandle<typeof purchaseOrderWorkflow>;

export interface Harness {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: Sandbox;
  flexport: FlexportClient;
  alerts: Alert[];
  start(po: unknown, settings?: PoSettingsInput): Promise<PoHandle>;
  /** The sandbox's counterpart side (`/_sandbox/...`). */
  admin(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Provider events about this PO not yet delivered to it, oldest first. */
  newEvents(handle: PoHandle): Promise<ProviderEvent[]>;
  /** Signals the new events about this PO, then waits until the workflow has taken them in. */
  deliverEvents(handle: PoHandle): Promise<ProviderEvent[]>;
  close(): Promise<void>;
}

export async function startHarness(
  env: TestWorkflowEnvironment,
  sandboxOptions: SandboxOptions = {},
): Promise<Harness> {
  if (env.supportsTimeSkipping) await registerSearchAttributes(env);
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions });
  const flexport = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' });
  const alerts: Alert[] = [];
  const recorder: AlertSink = { raise: (alert) => void alerts.push(alert) };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle,
    activities: createActivities({ flexport, alerts: recorder }),
  });
  const running = worker.run();
  const delivered = new Map<string, number>();

  const harness: Harness = {
    env,
    client: env.client,
    sandbox,
    flexport,
    alerts,
    async start(po, settings) {
      const { workflowId } = await startPurchaseOrder(env.client, po, settings);
      return env.client.workflow.getHandle<typeof purchaseOrderWorkflow>(workflowId);
    },
    async admin(method, path, body) {
      const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as { data?: unknown; message?: string };
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.message}`);
      return json.data;
    },
    async newEvents(handle) {
      const name = (await handle.query(stateQuery)).name;
      const events: ProviderEvent[] = [];
      let page = await flexport.listEvents();
      for (;;) {
        events.push(
          ...page.events.filter((e) => e.id > (delivered.get(handle.workflowId) ?? 0) && concerns(e, name)),
        );
        if (!page.next) break;
        page = await flexport.listEvents({ cursor: page.next });
      }
      return events;
    },
    async deliverEvents(handle) {
      const events = await harness.newEvents(handle);
      for (const event of events) await handle.signal(providerEventSignal, event);
      if (events.length > 0) delivered.set(handle.workflowId, events.at(-1)!.id);
      const last = events.at(-1);
      if (last) await until(handle, (s) => s.seenEventIds.includes(last.id) || ['closed', 'cancelled'].includes(s.status)); // prettier-ignore
      return events;
    },
    async close() {
      worker.shutdown();
      await running;
      await sandbox.close();
    },
  };
  return harness;
}

/** The time-skipping server knows no custom search attributes until told (the dev server gets them at start). */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.values(SearchAttributes).map((key) => [key.name, INDEXED_VALUE_TYPES[key.type]]),
    ),
  });
}

const INDEXED_VALUE_TYPES: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** The webhook receiver's routing rule, in small: PO events by name, shipment events by metadata. */
function concerns(event: ProviderEvent, name: string): boolean {
  const data = event.data as {
    purchase_order?: { name?: string };
    shipment?: { metadata?: { purchase_order?: string[] } };
  };
  return data.purchase_order?.name === name || (data.shipment?.metadata?.purchase_order ?? []).includes(name);
}

/** Polls the `state` query until it satisfies `ready` (the workflow runs on its own worker). */
export async function until(
  handle: PoHandle,
  ready: (state: PoView) => boolean,
  timeoutMs = 30_000,
): Promise<PoView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await handle.query(stateQuery);
    if (ready(state)) return state;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting on ${handle.workflowId}: ${state.status}, ${JSON.stringify(state.history.at(-1))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
