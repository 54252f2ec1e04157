/**
 * The reconciler against a real dev server and the real sandbox over HTTP, with no webhook
 * endpoint registered: every event is "missed" and must arrive through `GET /events`, once, from
 * a cursor that survives the reconciler's worker going away; an event that shows up in the log
 * after the cursor passed its `occurred_at` still arrives. First, the cursor on its own.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flexportEventFeed } from '../webhooks/reconciler/flexport-event-feed';
import { FlexportClient } from '../activities/flexport/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import {
  advanceCursor,
  MAX_DELIVERED_IDS,
  windowStart,
  type EventCursor,
  type WalkedEvent,
} from '../webhooks/event-cursor';
import { poflowLogger } from '../worker/logger';
import { startReconciler, type RunningReconciler } from '../webhooks/reconciler/runner';
import { parsePurchaseOrder } from '../workflows/flexport/purchase-order';
import { reconcilerStateQuery, reconcilerWorkflowId } from '../workflows/reconciler';
import { pingWorkflow } from '../workflows/ping';
import { devServerEnv } from './support/temporal';
import { payloadValue, testDataConverter } from './support/codec';

const examplePo = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8'),
);
const silent = poflowLogger('webhooks', { write: () => {} });

const HOUR_MS = 3_600_000;
const T = (minutes: number) =>
  new Date(Date.parse('2031-05-26T10:00:00.000Z') + minutes * 60_000).toISOString();

/** One walk over `log` as the activity makes it: the window from the cursor, new ids delivered. */
function walk(cursor: EventCursor, log: WalkedEvent[]): { delivered: number[]; cursor: EventCursor } {
  const since = windowStart(cursor, HOUR_MS);
  const inWindow = log.filter((e) => since === undefined || e.occurredAt >= since);
  return {
    delivered: inWindow.filter((e) => !cursor.deliveredIds.includes(e.id)).map((e) => e.id),
    cursor: advanceCursor(cursor, inWindow, HOUR_MS, true),
  };
}

describe('the event cursor', () => {
  test('an event that occurred before the high-water mark but shows up later is delivered, once', () => {
    const first = walk({ deliveredIds: [] }, [
      { id: 1, occurredAt: T(0) },
      { id: 2, occurredAt: T(30) },
    ]);
    expect(first).toEqual({ delivered: [1, 2], cursor: { occurredAt: T(30), deliveredIds: [1, 2] } });
    // Id 3 occurred at 10:20, ten minutes before the mark, and is listed only now.
    const log = [
      { id: 1, occurredAt: T(0) },
      { id: 2, occurredAt: T(30) },
      { id: 3, occurredAt: T(20) },
    ];
    const second = walk(first.cursor, log);
    expect(second.delivered).toEqual([3]);
    expect(second.cursor).toEqual({ occurredAt: T(30), deliveredIds: [1, 3, 2] });
    expect(walk(second.cursor, log).delivered).toEqual([]);
  });

  test('ids leave the cursor once they fall out of the overlap window', () => {
    const cursor = walk({ deliveredIds: [] }, [
      { id: 1, occurredAt: T(0) },
      { id: 2, occurredAt: T(50) },
      { id: 3, occurredAt: T(90) },
    ]).cursor;
    expect(cursor).toEqual({ occurredAt: T(90), deliveredIds: [2, 3] });
    expect(windowStart(cursor, HOUR_MS)).toBe(T(30));
  });

  test('a walk cut short keeps the ids it did not reach; every cursor stays bounded', () => {
    const cursor = { occurredAt: T(30), deliveredIds: [7, 8, 9] };
    expect(advanceCursor(cursor, [{ id: 8, occurredAt: T(30) }, { id: 10, occurredAt: T(40) }], HOUR_MS, false)).toEqual({ occurredAt: T(40), deliveredIds: [7, 9, 8, 10] }); // prettier-ignore
    expect(advanceCursor(cursor, [], HOUR_MS, false)).toEqual(cursor);
    const many = Array.from({ length: MAX_DELIVERED_IDS + 5 }, (_, i) => ({
      id: i + 1,
      occurredAt: T(i / 1000),
    }));
    const bounded = advanceCursor({ deliveredIds: [] }, many, HOUR_MS, true);
    expect(bounded.deliveredIds).toHaveLength(MAX_DELIVERED_IDS);
    expect(bounded.deliveredIds.at(-1)).toBe(MAX_DELIVERED_IDS + 5);
  });
});

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
    dataConverter: testDataConverter,
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

/** The newest event in the provider's log. */
async function lastEventId(): Promise<number> {
  let page = await flexport.listEvents();
  const ids = page.events.map((e) => e.id);
  while (page.next) {
    page = await flexport.listEvents({ cursor: page.next });
    ids.push(...page.events.map((e) => e.id));
  }
  return Math.max(...ids);
}

/** A booking on the PO's first line, confirmed by the forwarder: its shipment's id. */
async function shipmentAtProvider(poId: number, name: string): Promise<number> {
  const booking = await flexport.createBooking({
    name: `${name}-B1`,
    shipper_entity_ref: 'shenzhen-widgets',
    consignee_entity_ref: 'acme-us',
    origin_address_ref: 'lex_corp_warehouse',
    destination_address_ref: 'los_angeles',
    cargo_ready_date: examplePo.cargo_ready_date,
    ocean_booking: { origin_port_loc_code: 'CNYTN', destination_port_loc_code: 'USLAX' },
  });
  const [line] = await flexport.listPurchaseOrderLineItems(poId);
  await flexport.createBookingLineItem({ booking_id: booking.id, purchase_order_line_item_id: line!.id, units: 1 }); // prettier-ignore
  const confirmed = await fetch(`${sandbox.url}/_sandbox/bookings/${booking.id}/confirm`, { method: 'POST' });
  return ((await confirmed.json()) as { data: { shipment: { id: number } } }).data.shipment.id;
}

/** A PO workflow nobody runs: the server still records every signal it accepts. */
const idlePoWorkflow = (client: Client, name: string) =>
  client.workflow.start(pingWorkflow, { taskQueue: 'nobody-polls', workflowId: `po/flexport/${name}` });

async function signalledEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const payloads = (history.events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads?.slice(0, 1) ?? []); // prettier-ignore
  return Promise.all(payloads.map(async (payload) => (await payloadValue<{ type: string }>(payload)).type));
}

const reconcilerState = () =>
  env.client.workflow.getHandle(reconcilerWorkflowId('flexport')).query(reconcilerStateQuery);

async function reconciledUpTo(eventId: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await reconcilerState()).cursor.deliveredIds.includes(eventId)) {
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
  const state = await reconcilerState();
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

test('a milestone reported late, after the cursor passed its time, reaches the PO; nothing twice', async () => {
  const name = `PO-REC-LATE-${Date.now()}`;
  const handle = await idlePoWorkflow(env.client, name);
  const shipmentId = await shipmentAtProvider(await createAtProvider(name), name);
  reconciler ??= await runReconciler();
  await reconciledUpTo(await lastEventId());
  const { cursor } = await reconcilerState();

  // The carrier's departure scan, ten minutes before the newest event delivered, arrives now.
  const departedAt = new Date(Date.parse(cursor.occurredAt!) - 10 * 60_000).toISOString();
  const advanced = await fetch(`${sandbox.url}/_sandbox/shipments/${shipmentId}/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'departed', at: departedAt }),
  });
  expect(advanced.status).toBe(200);
  const departed = await lastEventId();
  await reconciledUpTo(departed);
  expect((await reconcilerState()).cursor.occurredAt).toBe(cursor.occurredAt);

  // A few more walks over the same overlap window signal nothing again.
  const walks = (await reconcilerState()).walks;
  while ((await reconcilerState()).walks < walks + 3)
    await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await signalledEventTypes(handle)).toEqual([
    '/purchase_order#created',
    '/shipment#created',
    '/shipment#booking_confirmed',
    '/shipment_leg#departed',
  ]);
});
