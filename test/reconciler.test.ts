/**
 * The reconciler against a real dev server and the real sandbox over HTTP, with no webhook
 * endpoint registered: every event is "missed" and must arrive through `GET /events`, once, from
 * a cursor that survives the reconciler's worker going away; an event that shows up in the log
 * after the cursor passed its `occurred_at` still arrives; one that fails for good (its envelope,
 * a refused lookup) is tried a few times and dead-lettered while every later event still arrives;
 * one skipped as too fresh holds the cursor's mark back. First, the cursor on its own.
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
import { poflowLogger } from '../infra/logger';
import {
  startReconciler,
  type ReconcilerOptions,
  type RunningReconciler,
} from '../webhooks/reconciler/runner';
import { reconcilerDeadLetters } from '../infra/metrics';
import { parsePurchaseOrder } from '../workflows/flexport/purchase-order';
import { reconcilerStateQuery, reconcilerWorkflowId } from '../workflows/reconciler';
import { pingWorkflow } from '../workflows/ping';
import { devServerEnv } from './support/temporal';
import { payloadValue, TEST_CODEC_KEYS, testDataConverter } from './support/codec';
import { jsonOf, runCli } from './support/stack';

const examplePo = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'examples', 'po-1001-widgets.json'), 'utf8'),
);
/** The reconciler's log lines, kept to check that no payload reaches them. */
const logged: string[] = [];
const logger = poflowLogger('webhooks', { write: (line: string) => void logged.push(line) });

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

  test('an event passed over (too fresh, or failed) holds the mark at most the overlap after it; it never moves back', () => {
    const cursor = { occurredAt: T(30), deliveredIds: [2] };
    const walked = [
      { id: 2, occurredAt: T(30) },
      { id: 4, occurredAt: T(150) },
    ];
    // Id 3 occurred at 10:40 and was left for later: the next window must start at or before it.
    const held = advanceCursor(cursor, walked, HOUR_MS, true, [T(40)]);
    expect(held).toEqual({ occurredAt: T(100), deliveredIds: [4] });
    expect(windowStart(held, HOUR_MS)).toBe(T(40));
    expect(advanceCursor(cursor, walked, HOUR_MS, true, [T(-40)]).occurredAt).toBe(T(30));
    expect(advanceCursor(cursor, walked, HOUR_MS, true, [T(200)]).occurredAt).toBe(T(150));
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

const runReconciler = (options: Partial<ReconcilerOptions> = {}) =>
  startReconciler(env.client, {
    connection: env.nativeConnection,
    namespace: 'default',
    dataConverter: testDataConverter,
    flexport: flexportEventFeed(flexport, { baseUrl: sandbox.url, apiToken: 'sandbox' }),
    pollIntervalMs: 300,
    settleMs: 0,
    maxEventTries: 3,
    logger,
    ...options,
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

/** The newest event in the provider's log, read raw: some events here are not well formed. */
async function lastEventId(): Promise<number> {
  let next: string | null | undefined = `${sandbox.url}/events?per=100`;
  const ids: number[] = [];
  while (next) {
    const response = await fetch(next, { headers: { authorization: 'Bearer sandbox' } });
    const page = (await response.json()) as { data: { data: { id: number }[]; next?: string | null } };
    ids.push(...page.data.data.map((e) => e.id));
    next = page.data.next;
  }
  return Math.max(...ids);
}

/** Logs an event at the provider as the counterpart's systems would, shaped as Flexport documents or not. */
async function logAtProvider(event: { type: string; data?: unknown }): Promise<number> {
  const response = await fetch(`${sandbox.url}/_sandbox/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: number } }).data.id;
}

async function eventAtProvider(id: number): Promise<{ id: number; occurred_at: string }> {
  const response = await fetch(`${sandbox.url}/events/${id}`, {
    headers: { authorization: 'Bearer sandbox' },
  });
  return ((await response.json()) as { data: { id: number; occurred_at: string } }).data;
}

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ready: (value: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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

test('an event that fails for good is tried three times, dead-lettered without its payload, and later events still arrive', async () => {
  const name = `PO-REC-DL-${Date.now()}`;
  const handle = await idlePoWorkflow(env.client, name);
  const poId = await createAtProvider(name);
  reconciler ??= await runReconciler();
  const secret = `IBAN-DE89-${Date.now()}`;
  // The event schema refuses it (data is not an object); the lookup of this shipment answers 404.
  const malformed = await logAtProvider({ type: '/purchase_order#updated', data: `${name} at 4.20 USD, ${secret}` }); // prettier-ignore
  const orphan = await logAtProvider({
    type: '/shipment_leg#departed',
    data: { shipment: { _object: '/shipment', id: 987654321 }, note: secret },
  });
  await acknowledgeAtProvider(poId);
  const acknowledged = await lastEventId();

  // The events after the bad ones arrive; the bad ones are tried again, then given up on.
  await reconciledUpTo(acknowledged);
  expect(await signalledEventTypes(handle)).toEqual([
    '/purchase_order#created',
    '/purchase_order#acknowledged',
  ]);
  const state = await waitFor('both dead-lettered', reconcilerState, (s) => s.deadLetters.length >= 2);
  expect(state.deadLetters).toEqual([
    { key: `#${malformed}`, id: malformed, type: '/purchase_order#updated', occurredAt: expect.any(String), kind: 'schema', reason: 'not a provider event: data: Invalid input: expected record, received string', tries: 3, lastTriedAt: expect.any(String) }, // prettier-ignore
    { key: `#${orphan}`, id: orphan, type: '/shipment_leg#departed', occurredAt: expect.any(String), kind: 'rejected', reason: '404: Could not find shipment with id 987654321', tries: 3, lastTriedAt: expect.any(String) }, // prettier-ignore
  ]);
  expect(state.retrying).toEqual([]);
  expect(state.totals.deadLettered).toBe(2);
  expect(state.cursor.deliveredIds).toEqual(expect.arrayContaining([malformed, orphan, acknowledged]));
  const counted = (await reconcilerDeadLetters.get()).values;
  expect(counted.map((v) => [v.labels.kind, v.value]).sort()).toEqual([
    ['rejected', 1],
    ['schema', 1],
  ]);

  // Neither the reconciler's state nor its log holds the payload; the log names the events.
  expect(JSON.stringify(state)).not.toContain(secret);
  expect(logged.join('')).not.toContain(secret);
  const deadLettered = logged.map((line) => JSON.parse(line)).filter((l) => /dead-lettered/.test(l.msg));
  expect(deadLettered.map((l) => [l.eventId, l.tries])).toEqual([
    [malformed, 3],
    [orphan, 3],
  ]);

  // Walks go on: nothing is tried again, nothing is dead-lettered twice.
  const walks = state.walks;
  await waitFor('three more walks', reconcilerState, (s) => s.walks >= walks + 3);
  expect((await reconcilerState()).totals.deadLettered).toBe(2);

  // The operator's view.
  const cliEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', POFLOW_CODEC_KEYS: TEST_CODEC_KEYS }; // prettier-ignore
  const listed = await runCli({ cliEnv }, ['reconciler', 'dead-letters', '--json']);
  expect(listed.code).toBe(0);
  expect(jsonOf(listed)).toMatchObject({
    provider: 'flexport',
    workflowId: 'reconciler/flexport',
    total: 2,
    deadLetters: [
      { id: malformed, kind: 'schema', tries: 3 },
      { id: orphan, kind: 'rejected', tries: 3 },
    ],
    retrying: [],
  });
  const human = await runCli({ cliEnv }, ['reconciler', 'dead-letters']);
  expect(human.code).toBe(0);
  expect(human.stdout).toMatch(new RegExp(`^${orphan} +/shipment_leg#departed +rejected +3 +\\S+ +404: Could not find shipment`, 'm')); // prettier-ignore
  expect(human.stdout).toContain('2 dead letters at flexport');
  expect(human.stdout).not.toContain(secret);
});

test('an event logged late and skipped as too fresh holds the mark back: a later walk delivers it', async () => {
  // A reconciler of its own, from the first event: a 3 s settle and a 1 s overlap.
  await reconciler?.close();
  await env.client.workflow
    .getHandle(reconcilerWorkflowId('flexport'))
    .terminate('a short overlap for this test');
  reconciler = await runReconciler({ settleMs: 3000, overlapMs: 1000 });
  const name = `PO-REC-FRESH-${Date.now()}`;
  const handle = await idlePoWorkflow(env.client, name);
  const poId = await createAtProvider(name);
  const shipmentId = await shipmentAtProvider(poId, name);
  await reconciledUpTo(await lastEventId());

  // The acknowledgement happens now; two seconds later the departure scan is logged as having
  // occurred 1.2 s before it, more than the overlap before it. The walk that delivers the
  // acknowledgement finds the scan too fresh and leaves it; the mark must not leave it behind.
  await acknowledgeAtProvider(poId);
  const acknowledged = await eventAtProvider(await lastEventId());
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const advanced = await fetch(`${sandbox.url}/_sandbox/shipments/${shipmentId}/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'departed', at: new Date(Date.parse(acknowledged.occurred_at) - 1200).toISOString() }), // prettier-ignore
  });
  expect(advanced.status).toBe(200);

  await waitFor('the departure scan signalled', () => signalledEventTypes(handle), (types) => types.includes('/shipment_leg#departed'), 20_000); // prettier-ignore
  const walks = (await reconcilerState()).walks;
  await waitFor('three more walks', reconcilerState, (s) => s.walks >= walks + 3);
  expect(await signalledEventTypes(handle)).toEqual([
    '/purchase_order#created',
    '/shipment#created',
    '/shipment#booking_confirmed',
    '/purchase_order#acknowledged',
    '/shipment_leg#departed',
  ]);
});
