/**
 * What a provider tells a PO is not trusted to be well formed (issue 26, finding 8): a date that
 * does not parse is set aside, never thrown on while deadlines are derived (a throw in the reducer
 * fails every workflow task of the PO for ever).
 */
import { reduce, startLifecycle } from '../workflows/flexport/lifecycle';
import { nextDeadlines } from '../workflows/flexport/deadlines';
import type { LifecycleEvent, PoState } from '../workflows/flexport/state';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';
import { PoSettings } from '../workflows/core/settings';
import { samplePurchaseOrder } from './support/purchase-orders';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

function bookedPo(): PoState {
  const po = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0));
  const settings = PoSettings.parse({ autoClose: { after: 'delivered_in_full', days: 2 } });
  const { state } = startLifecycle(po, settings, at(0));
  const accepted: LifecycleEvent = { type: 'submission_accepted', at: at(1), intent: 'create', providerId: 171001, version: 1, lineItemIds: { A: 1, B: 2 } }; // prettier-ignore
  const booked: LifecycleEvent = { type: 'booking_created', at: at(1), name: 'PO-1-B1', providerId: 82001, status: 'submitted', lines: [{ itemKey: 'A', units: 500 }] }; // prettier-ignore
  return reduce(reduce(state, accepted).state, booked).state;
}

const event = (
  id: number,
  type: string,
  data: Record<string, unknown>,
  occurredAt?: string,
): LifecycleEvent => ({
  type: 'provider_event',
  at: at(2),
  event: { _object: '/event', id, version: 2, type, created_at: at(2), occurred_at: occurredAt, data },
});

test('a delivery with an occurred_at that does not parse is dated when poflow heard of it', () => {
  const delivered = reduce(bookedPo(), event(1, '/shipment#delivered_in_full', { shipment: { id: 7 } }, 'yesterday-ish')); // prettier-ignore
  expect(delivered.state.milestones.delivered_in_full).toBe(at(2));
  expect(nextDeadlines(delivered.state).find((d) => d.kind === 'auto_close')?.at).toBe(
    '2030-03-03T11:00:00.000Z',
  );
});

test('a PO date that is no calendar date is taken as none', () => {
  const purchaseOrder = { id: 171001, must_arrive_date: '2030-13-01', cargo_ready_date: '2030-02-30', purchase_order_version: { version_number: 2 } }; // prettier-ignore
  const amended = reduce(bookedPo(), event(2, '/purchase_order#updated', { purchase_order: purchaseOrder }));
  expect(amended.state.po.must_arrive_date).toBeNull();
  expect(amended.state.po.cargo_ready_date).toBeNull();
  expect(() => nextDeadlines(amended.state)).not.toThrow();
});
