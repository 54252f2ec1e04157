/**
 * The PO workflow end to end on the time-skipping server, against the sandbox over HTTP:
 * days-long timers pass in moments, every provider call is a real HTTP request.
 * One environment per test: time skipping is global to a server, and the sandbox's clock is real.
 */
import {
  amendUpdate,
  bookUpdate,
  cancelUpdate,
  closeUpdate,
  stateQuery,
  type PoView,
} from '../workflows/flexport/messages';
import { SearchAttributes } from '../workflows/core/search-attributes';
import { refusal, harnessFor, until, type PoHandle } from './support/po-harness';
import { samplePurchaseOrder, dayAfter } from './support/purchase-orders';

const DAY_MS = 86_400_000;
const harness = harnessFor('each test');
let now: number;

beforeEach(async () => {
  now = await harness().env.currentTimeMs();
});

/** Every notification (alerts included) delivered: the state stands still until the next change. */
const settled = (s: PoView) => s.notifications?.pending === 0;

async function openPo(name: string, overrides = {}): Promise<PoHandle> {
  const handle = await harness().start(samplePurchaseOrder(name, now, overrides));
  await until(handle, (s) => s.status === 'open');
  return handle;
}

async function bookAndConfirm(handle: PoHandle): Promise<number> {
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  await harness().admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
  const events = await harness().deliverEvents(handle);
  const confirmed = events.find((e) => e.type === '/shipment#booking_confirmed')!;
  return (confirmed.data as { shipment: { id: number } }).shipment.id;
}

test('happy path: submitted, acknowledged, booked, shipped, delivered, auto-closed 30 days after delivery', async () => {
  const handle = await openPo('PO-HAPPY');
  const { providerId } = await handle.query(stateQuery);
  await harness().admin('POST', `/purchase_orders/${providerId}/acknowledge`);
  await harness().deliverEvents(handle);
  expect((await handle.query(stateQuery)).acknowledged).toBe(true);

  const shipmentId = await bookAndConfirm(handle);
  await harness().admin('POST', `/shipments/${shipmentId}/advance`, { to: 'delivered_in_full' });
  await harness().deliverEvents(handle);
  const delivered = await handle.query(stateQuery);
  expect(delivered.status).toBe('booked');
  expect(Object.keys(delivered.milestones)).toEqual([
    'departed',
    'arrived',
    'customs_released',
    'delivered_in_full',
  ]);
  expect(delivered.lines.map((l) => l.booking)).toEqual(['full', 'full']);
  const deliveredAt = Date.parse(delivered.milestones.delivered_in_full!);
  expect(delivered.nextDeadlines).toContainEqual({
    kind: 'auto_close',
    at: new Date(deliveredAt + 30 * DAY_MS).toISOString(),
  });

  const final = await handle.result();
  expect(final.status).toBe('closed');
  const closedAt = Date.parse(final.history.at(-1)!.at);
  expect(closedAt - deliveredAt).toBeGreaterThanOrEqual(30 * DAY_MS);
  expect(closedAt - deliveredAt).toBeLessThan(30 * DAY_MS + 60_000);
  expect(final.history.at(-1)!.cause).toContain('auto-close 30 days after delivered in full');
  expect((await harness().flexport.getPurchaseOrder(providerId!)).status).toBe('closed');

  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(SearchAttributes.PoStatus)).toBe('closed');
  expect(described.typedSearchAttributes.get(SearchAttributes.PoShipmentIds)).toEqual([String(shipmentId)]);
});

test('cancel before booking; a second submission of the same PO starts nothing', async () => {
  const handle = await openPo('PO-CANCEL');
  const again = await harness().start(samplePurchaseOrder('PO-CANCEL', now));
  expect(again.workflowId).toBe(handle.workflowId);

  const cancelled = await handle.executeUpdate(cancelUpdate, { args: ['ordered by mistake'] });
  expect(cancelled.status).toBe('cancelled');
  expect((await handle.result()).history.at(-1)!.cause).toContain('ordered by mistake');
  expect((await harness().flexport.getPurchaseOrder(cancelled.providerId!)).status).toBe('cancelled');
});

test('cancel after booking is refused in the provider own words and changes nothing', async () => {
  const handle = await openPo('PO-NOCANCEL');
  await handle.executeUpdate(bookUpdate, { args: [{ lines: [{ item_key: 'A', units: 100 }] }] });
  const before = await until(handle, settled);
  expect(before.lines.map((l) => l.booking)).toEqual(['partial', 'unbooked']);

  expect(await refusal(handle.executeUpdate(cancelUpdate, { args: [undefined] }))).toBe(
    'Purchase order PO-NOCANCEL may not be cancelled since it has an active booking',
  );
  expect(await handle.query(stateQuery)).toEqual(before);

  // Closing is what a booked PO allows; the history says who asked (the HTTP API's token name).
  const closed = await handle.executeUpdate(closeUpdate, { args: [{ by: 'erp-prod' }] });
  expect(closed.status).toBe('closed');
  expect(closed.history.at(-1)!.cause).toContain('closed by erp-prod');
});

test('close before booking is refused', async () => {
  const handle = await openPo('PO-NOCLOSE');
  expect(await refusal(handle.executeUpdate(closeUpdate, { args: [undefined] }))).toBe(
    'Purchase order PO-NOCLOSE can only be closed once it has been booked (it is open)',
  );
});

test('an amendment moves the must-arrive timer; the late alert fires on the new date', async () => {
  const handle = await openPo('PO-AMEND');
  const po = samplePurchaseOrder('PO-AMEND', now);
  await handle.executeUpdate(bookUpdate, { args: [{}] });
  const amended = await handle.executeUpdate(amendUpdate, {
    args: [{ ...po, must_arrive_date: dayAfter(now, 60) }],
  });
  expect(amended.nextDeadlines).toContainEqual({
    kind: 'must_arrive_check',
    at: `${dayAfter(now, 61)}T00:00:00.000Z`,
  });
  expect(amended.providerVersion).toBe(2);

  await harness().env.sleep(45 * DAY_MS); // past the old date
  expect((await handle.query(stateQuery)).late).toBe(false);
  expect(harness().alerts).toEqual([]);

  await harness().env.sleep(17 * DAY_MS); // past the new one
  const late = await until(handle, (s) => s.late && settled(s));
  expect(harness().alerts).toEqual([expect.objectContaining({ kind: 'late', poName: 'PO-AMEND' })]);
  const lateAt = Date.parse(late.history.find((h) => h.change === 'late')!.at);
  expect(lateAt - Date.parse(`${dayAfter(now, 61)}T00:00:00.000Z`)).toBeGreaterThanOrEqual(0);
  expect(lateAt - Date.parse(`${dayAfter(now, 61)}T00:00:00.000Z`)).toBeLessThan(60_000);
  expect((await handle.describe()).typedSearchAttributes.get(SearchAttributes.PoLate)).toBe(true);
});

test('amendments that break the rules are refused with the reason, before any provider call', async () => {
  const handle = await openPo('PO-RULES');
  await handle.executeUpdate(bookUpdate, { args: [{ lines: [{ item_key: 'A', units: 300 }] }] });
  const po = samplePurchaseOrder('PO-RULES', now);
  const before = await until(handle, settled);
  expect(
    await refusal(handle.executeUpdate(amendUpdate, { args: [{ ...po, line_items: [po.line_items[1]] }] })),
  ).toBe('Cannot remove line items that have been booked (item_key A)');
  expect(
    await refusal(
      handle.executeUpdate(amendUpdate, { args: [{ ...po, cargo_ready_date: dayAfter(now, 50) }] }),
    ),
  ).toBe(
    'cargo_ready_date: cargo_ready_date must precede must_arrive_date; line_items[0].cargo_ready_date: cargo_ready_date must precede must_arrive_date; line_items[1].cargo_ready_date: cargo_ready_date must precede must_arrive_date', // prettier-ignore
  );
  expect(await handle.query(stateQuery)).toEqual(before);
});

test('booking overdue: the cargo-ready date passes with nothing booked', async () => {
  const handle = await openPo('PO-OVERDUE');
  await harness().env.sleep(12 * DAY_MS);
  const state = await until(handle, (s) => s.bookingOverdue && settled(s));
  expect(state.late).toBe(false);
  expect(harness().alerts).toEqual([
    expect.objectContaining({ kind: 'booking_overdue', poName: 'PO-OVERDUE' }),
  ]);
});

test('a 422 moves the PO to needs_attention with the provider message; an amendment brings it back to open', async () => {
  const po = samplePurchaseOrder('PO-422', now, { origin_location_ref: 'nowhere' });
  const handle = await harness().start(po);
  const stuck = await until(handle, (s) => s.status === 'needs_attention');
  expect(stuck.lastError).toMatchObject({
    status: 422,
    during: 'create',
    message:
      'Unknown origin_location_ref nowhere: location_ref requires a network location set up under the parent company',
  });
  expect(stuck.providerId).toBeUndefined();

  const fixed = await handle.executeUpdate(amendUpdate, {
    args: [{ ...po, origin_location_ref: 'lex_corp_warehouse' }],
  });
  expect(fixed.status).toBe('open');
  expect(fixed.lastError).toBeUndefined();
  expect(fixed.history.map((h) => h.to)).toEqual(['submitting', 'needs_attention', 'submitting', 'open']);
});

test('a 503 storm ends in success: Temporal retries, the provider gets one PO', async () => {
  await harness().admin('PUT', '/faults', {
    serverErrorRate: 0.6,
    gatewayTimeoutShare: 0.3,
    retryAfterSeconds: 1,
    seed: 7,
  });
  const handle = await harness().start(samplePurchaseOrder('PO-STORM', now));
  const open = await until(handle, (s) => s.status === 'open', 90_000);
  await harness().admin('PUT', '/faults', {});
  const stats = await harness().admin('GET', '/request-stats');
  expect(stats.purchase_orders.total + stats.purchase_order_line_items.total).toBeGreaterThan(2);
  const { data } = (await (
    await fetch(`${harness().sandbox.url}/purchase_orders?f.name=PO-STORM`, {
      headers: { authorization: 'Bearer sandbox' },
    })
  ).json()) as { data: { total_count: number; data: { id: number }[] } };
  expect(data.total_count).toBe(1);
  expect(data.data[0]!.id).toBe(open.providerId);
});

test('duplicate and out-of-order events: each applied once, milestones whatever the order', async () => {
  const handle = await openPo('PO-EVENTS');
  await handle.executeUpdate(bookUpdate, { args: [{}] });
  const { bookings, providerId } = await handle.query(stateQuery);
  await harness().admin('POST', `/purchase_orders/${providerId}/acknowledge`);
  const { id: shipmentId } = (await harness().admin('POST', `/bookings/${bookings[0]!.providerId}/confirm`))
    .shipment;
  await harness().admin('POST', `/shipments/${shipmentId}/advance`, { to: 'customs_released' });
  const events = await harness().newEvents(handle);
  const shuffled = [...events].reverse();
  for (const event of [...shuffled, ...shuffled, events[0]!]) {
    await handle.signal('providerEvent', event);
  }
  const state = await until(handle, (s) => events.every((e) => s.seenEventIds.includes(e.id)));
  expect(state.status).toBe('booked');
  expect(state.acknowledged).toBe(true);
  expect(Object.keys(state.milestones).sort()).toEqual(['arrived', 'customs_released', 'departed']);
  expect(state.seenEventIds).toHaveLength(new Set(state.seenEventIds).size);
  for (const change of ['acknowledged', 'departed', 'arrived', 'customs_released', 'booking confirmed']) {
    expect(state.history.filter((h) => h.change === change)).toHaveLength(1);
  }
});
