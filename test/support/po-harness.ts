/**
 * A real Temporal server, the real sandbox over HTTP and workers with the real activities (the
 * Flxpoint ones on their own rate-limited queue): what the PO workflow suites and the history
 * recorder run against. Provider events reach the workflow the way the webhook receiver will
 * deliver them: read from the sandbox's `GET /events` and signalled as `providerEvent`.
 */
import {
  ServiceError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { startPurchaseOrder } from '../../client/purchase-orders';
import { createActivities } from '../../activities';
import { createFlxpointActivities } from '../../activities/flxpoint/activities';
import type { AlertSink, NotifyDeliveryConfig } from '../../activities/notifications';
import { FlexportClient } from '../../activities/flexport/client';
import { FlxpointClient } from '../../activities/flxpoint/client';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';
import { TASK_QUEUE } from '../../providers/start-once';
import type { WorkerTuning } from '../../worker/config';
import { createProviderWorker } from '../../worker/worker';
import type { flxpointPurchaseOrderWorkflow } from '../../workflows/flxpoint/workflow';
import type { Alert } from '../../workflows/core/notifications';
import { providerEventSignal, stateQuery, type PoView } from '../../workflows/flexport/messages';
import { type ProviderEvent } from '../../workflows/flexport/provider-event';
import { SearchAttributes } from '../../workflows/core/search-attributes';
import type { PoSettingsInput } from '../../workflows/core/settings';
import type { purchaseOrderWorkflow } from '../../workflows/flexport/workflow';
import { timeSkippingEnv, workerDefaults } from './temporal';

export type PoHandle = WorkflowHandle<typeof purchaseOrderWorkflow>;
export type FlxpointHandle = WorkflowHandle<typeof flxpointPurchaseOrderWorkflow>;

export interface Harness {
  env: TestWorkflowEnvironment;
  client: Client;
  sandbox: Sandbox;
  flexport: FlexportClient;
  flxpoint: FlxpointClient;
  alerts: Alert[];
  start(po: unknown, settings?: PoSettingsInput): Promise<PoHandle>;
  /** Starts a Flxpoint PO (`provider: 'flxpoint'`) from its create request. */
  startFlxpoint(po: unknown, settings?: Omit<PoSettingsInput, 'provider'>): Promise<FlxpointHandle>;
  /** The sandbox's counterpart side (`/_sandbox/...`), answering the Flexport envelope's `data`. */
  admin(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The Flxpoint counterpart side (`/_sandbox/flxpoint/...`), which answers without an envelope. */
  flxpointAdmin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Provider events about this PO not yet delivered to it, oldest first. */
  newEvents(handle: PoHandle): Promise<ProviderEvent[]>;
  /** Signals the new events about this PO, then waits until the workflow has taken them in. */
  deliverEvents(handle: PoHandle): Promise<ProviderEvent[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The token the Flxpoint activities send; the sandbox's by default. */
  flxpointApiToken?: string;
  /** The PO worker's sizing (`config.worker`); the SDK's defaults when unset. */
  tuning?: WorkerTuning;
  /** ERP endpoints and alert webhook, given the sandbox's URL (its inboxes); none when unset. */
  notify?: (sandboxUrl: string) => NotifyDeliveryConfig;
}

export async function startHarness(
  env: TestWorkflowEnvironment,
  sandboxOptions: SandboxOptions = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  if (env.supportsTimeSkipping) await registerSearchAttributes(env);
  const sandbox = await startSandbox({ port: 0, ...sandboxOptions });
  const flexport = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' });
  const flxpoint = new FlxpointClient({
    baseUrl: `${sandbox.url}/flxpoint`,
    apiToken: options.flxpointApiToken ?? sandboxOptions.apiToken ?? 'sandbox',
  });
  const alerts: Alert[] = [];
  const recorder: AlertSink = { raise: (alert) => void alerts.push(alert) };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    ...workerDefaults,
    activities: createActivities({ flexport, alerts: recorder, notify: options.notify?.(sandbox.url) }),
    ...options.tuning,
  });
  const flxpointWorker = await createProviderWorker({
    provider: 'flxpoint',
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    dataConverter: workerDefaults.dataConverter,
    activities: createFlxpointActivities({ flxpoint }),
  });
  const running = Promise.all([worker.run(), flxpointWorker.run()]);
  const delivered = new Map<string, number>();

  async function counterpart(method: string, path: string, body: unknown) {
    const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as { data?: unknown; message?: string };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.message}`);
    return json;
  }

  const harness: Harness = {
    env,
    client: env.client,
    sandbox,
    flexport,
    flxpoint,
    alerts,
    async start(po, settings) {
      const { workflowId } = await startPurchaseOrder(env.client, po, settings);
      return env.client.workflow.getHandle<typeof purchaseOrderWorkflow>(workflowId);
    },
    async startFlxpoint(po, settings) {
      const { workflowId } = await startPurchaseOrder(env.client, po, { ...settings, provider: 'flxpoint' });
      return env.client.workflow.getHandle<typeof flxpointPurchaseOrderWorkflow>(workflowId);
    },
    async admin(method, path, body) {
      return (await counterpart(method, path, body)).data;
    },
    async flxpointAdmin(method, path, body) {
      return counterpart(method, `/flxpoint${path}`, body);
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
      flxpointWorker.shutdown();
      await running;
      await sandbox.close();
    },
  };
  return harness;
}

/**
 * A harness for the calling file's tests, closed with its Temporal environment after them: a fresh
 * one (on its own time-skipping server: time skipping is global to a server) for `'each test'`, or
 * one for `'the file'`. Call it at the top of the file (or a describe); read it through the getter.
 * `started` runs once it is up (a warm-up, a test's clock).
 */
export function harnessFor(
  scope: 'each test' | 'the file',
  options: {
    env?: () => Promise<TestWorkflowEnvironment>;
    sandbox?: SandboxOptions;
    harness?: HarnessOptions;
    started?: (harness: Harness) => Promise<void>;
  } = {},
): () => Harness {
  let harness: Harness | undefined;
  const [before, after] = scope === 'each test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    harness = await startHarness(await (options.env ?? timeSkippingEnv)(), options.sandbox, options.harness);
    await options.started?.(harness);
  });
  after(async () => {
    const ending = harness;
    harness = undefined;
    await ending?.close();
    await ending?.env.teardown();
  });
  return () => {
    if (!harness) throw new Error('the harness is only there during a test');
    return harness;
  };
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

/**
 * Polls the `state` query until it satisfies `ready` (the workflow runs on its own worker). Both
 * PO workflows answer it: name the view for a Flxpoint PO, `until<FlxpointPoView>(...)`.
 */
export async function until<View extends Pick<PoView, 'status' | 'history'> = PoView>(
  handle: WorkflowHandle,
  ready: (state: View) => boolean,
  timeoutMs = 30_000,
): Promise<View> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await handle.query<View>(stateQuery.name).catch((err: unknown) => {
      // A worker too busy to answer in time (the query timed out, or its workflow task did and
      // is being retried) means "not yet", not "wrong".
      if (Date.now() < deadline && isBusyWorker(err)) return undefined;
      throw err;
    });
    if (state === undefined) continue;
    if (ready(state)) return state;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting on ${handle.workflowId}: ${state.status}, ${JSON.stringify(state.history.at(-1))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** gRPC's status codes for a query that ran out of time, or met a workflow task that did. */
const DEADLINE_EXCEEDED = 4;
const FAILED_PRECONDITION = 9;

function isBusyWorker(err: unknown): boolean {
  const code = err instanceof ServiceError ? (err.cause as { code?: number } | undefined)?.code : undefined;
  return code === DEADLINE_EXCEEDED || code === FAILED_PRECONDITION;
}

/** The reason a workflow gave for refusing an update (its validator, or the provider behind it). */
export async function refusal(update: Promise<unknown>): Promise<string> {
  const err = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as Error).message;
}
