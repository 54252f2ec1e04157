/**
 * Booking idempotency against the sandbox over HTTP: a retry finds this PO's own booking by name
 * (`f.name`, a bounded number of pages), and a booking of that name that is not this PO's is a
 * refusal, never joined.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createFlexportActivities, type BookingResult } from '../activities/flexport/activities';
import { FlexportClient } from '../activities/flexport/client';
import { startSandbox, type Sandbox } from '../sandbox/server';
import type { BookingPlan } from '../workflows/flexport/state';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';
import { dayAfter, samplePurchaseOrder } from './support/purchase-orders';
import { booking, call } from './support/sandbox-api';

let sandbox: Sandbox;
let flexport: FlexportClient;
let activities: ReturnType<typeof createFlexportActivities>;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  flexport = new FlexportClient({ baseUrl: sandbox.url, apiToken: 'sandbox' });
  activities = createFlexportActivities({ flexport });
});
afterAll(async () => sandbox.close());

const today = Date.now();

/** A PO at the sandbox: its provider id and its line item ids by item key. */
async function newPurchaseOrder(name: string) {
  const po = await flexport.createOrUpdatePurchaseOrder(
    PurchaseOrder.parse(samplePurchaseOrder(name, today)),
  );
  const lines = await flexport.listPurchaseOrderLineItems(po.id);
  return { id: po.id, line: Object.fromEntries(lines.map((l) => [l.item_key, l.id])) as Record<string, number> }; // prettier-ignore
}

/** What the workflow plans for booking `units` of the given lines under `name`. */
function plan(
  name: string,
  po: { id: number; line: Record<string, number> },
  units: Record<string, number>,
): BookingPlan {
  return {
    name,
    purchaseOrderId: po.id,
    cargoReadyDate: dayAfter(today, 10),
    transportationMode: 'ocean',
    shipperRef: 'shenzhen-widgets',
    consigneeRef: 'acme-us',
    originLocationRef: 'lex_corp_warehouse',
    destinationLocationRef: 'los_angeles',
    originPort: { code: 'CNYTN', code_type: 'unlocode' },
    destinationPort: { code: 'USLAX', code_type: 'unlocode' },
    lines: Object.entries(units).map(([itemKey, n]) => ({
      itemKey,
      purchaseOrderLineItemId: po.line[itemKey]!,
      units: n,
    })),
  };
}

/** Runs the activity in an activity context (heartbeats counted), as the worker would. */
async function book(p: BookingPlan): Promise<{ result: BookingResult; heartbeats: number }> {
  // The activity's own failures are what the tests look at: the worker's log of them is noise here.
  const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
  let heartbeats = 0;
  env.on('heartbeat', () => heartbeats++);
  const result: BookingResult = await env.run(activities.bookPurchaseOrder, p);
  return { result, heartbeats };
}

async function refusal(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

async function bookingRequests(): Promise<number> {
  const stats = await call(sandbox, 'GET', '/_sandbox/request-stats', undefined, null);
  return (stats.body.data.bookings?.total as number | undefined) ?? 0;
}

async function bookingsNamed(name: string) {
  const all: { id: number; name: string }[] = [];
  for await (const b of flexport.listBookings()) if (b.name === name) all.push(b);
  return all;
}

async function handMadeBookings(names: string[]): Promise<void> {
  for (const name of names) {
    const made = await call(sandbox, 'POST', '/bookings', booking(name));
    expect(made.status).toBe(200);
  }
}

test('the sandbox lists the bookings of one name with f.name, exactly', async () => {
  await handMadeBookings(['BK-FILTER', 'BK-FILTER-2', 'bk-filter', 'BK-FILTER']);
  const listed = await call(sandbox, 'GET', '/bookings?f.name=BK-FILTER&per=100');
  expect(listed.status).toBe(200);
  expect(listed.body.data.total_count).toBe(2);
  expect(listed.body.data.data.map((b: { name: string }) => b.name)).toEqual(['BK-FILTER', 'BK-FILTER']);
});

test("a booking name another PO's booking has is refused, never joined", async () => {
  const a = await newPurchaseOrder('PO-IDEM-A');
  const b = await newPurchaseOrder('PO-IDEM-B');
  const { result: booked } = await book(plan('BK-SHARED', a, { A: 100 }));

  const err = await refusal(book(plan('BK-SHARED', b, { A: 50, B: 20 })));
  expect(err).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
  expect(err.details).toEqual([{ status: 409, code: 'booking_name_in_use' }]);
  expect(err.message).toContain('booking name BK-SHARED is already in use');

  const lines = await flexport.listBookingLineItems(booked.providerId);
  expect(lines.map((l) => l.purchase_order?.id)).toEqual([a.id]);
  expect(await flexport.listPurchaseOrderBookingLineItems(b.id)).toEqual([]);
  expect(await bookingsNamed('BK-SHARED')).toHaveLength(1);
});

test('a booking of that name made by hand, with no line items yet, is refused too', async () => {
  const c = await newPurchaseOrder('PO-IDEM-C');
  await handMadeBookings(['BK-BY-HAND']);
  const err = await refusal(book(plan('BK-BY-HAND', c, { A: 10 })));
  expect(err).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
  expect(await flexport.listPurchaseOrderBookingLineItems(c.id)).toEqual([]);
});

test('a retry joins the booking its earlier attempt made, before or after its first line item', async () => {
  const d = await newPurchaseOrder('PO-IDEM-D');
  const faults = (body: object) => call(sandbox, 'PUT', '/_sandbox/faults', body, null);
  await faults({ serverErrorRate: 1, routeFamilies: ['booking_line_items'] });
  try {
    const err = await refusal(book(plan('BK-RETRY', d, { A: 100, B: 50 })));
    expect(err).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
  } finally {
    await faults({});
  }
  const [made] = await bookingsNamed('BK-RETRY');
  expect(made).toBeDefined();
  // The first attempt left a booking with no line items; a retry that added one of two dies too.
  await flexport.createBookingLineItem({ booking_id: made!.id, purchase_order_line_item_id: d.line.A!, units: 100 }); // prettier-ignore

  const { result } = await book(plan('BK-RETRY', d, { A: 100, B: 50 }));
  expect(result.providerId).toBe(made!.id);
  expect(await bookingsNamed('BK-RETRY')).toHaveLength(1);
  const lines = await flexport.listBookingLineItems(made!.id);
  expect(lines.map((l) => [l.purchase_order_line_item.id, l.units])).toEqual([
    [d.line.A, 100],
    [d.line.B, 50],
  ]);
});

test("the lookup reads the bookings of the plan's name, not every booking of the account", async () => {
  await handMadeBookings(Array.from({ length: 250 }, (_, i) => `BK-OTHER-${i}`));
  const e = await newPurchaseOrder('PO-IDEM-E');
  const before = await bookingRequests();
  const { result, heartbeats } = await book(plan('BK-FRESH', e, { A: 1 }));
  // One filtered page (nothing of that name yet), then the create.
  expect((await bookingRequests()) - before).toBe(2);
  expect(heartbeats).toBeGreaterThanOrEqual(1);
  expect(result).toMatchObject({ name: 'BK-FRESH', status: 'submitted' });
});

test('a name more bookings carry than the lookup reads (two pages of 100) is refused after a bounded read', async () => {
  const f = await newPurchaseOrder('PO-IDEM-F');
  await handMadeBookings(Array.from({ length: 201 }, () => 'BK-CROWDED'));
  const before = await bookingRequests();
  const err = await refusal(book(plan('BK-CROWDED', f, { A: 1 })));
  expect(err).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
  expect(err.message).toContain('more than 200 bookings are named BK-CROWDED');
  expect((await bookingRequests()) - before).toBe(2);
  expect(await flexport.listPurchaseOrderBookingLineItems(f.id)).toEqual([]);
});
