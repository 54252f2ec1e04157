/** Which notifications each change makes, and the outbox that orders them: no Temporal, no HTTP. */
import { reduce, startLifecycle } from '../workflows/flexport/lifecycle';
import { type LifecycleEvent, type PoState, type Reduced } from '../workflows/flexport/state';
import type { ProviderEvent } from '../workflows/flexport/provider-event';
import { MAX_PENDING_NOTIFICATIONS, NotificationOutbox } from '../workflows/core/notification-outbox';
import { notificationsFor } from '../workflows/flexport/notifications';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { drainOutbox } from './support/outbox';
import { samplePurchaseOrder } from './support/purchase-orders';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (days: number, hours = 0) => new Date(T0 + days * 86_400_000 + hours * 3_600_000).toISOString();
const WORKFLOW_ID = 'po/flexport/PO-1';

/** A PO driven through events, every change recorded in its outbox. */
class Po {
  state: PoState;
  outbox: NotificationOutbox;

  constructor(settings: PoSettingsInput = {}, overrides = {}) {
    const po = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, overrides));
    this.state = startLifecycle(po, PoSettings.parse(settings), at(0)).state;
    this.outbox = new NotificationOutbox(WORKFLOW_ID, this.state, this.state.settings);
  }

  apply(...events: LifecycleEvent[]): this {
    for (const event of events) {
      const reduced = reduce(this.state, event);
      if (reduced.state !== this.state) record(this.outbox, this.state, reduced, event);
      this.state = reduced.state;
    }
    return this;
  }

  /** Delivers everything waiting; returns it. */
  drain() {
    return drainOutbox(this.outbox);
  }

  types(): string[] {
    return this.drain().map((n) => n.event?.type ?? `alert.${n.alert!.kind}`);
  }
}

/** What the Flexport workflow does with each change. */
function record(outbox: NotificationOutbox, previous: PoState, reduced: Reduced, event: LifecycleEvent) {
  return outbox.record(previous, reduced.state, notificationsFor(previous, reduced, event, outbox.announced), event.at); // prettier-ignore
}

/** The provider's answer to a submission: this PO's ids, at a day and version of the test's choosing. */
const PROVIDER_IDS = { providerId: 171001, lineItemIds: { A: 5137001, B: 5137002 } };
function accepted(intent: 'create' | 'amend' | 'close' | 'cancel', day = 0, version = 1): LifecycleEvent {
  return { type: 'submission_accepted', at: at(day), intent, version, ...PROVIDER_IDS };
}
let eventId = 0;
const signal = (type: string, data: Record<string, unknown>, day = 1): LifecycleEvent => {
  const event: ProviderEvent = {
    _object: '/event',
    id: ++eventId,
    version: 2,
    type,
    occurred_at: at(day),
    data,
  };
  return { type: 'provider_event', at: at(day), event };
};
const shipment = (type: string, day: number) =>
  signal(
    type,
    { shipment: { _object: '/shipment', id: 1250001 }, booking: { _object: '/booking', id: 82001 } },
    day,
  );
const bookingCreated: LifecycleEvent = {
  type: 'booking_created',
  at: at(2),
  name: 'PO-1-B1',
  providerId: 82001,
  status: 'submitted',
  lines: [
    { itemKey: 'A', units: 500 },
    { itemKey: 'B', units: 200 },
  ],
};

test('a whole life: each change once, in order, with ids from the workflow id and a per-PO sequence', () => {
  const po = new Po().apply(
    accepted('create'),
    signal('/purchase_order#acknowledged', {}),
    bookingCreated,
    shipment('/shipment#booking_confirmed', 3),
    shipment('/shipment_leg#departed', 4),
    shipment('/shipment_leg#arrived', 20),
    shipment('/shipment#delivered_in_full', 25),
    { type: 'close_requested', at: at(26), cause: 'closed by operator' },
    accepted('close', 26, 2),
  );
  const sent = po.drain();
  expect(sent.map((n) => [n.id, n.event?.type])).toEqual([
    [`${WORKFLOW_ID}#1`, 'purchase_order.opened'],
    [`${WORKFLOW_ID}#2`, 'purchase_order.booked'],
    [`${WORKFLOW_ID}#3`, 'purchase_order.booking_confirmed'],
    [`${WORKFLOW_ID}#4`, 'purchase_order.milestone_reached'],
    [`${WORKFLOW_ID}#5`, 'purchase_order.milestone_reached'],
    [`${WORKFLOW_ID}#6`, 'purchase_order.milestone_reached'],
    [`${WORKFLOW_ID}#7`, 'purchase_order.closed'],
  ]);
  expect(sent[0]).toMatchObject({
    purchaseOrder: {
      name: 'PO-1',
      provider: 'flexport',
      workflowId: WORKFLOW_ID,
      providerId: 171001,
      status: 'open',
    },
    event: { occurredAt: at(0), data: { provider_id: 171001, version: 1, lines: [{ item_key: 'A', units: 500 }, { item_key: 'B', units: 200 }] } }, // prettier-ignore
  });
  expect(sent[1]!.event!.data).toMatchObject({
    booking: { name: 'PO-1-B1', provider_id: 82001, lines: [{ item_key: 'A', units: 500 }, { item_key: 'B', units: 200 }] }, // prettier-ignore
    lines: [{ item_key: 'A', units: 500, booked_units: 500, booking: 'full' }, { item_key: 'B', units: 200, booked_units: 200, booking: 'full' }], // prettier-ignore
  });
  expect(sent[2]!.event!.data).toMatchObject({ booking: { provider_id: 82001, shipment_id: 1250001 } });
  expect(sent.slice(3, 6).map((n) => [n.event!.data.milestone, n.event!.occurredAt])).toEqual([
    ['departed', at(4)],
    ['arrived', at(20)],
    ['delivered_in_full', at(25)],
  ]);
  expect(sent[6]!.event!.data.cause).toContain('closed by operator');
  // Prices, parties and addresses are not the ERP's news: no body carries them.
  expect(JSON.stringify(sent)).not.toMatch(/4\.65|acme-us|shenzhen-widgets|lex_corp/);
});

test('a refused PO needs attention with the provider message; the amendment that fixes it opens it', () => {
  const message = 'Company does not exist for reference nobody';
  const po = new Po().apply({ type: 'provider_rejected', at: at(0), during: 'create', status: 422, message });
  const [attention] = po.drain();
  expect(attention!.event).toEqual({
    type: 'purchase_order.needs_attention',
    occurredAt: at(0),
    data: { during: 'create', provider_status: 422, provider_message: message },
  });
  const fixed = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, { memo: 'fixed' }));
  po.apply({ type: 'amend_requested', at: at(1), po: fixed }, accepted('amend', 1));
  expect(po.types()).toEqual(['purchase_order.opened']);
  po.apply({ type: 'amend_requested', at: at(2), po: fixed }, accepted('amend', 2, 2));
  expect(po.drain().map((n) => [n.event?.type, n.event?.data.by, n.event?.data.version])).toEqual([
    ['purchase_order.amended', 'operator', 2],
  ]);
});

test('dates moved at the provider are an amendment by the provider; an echo of our own is not', () => {
  const po = new Po().apply(accepted('create'));
  po.drain();
  const echo = { name: 'PO-1', cargo_ready_date: po.state.po.cargo_ready_date, must_arrive_date: po.state.po.must_arrive_date }; // prettier-ignore
  po.apply(signal('/purchase_order#updated', { purchase_order: { ...echo, purchase_order_version: { version_number: 2 } } })); // prettier-ignore
  expect(po.types()).toEqual([]);
  const moved = { ...echo, must_arrive_date: '2030-05-30', purchase_order_version: { version_number: 3 } };
  po.apply(signal('/purchase_order#updated', { purchase_order: moved }));
  expect(po.drain().map((n) => n.event?.data)).toEqual([
    expect.objectContaining({ by: 'provider', version: 3, must_arrive_date: '2030-05-30' }),
  ]);
});

test('booking overdue and late carry the alert for people beside the event for the ERP', () => {
  const po = new Po().apply(accepted('create'), { type: 'deadline_reached', at: at(45) });
  const sent = po.drain().slice(1);
  expect(sent.map((n) => [n.event?.type, n.alert?.kind])).toEqual([
    ['purchase_order.booking_overdue', 'booking_overdue'],
    ['purchase_order.late', 'late'],
  ]);
  expect(sent[1]!.alert!.message).toMatch(
    /^Purchase order PO-1 had to arrive by .* and is not delivered in full$/,
  );
});

test('a PO left in needs_attention alerts people once, after the hours its settings allow', () => {
  const refused: LifecycleEvent = { type: 'provider_rejected', at: at(0), during: 'create', status: 422, message: 'no' }; // prettier-ignore
  const po = new Po({ needsAttentionAlertHours: 6 }).apply(refused);
  po.drain();
  expect(po.outbox.deadline(po.state)).toBe(at(0, 6));
  expect(po.outbox.deadlineReached(po.state, at(0, 5))).toBe(0);
  po.outbox.deadlineReached(po.state, at(0, 6));
  const [alert] = po.drain();
  expect(alert).toMatchObject({ id: `${WORKFLOW_ID}#2`, alert: { kind: 'needs_attention', poName: 'PO-1', at: at(0, 6) } }); // prettier-ignore
  expect(alert!.event).toBeUndefined();
  expect(alert!.alert!.message).toBe(`Purchase order PO-1 has needed attention since ${at(0)}: no`);
  expect(po.outbox.deadline(po.state)).toBeUndefined();

  expect(new Po().apply(refused).outbox.deadline(new Po().apply(refused).state)).toBe(at(1));
  const never = new Po({ needsAttentionAlertHours: false }).apply(refused);
  expect(never.outbox.deadline(never.state)).toBeUndefined();
});

test('a failed round is visible, keeps who answered, and backs off; delivery clears it', () => {
  const po = new Po().apply(accepted('create'), { type: 'cancel_requested', at: at(1), cause: 'cancelled: no' }, accepted('cancel', 1)); // prettier-ignore
  const { outbox } = po;
  outbox.failed(['erp-a'], 'erp-b.example.com: answered 503', at(1));
  outbox.failed(['erp-c'], 'erp-b.example.com: answered 503', at(2));
  expect(outbox.head()!.answered).toEqual(['erp-a', 'erp-c']);
  expect(outbox.view()).toMatchObject({
    delivered: 0,
    pending: 2,
    next: [{ id: `${WORKFLOW_ID}#1`, type: 'purchase_order.opened' }, { id: `${WORKFLOW_ID}#2`, type: 'purchase_order.cancelled' }], // prettier-ignore
    failing: { id: `${WORKFLOW_ID}#1`, since: at(1), rounds: 2, lastAt: at(2), message: 'erp-b.example.com: answered 503' }, // prettier-ignore
  });
  expect(outbox.retryDelayMs()).toBe(120_000);
  for (let i = 0; i < 10; i++) outbox.failed([], 'down', at(3));
  expect(outbox.retryDelayMs()).toBe(30 * 60_000);
  outbox.delivered();
  expect(outbox.view()).toEqual({ delivered: 1, pending: 1, next: [expect.objectContaining({ type: 'purchase_order.cancelled' })], dropped: 0 }); // prettier-ignore
});

test('the outbox stays bounded: the oldest waiting behind the head are dropped and counted', () => {
  const po = new Po().apply(accepted('create'));
  for (let day = 1; day <= MAX_PENDING_NOTIFICATIONS + 5; day++) {
    const must = new Date(T0 + (60 + day) * 86_400_000).toISOString().slice(0, 10);
    po.apply(signal('/purchase_order#updated', { purchase_order: { must_arrive_date: must, purchase_order_version: { version_number: day + 1 } } }, day)); // prettier-ignore
  }
  const view = po.outbox.view();
  expect(view.pending).toBe(MAX_PENDING_NOTIFICATIONS);
  expect(view.dropped).toBe(6);
  expect(view.next[0]!.id).toBe(`${WORKFLOW_ID}#1`);
  expect(view.next[1]!.id).toBe(`${WORKFLOW_ID}#8`);
});

test('continue-as-new carries the sequence: the next run numbers on', () => {
  const po = new Po().apply(accepted('create'));
  const resumed = new NotificationOutbox(
    WORKFLOW_ID,
    po.state,
    po.state.settings,
    JSON.parse(JSON.stringify(po.outbox.snapshot())),
  );
  const reduced = reduce(po.state, { type: 'cancel_requested', at: at(1), cause: 'cancelled' });
  record(resumed, po.state, reduce(reduced.state, accepted('cancel', 1)), accepted('cancel', 1));
  expect(resumed.view().next.map((n) => n.id)).toEqual([`${WORKFLOW_ID}#1`, `${WORKFLOW_ID}#2`]);
});

test('a PO already open when notifications began is not announced again', () => {
  const po = new Po().apply(accepted('create'));
  const outbox = new NotificationOutbox(WORKFLOW_ID, po.state, po.state.settings);
  const fixed = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, { memo: 'again' }));
  const requested = reduce(po.state, { type: 'amend_requested', at: at(1), po: fixed });
  record(outbox, po.state, requested, { type: 'amend_requested', at: at(1), po: fixed });
  record(outbox, requested.state, reduce(requested.state, accepted('amend', 1, 2)), accepted('amend', 1, 2));
  expect(outbox.view().next.map((n) => n.type)).toEqual(['purchase_order.amended']);
});

test('a PO set not to notify the ERP still alerts people', () => {
  const po = new Po({ notifyErp: false }).apply(accepted('create'), { type: 'deadline_reached', at: at(45) });
  expect(po.types()).toEqual(['alert.booking_overdue', 'alert.late']);
});
