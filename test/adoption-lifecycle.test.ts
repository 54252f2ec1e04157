/** Adoption on its own: the state a provider snapshot gives, and the reducer's events on top of it. */
import { adoptLifecycle, type AdoptionSnapshot } from '../workflows/flexport/adoption';
import { reduce } from '../workflows/flexport/lifecycle';
import { checkBook, checkCancel, checkClose } from '../workflows/flexport/checks';
import { nextDeadlines } from '../workflows/flexport/deadlines';
import { type PoState } from '../workflows/flexport/state';
import type { ProviderEvent } from '../workflows/flexport/provider-event';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';
import { PoSettings } from '../workflows/core/settings';
import { samplePurchaseOrder } from './support/purchase-orders';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (days: number) => new Date(T0 + days * 86_400_000).toISOString();
const po = PurchaseOrder.parse(samplePurchaseOrder('PO-9', T0));
const settings = PoSettings.parse({ autoClose: false });

function snapshot(overrides: Partial<AdoptionSnapshot> = {}): AdoptionSnapshot {
  return {
    provider: 'flexport',
    providerId: 171001,
    version: 3,
    createdAt: at(-5),
    updatedAt: at(-1),
    lineItemIds: { A: 5137001, B: 5137002 },
    bookings: [],
    shipments: [],
    trigger: 'poflow adopt',
    ...overrides,
  };
}

const booking = (lines: { itemKey: string; units: number }[], shipmentId?: number) => ({
  providerId: 82001,
  name: 'BK-1',
  status: shipmentId ? 'booked' : 'submitted',
  shipmentId,
  createdAt: at(-2),
  lines,
});

const event = (id: number, type: string, data: Record<string, unknown> = {}): ProviderEvent => ({
  _object: '/event',
  id,
  type,
  version: 2,
  created_at: at(0),
  occurred_at: at(0),
  data,
});

test('an open PO: open, not acknowledged, provider ids and version kept, its own body accepted, nothing sent', () => {
  const state = adoptLifecycle(snapshot(), po, settings, at(0));
  expect(state).toMatchObject({
    status: 'open',
    acknowledged: false,
    providerId: 171001,
    providerVersion: 3,
    acceptedPo: po,
    writesInFlight: 0,
    lines: [
      { itemKey: 'A', units: 500, bookedUnits: 0, booking: 'unbooked', providerId: 5137001 },
      { itemKey: 'B', units: 200, bookedUnits: 0, booking: 'unbooked', providerId: 5137002 },
    ],
    adopted: { at: at(0), provider: 'flexport', providerId: 171001, version: 3, providerUpdatedAt: at(-1), trigger: 'poflow adopt' }, // prettier-ignore
  });
  expect(state.history).toEqual([
    expect.objectContaining({ from: 'open', to: 'open', change: 'adopted', cause: expect.stringMatching(/^adopted as open from flexport purchase order 171001 version 3 .*not acknowledged.*; poflow adopt$/) }), // prettier-ignore
  ]);
  expect(state.pending).toBeUndefined();
  // The deadlines are any PO's: the cargo-ready and must-arrive checks, the quiet check; no auto-close.
  expect(nextDeadlines(state).map((d) => d.kind)).toEqual(['quiet_check', 'cargo_ready_check', 'must_arrive_check']); // prettier-ignore
  expect(checkBook(state, {})).toBeUndefined();
  expect(checkCancel(state)).toBeUndefined();
});

test('acknowledged at the provider: acknowledged, and the acknowledgement event changes nothing', () => {
  const state = adoptLifecycle(snapshot({ acknowledgedAt: at(-1) }), po, settings, at(0));
  expect(state.acknowledged).toBe(true);
  const after = reduce(state, {
    type: 'provider_event',
    at: at(0),
    event: event(7, '/purchase_order#acknowledged'),
  });
  expect(after.commands).toEqual([]);
  expect(after.state.history).toEqual(state.history);
});

test('partly booked: booked, units per line, cancel refused, close allowed, the rest can still be booked', () => {
  const state = adoptLifecycle(snapshot({ bookings: [booking([{ itemKey: 'A', units: 200 }])] }), po, settings, at(0)); // prettier-ignore
  expect(state.status).toBe('booked');
  expect(state.lines.map((l) => [l.itemKey, l.bookedUnits, l.booking])).toEqual([
    ['A', 200, 'partial'],
    ['B', 0, 'unbooked'],
  ]);
  expect(nextDeadlines(state).map((d) => d.kind)).not.toContain('cargo_ready_check');
  expect(checkCancel(state)).toMatch(/may not be cancelled since it has an active booking/);
  expect(checkClose(state)).toBeUndefined();
  const rest = reduce(state, { type: 'book_requested', at: at(0), booking: {} });
  expect(rest.commands).toEqual([
    { type: 'book', plan: expect.objectContaining({ name: 'PO-9-B2', lines: [{ itemKey: 'A', purchaseOrderLineItemId: 5137001, units: 300 }, { itemKey: 'B', purchaseOrderLineItemId: 5137002, units: 200 }] }) }, // prettier-ignore
  ]);
});

test('shipped: milestones per shipment, the PO reaches delivered in full only when every shipment did', () => {
  const shipments = [
    { id: 1250001, milestones: { departed: at(-4), arrived: at(-2), delivered_in_full: at(-1) } },
    { id: 1250002, milestones: { departed: at(-3) } },
  ];
  const bookings = [
    { ...booking([{ itemKey: 'A', units: 500 }], 1250001) },
    { ...booking([{ itemKey: 'B', units: 200 }], 1250002), providerId: 82002, name: 'BK-2' },
  ];
  const state = adoptLifecycle(snapshot({ bookings, shipments }), po, settings, at(0));
  expect(state.milestones).toEqual({ departed: at(-4), arrived: at(-2) });
  expect(state.lines.every((l) => l.booking === 'full')).toBe(true);
  // An event the snapshot already shows changes nothing; the next one moves the PO on.
  const again = reduce(state, { type: 'provider_event', at: at(0), event: event(8, '/shipment_leg#departed', { shipment: { id: 1250001 } }) }); // prettier-ignore
  expect(again.state.milestones).toEqual(state.milestones);
  expect(again.state.history).toEqual(state.history);
  const delivered = reduce(again.state, { type: 'provider_event', at: at(0), event: event(9, '/shipment#delivered_in_full', { shipment: { id: 1250002 } }) }); // prettier-ignore
  expect(delivered.state.milestones.delivered_in_full).toBe(at(0));
  expect(nextDeadlines(delivered.state).map((d) => d.kind)).not.toContain('must_arrive_check');
});

test('an older version of the PO arriving as an event does not move the dates back', () => {
  const state = adoptLifecycle(snapshot({ version: 3 }), po, settings, at(0));
  const resource = {
    id: 171001,
    cargo_ready_date: '2030-01-01',
    purchase_order_version: { version_number: 1 },
  };
  const after = reduce(state, { type: 'provider_event', at: at(0), event: event(1, '/purchase_order#created', { purchase_order: resource }) }); // prettier-ignore
  expect(after.state.po.cargo_ready_date).toBe(po.cargo_ready_date);
  expect(after.state.providerVersion).toBe(3);
});

test('a PO adopted after its cargo-ready date: the check is due at once and flags it overdue', () => {
  const late: PoState = adoptLifecycle(snapshot(), { ...po, cargo_ready_date: '2030-02-01', must_arrive_date: '2030-02-20' }, settings, at(0)); // prettier-ignore
  const due = nextDeadlines(late).filter((d) => Date.parse(d.at) <= Date.parse(at(0)));
  expect(due.map((d) => d.kind)).toEqual(['cargo_ready_check', 'must_arrive_check']);
  const fired = reduce(late, { type: 'deadline_reached', at: at(0) });
  expect(fired.state).toMatchObject({ bookingOverdue: true, late: true });
  expect(fired.commands.map((c) => c.type)).toEqual(['alert', 'alert']);
});
