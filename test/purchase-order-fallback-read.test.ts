/**
 * The quiet check on the time-skipping server against the sandbox over HTTP: no provider event
 * is ever signalled, yet once a day of silence passes the PO reads itself at the provider and
 * catches up with its acknowledgement, its booking's confirmation and its shipment's milestones.
 */
import { bookUpdate, stateQuery } from '../workflows/flexport/messages';
import { harnessFor, until } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';

const HOUR_MS = 3_600_000;
const harness = harnessFor('each test');

test('with every webhook lost, the quiet check picks up the acknowledgement, then delivery in full', async () => {
  const now = await harness().env.currentTimeMs();
  const handle = await harness().start(samplePurchaseOrder('PO-QUIET', now));
  const open = await until(handle, (s) => s.status === 'open');
  const acceptedAt = Date.parse(open.history.at(-1)!.at);
  expect(open.nextDeadlines[0]).toEqual({
    kind: 'quiet_check',
    at: new Date(acceptedAt + 24 * HOUR_MS).toISOString(),
  });
  await harness().admin('POST', `/purchase_orders/${open.providerId}/acknowledge`);

  await harness().env.sleep(23 * HOUR_MS);
  expect((await handle.query(stateQuery)).acknowledged).toBe(false);
  await harness().env.sleep(2 * HOUR_MS);
  const acknowledged = await until(handle, (s) => s.acknowledged);
  const change = acknowledged.history.find((h) => h.change === 'acknowledged')!;
  expect(change.cause).toBe(`fallback read of purchase order ${open.providerId} at flexport`);
  expect(Date.parse(change.at) - acceptedAt).toBeGreaterThanOrEqual(24 * HOUR_MS);
  // Re-armed a day after the check.
  const next = acknowledged.nextDeadlines.find((d) => d.kind === 'quiet_check')!;
  expect(Date.parse(next.at) - acceptedAt).toBeGreaterThanOrEqual(48 * HOUR_MS);
  expect(Date.parse(next.at) - acceptedAt).toBeLessThan(48 * HOUR_MS + 60_000);

  // Booked through poflow; confirmed and delivered at the provider, its events never sent.
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  const { shipment } = await harness().admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
  await harness().admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
  const actual = await harness().flexport.getShipment(shipment.id);

  await harness().env.sleep(25 * HOUR_MS);
  const delivered = await until(handle, (s) => Boolean(s.milestones.delivered_in_full));
  expect(delivered.milestones).toEqual({
    departed: actual.actual_departure_date,
    arrived: actual.actual_arrival_date,
    customs_released: actual.customs_release_date,
    delivered_in_full: actual.actual_delivered_in_full_date,
  });
  expect(delivered.bookings[0]).toMatchObject({ status: 'booked', shipmentId: shipment.id });
  expect(delivered.shipments.map((s) => s.id)).toEqual([shipment.id]);
  expect(delivered.seenEventIds).toEqual([]);
  expect(delivered.nextDeadlines.map((d) => d.kind)).toContain('auto_close');
});
