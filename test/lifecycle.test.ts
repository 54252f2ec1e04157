/** The lifecycle reducer on its own: no Temporal, no HTTP, every event with its own time. */
import { reduce, startLifecycle } from '../workflows/flexport/lifecycle';
import { checkAmend, checkBook, checkCancel, checkClose } from '../workflows/flexport/checks';
import { nextDeadlines } from '../workflows/flexport/deadlines';
import {
  type LifecycleEvent,
  type PoState,
  type ProviderSnapshot,
  type Reduced,
} from '../workflows/flexport/state';
import { MAX_HISTORY_ENTRIES } from '../workflows/core/status';
import type { ProviderEvent } from '../workflows/flexport/provider-event';
import { PurchaseOrder } from '../workflows/flexport/purchase-order';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { samplePurchaseOrder, type PurchaseOrderInput } from './support/purchase-orders';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (days: number, hours = 0) => new Date(T0 + days * 86_400_000 + hours * 3_600_000).toISOString();

function started(overrides: Partial<PurchaseOrderInput> = {}, settings: PoSettingsInput = {}): Reduced {
  return startLifecycle(
    PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, overrides)),
    PoSettings.parse(settings),
    at(0),
  );
}

/** Applies events in order; returns the final state and every command along the way. */
function run(state: PoState, ...events: LifecycleEvent[]): Reduced {
  const commands: Reduced['commands'] = [];
  for (const event of events) {
    const next = reduce(state, event);
    state = next.state;
    commands.push(...next.commands);
  }
  return { state, commands };
}

const accepted = (intent: 'create' | 'amend' | 'close' | 'cancel', day = 0, version = 1): LifecycleEvent => ({
  type: 'submission_accepted',
  at: at(day),
  intent,
  providerId: 171001,
  version,
  lineItemIds: { A: 5137001, B: 5137002 },
});

let eventId = 0;
function providerEvent(type: string, data: Record<string, unknown> = {}, id = ++eventId): ProviderEvent {
  return { _object: '/event', id, version: 2, type, created_at: at(1), occurred_at: at(1), data };
}
const signal = (event: ProviderEvent, day = 1): LifecycleEvent => ({
  type: 'provider_event',
  at: at(day),
  event,
});
const shipmentEvent = (type: string, shipmentId = 1250001, occurredDay = 1) => ({
  ...providerEvent(type, {
    _object: '/event_data',
    shipment: { _object: '/shipment', id: shipmentId, booking: { id: 82001 } },
  }),
  occurred_at: at(occurredDay),
});

function openPo(overrides: Partial<PurchaseOrderInput> = {}, settings: PoSettingsInput = {}): PoState {
  return run(started(overrides, settings).state, accepted('create')).state;
}

function bookedPo(
  units: { A: number; B?: number } = { A: 500, B: 200 },
  settings: PoSettingsInput = {},
): PoState {
  const lines = Object.entries(units).map(([itemKey, n]) => ({ itemKey, units: n }));
  return run(openPo({}, settings), {
    type: 'booking_created',
    at: at(2),
    name: 'PO-1-B1',
    providerId: 82001,
    status: 'submitted',
    lines,
  }).state;
}

describe('submission', () => {
  test('a new PO is submitting and its creation is sent with status open', () => {
    const { state, commands } = started();
    expect(state.status).toBe('submitting');
    expect(commands).toEqual([{ type: 'submit', intent: 'create', body: expect.objectContaining({ name: 'PO-1', status: 'open' }) }]); // prettier-ignore
  });

  test('the provider accepting it opens it with its ids and version', () => {
    const state = openPo();
    expect(state).toMatchObject({ status: 'open', providerId: 171001, providerVersion: 1 });
    expect(state.lines.map((l) => l.providerId)).toEqual([5137001, 5137002]);
    expect(state.history.at(-1)).toMatchObject({ from: 'submitting', to: 'open', at: at(0) });
  });

  test('a 422 keeps the exact provider message until an amendment is accepted', () => {
    const message = 'Company does not exist for reference nobody';
    const rejected = run(started().state, { type: 'provider_rejected', at: at(0), during: 'create', status: 422, message }); // prettier-ignore
    expect(rejected.state.status).toBe('needs_attention');
    expect(rejected.state.lastError).toEqual({ at: at(0), status: 422, message, during: 'create' });
    expect(rejected.state.history.at(-1)!.cause).toContain(message);

    const po = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, { memo: 'fixed' }));
    const amended = run(rejected.state, { type: 'amend_requested', at: at(1), po });
    expect(amended.state.status).toBe('submitting');
    expect(amended.commands).toEqual([{ type: 'submit', intent: 'amend', body: expect.objectContaining({ memo: 'fixed' }) }]); // prettier-ignore

    const fixed = run(amended.state, accepted('amend', 1, 2)).state;
    expect(fixed.status).toBe('open');
    expect(fixed.lastError).toBeUndefined();
    expect(fixed.history.map((h) => h.to)).toEqual(['submitting', 'needs_attention', 'submitting', 'open']);
  });
});

describe('cancel', () => {
  test('before booking: the provider is told, then the PO is cancelled', () => {
    const requested = run(openPo(), { type: 'cancel_requested', at: at(1), cause: 'cancelled by operator' });
    expect(requested.commands).toEqual([{ type: 'submit', intent: 'cancel', body: expect.objectContaining({ status: 'cancelled' }) }]); // prettier-ignore
    expect(run(requested.state, accepted('cancel', 1)).state.status).toBe('cancelled');
  });

  test('a PO the provider never accepted is cancelled without calling it', () => {
    const rejected = run(started().state, { type: 'provider_rejected', at: at(0), during: 'create', status: 422, message: 'no' }); // prettier-ignore
    const cancelled = run(rejected.state, {
      type: 'cancel_requested',
      at: at(1),
      cause: 'cancelled by operator',
    });
    expect(cancelled.commands).toEqual([]);
    expect(cancelled.state.status).toBe('cancelled');
  });

  test('is refused after booking, in the provider own words', () => {
    expect(checkCancel(openPo())).toBeUndefined();
    expect(checkCancel(bookedPo())).toBe(
      'Purchase order PO-1 may not be cancelled since it has an active booking',
    );
  });
});

describe('booking', () => {
  test('books every unit left by default, resolving the provider references', () => {
    const { commands } = run(openPo(), { type: 'book_requested', at: at(2), booking: {} });
    expect(commands).toEqual([
      {
        type: 'book',
        plan: expect.objectContaining({
          name: 'PO-1-B1',
          purchaseOrderId: 171001,
          shipperRef: 'shenzhen-widgets',
          consigneeRef: 'acme-us',
          originLocationRef: 'lex_corp_warehouse',
          transportationMode: 'ocean',
          lines: [
            { itemKey: 'A', purchaseOrderLineItemId: 5137001, units: 500 },
            { itemKey: 'B', purchaseOrderLineItemId: 5137002, units: 200 },
          ],
        }),
      },
    ]);
  });

  test('partial and full booking per line item', () => {
    const state = bookedPo({ A: 200 });
    expect(state.status).toBe('booked');
    expect(state.lines.map((l) => [l.itemKey, l.bookedUnits, l.booking])).toEqual([
      ['A', 200, 'partial'],
      ['B', 0, 'unbooked'],
    ]);
    expect(checkBook(state, { lines: [{ item_key: 'A', units: 301 }] })).toBe(
      'line item A has 300 units left to book, not 301',
    );
    expect(checkBook(state, { lines: [{ item_key: 'A', units: 300 }] })).toBeUndefined();
  });

  test('is refused before the provider has the PO, and for rail', () => {
    expect(checkBook(started().state, {})).toMatch(/once the provider has accepted it \(it is submitting\)/);
    expect(checkBook(openPo({ transportation_mode: 'rail' }), {})).toMatch(/no rail bookings/);
  });

  test('close only after booking', () => {
    expect(checkClose(openPo())).toBe(
      'Purchase order PO-1 can only be closed once it has been booked (it is open)',
    );
    const closing = run(bookedPo(), { type: 'close_requested', at: at(3), cause: 'closed by operator' });
    expect(closing.commands).toEqual([{ type: 'submit', intent: 'close', body: expect.objectContaining({ status: 'closed' }) }]); // prettier-ignore
    expect(run(closing.state, accepted('close', 3)).state.status).toBe('closed');
  });
});

describe('amend rules', () => {
  const amend = (state: PoState, overrides: Partial<PurchaseOrderInput>) =>
    checkAmend(state, PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, overrides)));

  test('name, buyer and seller never change', () => {
    const state = openPo();
    expect(amend(state, { name: 'PO-2' })).toBe('name can not change: this is purchase order PO-1');
    expect(
      amend(state, {
        parties: [
          { role: 'buyer', external_ref: 'acme-us' },
          { role: 'seller', external_ref: 'ningbo-textiles' },
        ],
      }),
    ).toBe('can not change the seller role: it stays shenzhen-widgets');
    expect(amend(state, { memo: 'fine' })).toBeUndefined();
  });

  test('booked lines stay, and never drop below what is booked', () => {
    const state = bookedPo({ A: 300 });
    const lineA = samplePurchaseOrder('PO-1', T0).line_items[0]!;
    const lineB = samplePurchaseOrder('PO-1', T0).line_items[1]!;
    expect(amend(state, { line_items: [lineB] })).toBe(
      'Cannot remove line items that have been booked (item_key A)',
    );
    expect(amend(state, { line_items: [{ ...lineA, units: 299 }, lineB] })).toMatch(
      /^Cannot update a line item to request fewer units than have already been booked/,
    );
    expect(amend(state, { line_items: [{ ...lineA, units: 300 }] })).toBeUndefined();
  });

  test('amended units keep the booked units per line', () => {
    const state = bookedPo({ A: 300 });
    const po = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0));
    po.line_items[0]!.units = 300;
    const { state: amended } = run(state, { type: 'amend_requested', at: at(3), po });
    expect(amended.lines[0]).toMatchObject({
      units: 300,
      bookedUnits: 300,
      booking: 'full',
      providerId: 5137001,
    });
  });
});

/** For the date-driven deadlines on their own. */
const NO_QUIET_CHECK: PoSettingsInput = { quietCheckHours: false };

describe('deadlines', () => {
  test('derived from the dates: cargo-ready check, must-arrive check', () => {
    expect(nextDeadlines(openPo({}, NO_QUIET_CHECK))).toEqual([
      { kind: 'cargo_ready_check', at: '2030-03-12T00:00:00.000Z' },
      { kind: 'must_arrive_check', at: '2030-04-11T00:00:00.000Z' },
    ]);
  });

  test('cargo ready passed with nothing booked: booking overdue and an alert', () => {
    const { state, commands } = run(openPo({}, NO_QUIET_CHECK), { type: 'deadline_reached', at: '2030-03-12T00:00:00.000Z' }); // prettier-ignore
    expect(state.bookingOverdue).toBe(true);
    expect(commands).toEqual([{ type: 'alert', alert: expect.objectContaining({ kind: 'booking_overdue', poName: 'PO-1' }) }]); // prettier-ignore
    expect(nextDeadlines(state).map((d) => d.kind)).toEqual(['must_arrive_check']);
  });

  test('must-arrive passed undelivered: late and an alert; delivered in full: never late', () => {
    const late = run(bookedPo(undefined, NO_QUIET_CHECK), { type: 'deadline_reached', at: '2030-04-11T00:00:00.000Z' }); // prettier-ignore
    expect(late.state.late).toBe(true);
    expect(late.commands).toEqual([{ type: 'alert', alert: expect.objectContaining({ kind: 'late' }) }]);

    const delivered = run(
      bookedPo(undefined, NO_QUIET_CHECK),
      signal(shipmentEvent('/shipment#delivered_in_full', 1250001, 20), 20),
    );
    expect(delivered.state.milestones.delivered_in_full).toBe(at(20));
    expect(nextDeadlines(delivered.state).map((d) => d.kind)).toEqual(['auto_close']);
  });

  test('an amendment moves the must-arrive check and lifts the late flag', () => {
    const late = run(bookedPo(), { type: 'deadline_reached', at: '2030-04-11T00:00:00.000Z' }).state;
    const po = PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, { must_arrive_date: '2030-05-01' }));
    const { state } = run(late, { type: 'amend_requested', at: '2030-04-11T01:00:00.000Z', po });
    expect(state.late).toBe(false);
    expect(nextDeadlines(state)).toContainEqual({
      kind: 'must_arrive_check',
      at: '2030-05-02T00:00:00.000Z',
    });
  });

  test('auto-close 30 days after delivered in full, then closed once the provider accepts', () => {
    const delivered = run(
      bookedPo(undefined, NO_QUIET_CHECK),
      signal(shipmentEvent('/shipment#delivered_in_full', 1250001, 20), 20),
    ).state;
    expect(nextDeadlines(delivered)).toEqual([{ kind: 'auto_close', at: at(50) }]);
    expect(run(delivered, { type: 'deadline_reached', at: at(49) }).commands).toEqual([]);
    const closing = run(delivered, { type: 'deadline_reached', at: at(50) });
    expect(closing.commands).toEqual([{ type: 'submit', intent: 'close', body: expect.objectContaining({ status: 'closed' }) }]); // prettier-ignore
    expect(nextDeadlines(closing.state)).toEqual([]);
    const closed = run(closing.state, accepted('close', 50)).state;
    expect(closed.status).toBe('closed');
    expect(closed.history.at(-1)!.cause).toContain('auto-close 30 days after delivered in full');
  });

  test('auto-close after the must-arrive date when set so', () => {
    const state = bookedPo(undefined, { autoClose: { after: 'must_arrive_date', days: 7 } });
    expect(nextDeadlines(state)).toContainEqual({ kind: 'auto_close', at: '2030-04-17T00:00:00.000Z' });
  });
});

describe('provider events', () => {
  test('acknowledged, booking confirmed from outside, milestones in any order', () => {
    const { state } = run(
      openPo(),
      signal(providerEvent('/purchase_order#acknowledged')),
      signal(shipmentEvent('/shipment_leg#arrived', 1250001, 5)),
      signal(shipmentEvent('/shipment_leg#departed', 1250001, 3)),
      signal(shipmentEvent('/shipment#booking_confirmed', 1250001, 2)),
    );
    expect(state.acknowledged).toBe(true);
    expect(state.status).toBe('booked');
    expect(state.milestones).toEqual({ arrived: at(5), departed: at(3) });
    expect(state.shipments.map((s) => s.id)).toEqual([1250001]);
  });

  test('unknown types are recorded and ignored', () => {
    const unknown = providerEvent('/shipment#teleported');
    const { state } = run(openPo(), signal(unknown));
    expect(state.ignoredEvents).toEqual([{ id: unknown.id, type: '/shipment#teleported', at: at(1), why: 'unknown event type' }]); // prettier-ignore
    expect(state.quietSince).toBe(at(1));
  });

  test('the transition history keeps the newest entries, bounded', () => {
    let state = openPo();
    for (let version = 2; version <= MAX_HISTORY_ENTRIES + 20; version++) {
      const updated = providerEvent('/purchase_order#updated', { purchase_order: { purchase_order_version: { version_number: version } } }, 200_000 + version); // prettier-ignore
      state = reduce(state, signal(updated)).state;
    }
    expect(state.history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(state.providerVersion).toBe(MAX_HISTORY_ENTRIES + 20);
    expect(state.history.at(-1)!.cause).toContain(`#${200_000 + MAX_HISTORY_ENTRIES + 20}`);
  });

  test('delivered in full counts once every shipment of the PO is delivered', () => {
    const { state } = run(
      bookedPo(),
      signal(shipmentEvent('/shipment#created', 1)),
      signal(shipmentEvent('/shipment#created', 2)),
      signal(shipmentEvent('/shipment#delivered_in_full', 1, 10)),
    );
    expect(state.milestones.delivered_in_full).toBeUndefined();
    const done = run(state, signal(shipmentEvent('/shipment#delivered_in_full', 2, 12))).state;
    expect(done.milestones.delivered_in_full).toBe(at(12));
  });

  test('a provider-side amendment moves the dates; an older snapshot does not', () => {
    const snapshot = (version: number, mustArrive: string) =>
      providerEvent('/purchase_order#updated', {
        purchase_order: { must_arrive_date: mustArrive, purchase_order_version: { version_number: version } },
      });
    const { state } = run(openPo(), signal(snapshot(3, '2030-06-01')), signal(snapshot(2, '2030-05-01')));
    expect(state.po.must_arrive_date).toBe('2030-06-01');
    expect(state.providerVersion).toBe(3);
  });

  test('provider-side cancellation ends the PO; nothing reopens it afterwards', () => {
    const cancelled = run(openPo(), signal(providerEvent('/purchase_order#cancelled'))).state;
    expect(cancelled.status).toBe('cancelled');
    const late = run(cancelled, signal(shipmentEvent('/shipment#booking_confirmed')), accepted('amend', 2), {
      type: 'deadline_reached',
      at: at(100),
    });
    expect(late.state.status).toBe('cancelled');
    expect(late.commands).toEqual([]);
    expect(late.state.ignoredEvents.at(-1)).toMatchObject({ type: '/shipment#booking_confirmed', why: 'PO already cancelled' }); // prettier-ignore
    expect(nextDeadlines(late.state)).toEqual([]);
  });
});

describe('quiet check and fallback read', () => {
  const snapshot = (overrides: Partial<ProviderSnapshot> = {}): ProviderSnapshot => ({
    status: 'open',
    version: 1,
    cargoReadyDate: '2030-03-11',
    mustArriveDate: '2030-04-10',
    bookings: [],
    shipments: [],
    ...overrides,
  });
  const read = (state: PoState, day: number, overrides: Partial<ProviderSnapshot> = {}) =>
    run(state, { type: 'provider_snapshot', at: at(day), snapshot: snapshot(overrides) }).state;
  const quietCheck = (state: PoState) => nextDeadlines(state).find((d) => d.kind === 'quiet_check')?.at;

  test('due quietCheckHours after the last news of a PO the provider knows', () => {
    expect(quietCheck(started().state)).toBeUndefined();
    expect(quietCheck(openPo())).toBe(at(1));
    expect(quietCheck(run(openPo(), signal(providerEvent('/purchase_order#acknowledged'), 3)).state)).toBe(
      at(4),
    );
    expect(quietCheck(openPo({}, { quietCheckHours: 6 }))).toBe(at(0, 6));
    expect(quietCheck(openPo({}, { quietCheckHours: false }))).toBeUndefined();
    const refused = run(started().state, { type: 'provider_rejected', at: at(0), during: 'create', status: 422, message: 'no' }); // prettier-ignore
    expect(quietCheck(refused.state)).toBeUndefined();
    const refusedAmendment = run(openPo(), { type: 'provider_rejected', at: at(2), during: 'amend', status: 422, message: 'no' }); // prettier-ignore
    expect(refusedAmendment.state.status).toBe('needs_attention');
    expect(quietCheck(refusedAmendment.state)).toBe(at(1));
    expect(quietCheck(run(openPo(), signal(providerEvent('/purchase_order#closed'))).state)).toBeUndefined();
  });

  test('reaching it reads the PO, its unconfirmed bookings and its shipments, then re-arms', () => {
    const booked = run(bookedPo(), signal(shipmentEvent('/shipment#created', 1250009))).state;
    expect(quietCheck(booked)).toBe(at(2));
    const { state, commands } = run(booked, { type: 'deadline_reached', at: at(2) });
    expect(commands).toEqual([
      { type: 'read', read: { purchaseOrderId: 171001, bookingIds: [82001], shipmentIds: [1250009] } },
    ]);
    expect(quietCheck(state)).toBe(at(3));
  });

  test('a snapshot applies what it proves: acknowledged, new dates, booking confirmed, milestones', () => {
    const state = read(bookedPo(), 5, {
      acknowledgedAt: at(1),
      version: 2,
      mustArriveDate: '2030-04-20',
      bookings: [{ providerId: 82001, status: 'booked', shipmentId: 1250001 }],
      shipments: [
        {
          id: 1250001,
          status: 'final_destination',
          milestones: { departed: at(3), arrived: at(4), delivered_in_full: at(4, 12) },
        },
      ],
    });
    expect(state).toMatchObject({ status: 'booked', acknowledged: true, providerVersion: 2 });
    expect(state.po.must_arrive_date).toBe('2030-04-20');
    expect(state.bookings[0]).toMatchObject({ status: 'booked', shipmentId: 1250001 });
    expect(state.milestones).toEqual({ departed: at(3), arrived: at(4), delivered_in_full: at(4, 12) });
    const changes = state.history.filter((h) => h.cause.startsWith('fallback read'));
    expect(changes.map((h) => h.change)).toEqual([
      'acknowledged',
      'amended at provider',
      'booking confirmed',
      'departed',
      'arrived',
      'delivered_in_full',
    ]);
    expect(changes[0]!.cause).toBe('fallback read of purchase order 171001 at flexport');
    expect(nextDeadlines(state).map((d) => d.kind)).toContain('auto_close');
  });

  test('never undoes anything: an older or equal snapshot, or the same one again, changes nothing', () => {
    const known = run(
      bookedPo(),
      signal(providerEvent('/purchase_order#acknowledged')),
      signal(shipmentEvent('/shipment#booking_confirmed', 1250001)),
      signal(shipmentEvent('/shipment_leg#departed', 1250001, 2)),
    ).state;
    const shipment = { id: 1250001, status: 'seller_location', milestones: {} };
    expect(read(known, 5, { version: 1, mustArriveDate: '2030-09-09', shipments: [shipment] })).toEqual(
      known,
    );
    const once = read(known, 5, {
      shipments: [{ ...shipment, milestones: { departed: at(3), arrived: at(4) } }],
    });
    expect(once.milestones).toEqual({ departed: at(2), arrived: at(4) });
    expect(read(once, 6, { shipments: [{ ...shipment, milestones: { departed: at(3), arrived: at(4) } }] })).toEqual(once); // prettier-ignore
  });

  test("a shipment's status proves departure and arrival when its dates are missing", () => {
    const state = read(bookedPo(), 5, {
      shipments: [{ id: 1250001, status: 'arrival_port', milestones: {} }],
    });
    expect(state.milestones).toEqual({ departed: at(5), arrived: at(5) });
  });

  test('closed or cancelled at the provider ends the PO', () => {
    expect(read(bookedPo(), 5, { status: 'closed' }).status).toBe('closed');
    const cancelled = read(openPo(), 5, { status: 'cancelled' });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.at(-1)!.cause).toContain('fallback read');
    expect(read(cancelled, 6, { status: 'open', acknowledgedAt: at(6) })).toEqual(cancelled);
  });
});

describe('requests racing provider writes in flight', () => {
  const cancel = (day = 0, hours = 1): LifecycleEvent => ({ type: 'cancel_requested', at: at(day, hours), cause: 'cancelled by operator' }); // prettier-ignore
  const refused = (during: 'create' | 'amend' | 'cancel' | 'book', day = 0): LifecycleEvent => ({ type: 'provider_rejected', at: at(day, 2), during, status: 422, message: 'no' }); // prettier-ignore
  const amend = (memo: string, day = 0): LifecycleEvent => ({
    type: 'amend_requested',
    at: at(day, 1),
    po: PurchaseOrder.parse(samplePurchaseOrder('PO-1', T0, { memo })),
  });
  const created = (id = 171001) =>
    signal(providerEvent('/purchase_order#created', { purchase_order: { id, purchase_order_version: { version_number: 1 } } }), 0); // prettier-ignore

  test('a cancel during the create waits for it, then cancels at the provider', () => {
    const queued = run(started().state, cancel());
    expect(queued.commands).toEqual([]);
    expect(queued.state).toMatchObject({ status: 'submitting', endRequested: { status: 'cancelled', by: 'operator' } }); // prettier-ignore
    expect(checkAmend(queued.state, queued.state.po)).toBe('Purchase order PO-1 is being cancelled');
    expect(run(queued.state, cancel(0, 2)).state).toEqual(queued.state); // a repeat changes nothing

    const sent = run(queued.state, accepted('create'));
    expect(sent.state.status).toBe('open');
    expect(sent.commands).toEqual([{ type: 'submit', intent: 'cancel', body: expect.objectContaining({ name: 'PO-1', status: 'cancelled' }) }]); // prettier-ignore
    const done = run(sent.state, accepted('cancel', 0, 2)).state;
    expect(done.status).toBe('cancelled');
    expect(done.history.map((h) => h.to)).toEqual(['submitting', 'submitting', 'open', 'cancelled']);
  });

  test('the provider id from /purchase_order#created is kept, and the cancel still waits for the create', () => {
    const { state, commands } = run(started().state, created(171009), cancel());
    expect(state.providerId).toBe(171009);
    expect(commands).toEqual([]);
    expect(run(state, accepted('create')).commands.map((c) => c.type)).toEqual(['submit']);
  });

  test('a cancel during a create the provider then refuses cancels without calling it', () => {
    const { state, commands } = run(started().state, cancel(), refused('create'));
    expect(commands).toEqual([]);
    expect(state.status).toBe('cancelled');
  });

  test('an amendment during the create keeps the PO waiting for it', () => {
    const both = run(started().state, amend('second'), accepted('create'));
    expect(both.commands.map((c) => c.type === 'submit' && c.intent)).toEqual(['amend']);
    expect(both.state).toMatchObject({ status: 'open', pending: { intent: 'amend' }, writesInFlight: 1 });
    expect(checkBook(both.state, {})).toMatch(/is busy: amended/);
    const done = run(both.state, accepted('amend', 0, 2)).state;
    expect(done).toMatchObject({ status: 'open', pending: undefined, writesInFlight: 0 });
    expect(done.acceptedPo?.memo).toBe('second');
  });

  test('a cancel while an amendment is refused sends the last body the provider accepted', () => {
    const { state, commands } = run(openPo(), amend('refused one', 1), cancel(1, 2), refused('amend', 1));
    const cancelling = commands.filter((c) => c.type === 'submit' && c.intent === 'cancel');
    expect(cancelling).toEqual([{ type: 'submit', intent: 'cancel', body: expect.objectContaining({ status: 'cancelled' }) }]); // prettier-ignore
    expect((cancelling[0] as { body: { memo?: string } }).body.memo).not.toBe('refused one');
    expect(run(state, accepted('cancel', 1, 2)).state.status).toBe('cancelled');
  });

  test('cancelled at the provider during an amendment: the end is sent again once the amendment lands', () => {
    const { state, commands } = run(
      openPo(),
      amend('mine', 1),
      signal(providerEvent('/purchase_order#cancelled')),
    );
    expect(state).toMatchObject({ status: 'open', endRequested: { status: 'cancelled', by: 'provider' } });
    expect(commands.map((c) => c.type === 'submit' && c.intent)).toEqual(['amend']);
    const landed = run(state, accepted('amend', 1, 2));
    expect(landed.commands).toEqual([{ type: 'submit', intent: 'cancel', body: expect.objectContaining({ memo: 'mine', status: 'cancelled' }) }]); // prettier-ignore
    expect(run(landed.state, accepted('cancel', 1, 3)).state.status).toBe('cancelled');
  });

  test('a fallback read that finds the PO closed during a write waits for it the same way', () => {
    const read: ProviderSnapshot = { status: 'closed', cargoReadyDate: null, mustArriveDate: null, bookings: [], shipments: [] }; // prettier-ignore
    const { state } = run(bookedPo(), amend('mine', 3), {
      type: 'provider_snapshot',
      at: at(3, 2),
      snapshot: read,
    });
    expect(state).toMatchObject({ status: 'booked', endRequested: { status: 'closed', by: 'provider' } });
    expect(nextDeadlines(state).map((d) => d.kind)).not.toContain('auto_close');
    expect(run(state, accepted('amend', 3)).commands).toEqual([{ type: 'submit', intent: 'close', body: expect.objectContaining({ status: 'closed' }) }]); // prettier-ignore
  });

  test('the echo of our own cancel ends the PO at once', () => {
    const { state } = run(openPo(), cancel(1), signal(providerEvent('/purchase_order#cancelled')));
    expect(state.status).toBe('cancelled');
  });

  test('a cancel during a booking call is refused until the booking is answered', () => {
    const booking = run(openPo(), { type: 'book_requested', at: at(1), booking: {} }).state;
    expect(checkCancel(booking)).toMatch(/is busy: booking PO-1-B1/);
  });

  test('a cancel the provider refuses leaves the PO as it was, with the reason', () => {
    const { state } = run(openPo(), cancel(1), refused('cancel', 1));
    expect(state.status).toBe('open');
    expect(state.lastError).toMatchObject({ during: 'cancel', message: 'no' });
  });

  test('an auto-close during a booking call is sent behind it', () => {
    const booking = run(bookedPo({ A: 200 }, { autoClose: { days: 1, after: 'must_arrive_date' } }), { type: 'book_requested', at: at(2), booking: {} }); // prettier-ignore
    const closing = run(booking.state, { type: 'deadline_reached', at: at(200) });
    expect(closing.commands).toContainEqual({ type: 'submit', intent: 'close', body: expect.objectContaining({ status: 'closed' }) }); // prettier-ignore
    expect(closing.state.writesInFlight).toBe(2);
  });

  test('POs started before this replay as they ran: a cancel during the create cancels locally', () => {
    const old = { ...started().state, waitsForProviderCalls: false };
    const { state, commands } = run(old, cancel());
    expect(commands).toEqual([]);
    expect(state.status).toBe('cancelled');
  });
});
