/**
 * The whole story over HTTP: create a PO, acknowledge, book, confirm, ship through every
 * milestone, deliver, close; every step's events arrive signed at a real local receiver.
 */
import { createHmac } from 'node:crypto';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { booking, call, purchaseOrder, startReceiver, waitFor } from './support/sandbox-api';

const SECRET = 'lifecycle-secret';
let sandbox: Sandbox;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ port: 0, webhooks: [{ url: receiver.url, secret: SECRET }] });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const types = () => receiver.received.map((r) => r.event.type as string);

it('runs a PO from creation to delivery in full and close', async () => {
  const created = await call(
    sandbox,
    'POST',
    '/purchase_orders?expand=line_items',
    purchaseOrder('PO-STORY'),
  );
  expect(created.status).toBe(200);
  const po = created.body.data;

  const ack = await call(sandbox, 'POST', `/_sandbox/purchase_orders/${po.id}/acknowledge`, undefined, null);
  expect(ack.status).toBe(200);

  const b = await call(sandbox, 'POST', '/bookings', booking('BK-STORY'));
  expect(b.status).toBe(200);
  expect(b.body.data).toMatchObject({
    _object: '/booking',
    status: 'submitted',
    shipment: null,
    transportation_mode: 'ocean',
  });
  for (const line of po.line_items.data) {
    const bli = await call(sandbox, 'POST', '/booking_line_items', {
      booking_id: b.body.data.id,
      purchase_order_line_item_id: line.id,
      units: line.units,
    });
    expect(bli.status).toBe(200);
    expect(bli.body.data).toMatchObject({ units: line.units, booking: { id: b.body.data.id } });
  }
  const overbook = await call(sandbox, 'POST', '/booking_line_items', {
    booking_id: b.body.data.id,
    purchase_order_line_item_id: po.line_items.data[0].id,
    units: 1,
  });
  expect(overbook.status).toBe(422);
  const booked = await call(
    sandbox,
    'GET',
    `/booking_line_items?f.purchase_order_line_item.id=${po.line_items.data[0].id}`,
  );
  expect(booked.body.data.data.map((x: { units: number }) => x.units)).toEqual([500]);

  expect((await call(sandbox, 'GET', `/shipments/${b.body.data.id}`)).status).toBe(404);
  const confirmed = await call(
    sandbox,
    'POST',
    `/_sandbox/bookings/${b.body.data.id}/confirm`,
    undefined,
    null,
  );
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.data.status).toBe('booked');
  const shipmentId = confirmed.body.data.shipment.id as number;
  const fetchedBooking = await call(sandbox, 'GET', `/bookings/${b.body.data.id}`);
  expect(fetchedBooking.body.data.shipment.id).toBe(shipmentId);

  const shipment = await call(sandbox, 'GET', `/shipments/${shipmentId}`);
  expect(shipment.status).toBe(200);
  expect(shipment.body).toMatchObject({ _object: '/api/response', version: 3 });
  expect(shipment.body.data).toMatchObject({
    _object: '/shipment',
    id: shipmentId,
    status: 'seller_location',
    metadata: { purchase_order: ['PO-STORY'] },
    booking: { _object: '/api/refs/object', id: b.body.data.id },
    actual_departure_date: null,
    estimated_departure_date: '2031-05-26T00:00:00.000Z',
  });

  const step = await call(sandbox, 'POST', `/_sandbox/shipments/${shipmentId}/advance`, {}, null);
  expect(step.body.data).toMatchObject({
    status: 'in_transit_to_arrival_port',
    actual_departure_date: expect.any(String),
  });
  const rest = await call(
    sandbox,
    'POST',
    `/_sandbox/shipments/${shipmentId}/advance`,
    { to: 'delivered_in_full' },
    null,
  );
  expect(rest.body.data).toMatchObject({
    status: 'final_destination',
    actual_arrival_date: expect.any(String),
    actual_delivered_in_full_date: expect.any(String),
  });
  const beyond = await call(sandbox, 'POST', `/_sandbox/shipments/${shipmentId}/advance`, {}, null);
  expect(beyond.status).toBe(422);

  const onShipment = await call(sandbox, 'GET', `/purchase_orders?f.shipment.id=${shipmentId}`);
  expect(onShipment.body.data.data.map((p: { name: string }) => p.name)).toEqual(['PO-STORY']);

  const docs = await call(sandbox, 'GET', `/documents?f.shipment.id=${shipmentId}`);
  expect(docs.body.data.data.map((d: { document_type: string }) => d.document_type)).toEqual([
    'booking_confirmation',
    'bill_of_lading',
    'arrival_notice',
    'customs_entry',
    'proof_of_delivery',
  ]);

  const closed = await call(
    sandbox,
    'POST',
    '/purchase_orders',
    purchaseOrder('PO-STORY', { status: 'closed' }),
  );
  expect(closed.body.data.status).toBe('closed');

  const expected = [
    '/purchase_order#created',
    '/purchase_order#acknowledged',
    '/shipment#created',
    '/shipment#booking_confirmed',
    '/shipment_leg#departed',
    '/shipment_leg#arrived',
    '/shipment#customs_entry_release_status_released',
    '/shipment_leg#delivered',
    '/shipment#delivered_in_full',
    '/purchase_order#closed',
  ];
  await waitFor(() => receiver.received.length >= expected.length);
  expect([...types()].sort()).toEqual([...expected].sort());

  const events = await call(sandbox, 'GET', '/events?per=100');
  expect(events.body.data.data.map((e: { type: string }) => e.type)).toEqual(expected);
  const [poCreated] = events.body.data.data;
  expect(poCreated).toMatchObject({
    _object: '/event',
    version: 2,
    data: {
      _object: '/order_management_event_data',
      context: { purchase_order_version_id: po.purchase_order_version.id },
      purchase_order: { _object: '/purchase_order', id: po.id, name: 'PO-STORY' },
    },
  });
  const departed = events.body.data.data.find((e: { type: string }) => e.type === '/shipment_leg#departed');
  expect(departed.data.resource._object).toBe('/shipment_leg');
  expect(departed.data.shipment).toMatchObject({
    id: shipmentId,
    metadata: { purchase_order: ['PO-STORY'] },
  });

  const forShipment = await call(sandbox, 'GET', `/events?f.data.shipment.id=${shipmentId}`);
  expect(forShipment.body.data.total_count).toBe(7);
  const legs = await call(sandbox, 'GET', `/events?f.data.resource._object=/shipment_leg`);
  expect(legs.body.data.total_count).toBe(3);
  const poEvents = await call(sandbox, 'GET', `/events?f.data.resource._object=/purchase_order`);
  expect(poEvents.body.data.total_count).toBe(3);
  const cursor = await call(sandbox, 'GET', `/events?f.id.gt=${events.body.data.data[7].id}`);
  expect(cursor.body.data.data.map((e: { type: string }) => e.type)).toEqual(expected.slice(8));
  const window = await call(
    sandbox,
    'GET',
    `/events?f.occurred_at.gte=${encodeURIComponent(poCreated.occurred_at)}&f.occurred_at.lte=${encodeURIComponent(poCreated.occurred_at)}`,
  );
  expect(window.body.data.data.map((e: { id: number }) => e.id)).toContain(poCreated.id);
});

it('signs every delivery with sha256 and sha1 HMACs of the raw body', () => {
  expect(receiver.received.length).toBeGreaterThan(0);
  for (const { raw, headers, event } of receiver.received) {
    const sha256 = createHmac('sha256', SECRET).update(raw).digest('hex');
    const sha1 = createHmac('sha1', SECRET).update(raw).digest('hex');
    expect(headers['x-hub-signature-256']).toBe(`sha256=${sha256}`);
    expect(headers['x-hub-signature']).toBe(`sha1=${sha1}`);
    expect(headers['content-type']).toBe('application/json');
    expect(event._object).toBe('/event');
  }
  const wrong = createHmac('sha256', 'not-the-secret').update(receiver.received[0]!.raw).digest('hex');
  expect(receiver.received[0]!.headers['x-hub-signature-256']).not.toBe(`sha256=${wrong}`);
});

it('counts requests per route family', async () => {
  const stats = await call(sandbox, 'GET', '/_sandbox/request-stats', undefined, null);
  expect(stats.body.data.purchase_orders.total).toBeGreaterThanOrEqual(3);
  expect(stats.body.data.events.maxPerSecond).toBeGreaterThanOrEqual(1);
  expect(stats.body.data._sandbox).toBeUndefined();
});

it('shows acknowledged_at on the PO and lets the counterpart report a milestone late', async () => {
  const po = (
    await call(sandbox, 'POST', '/purchase_orders?expand=line_items', purchaseOrder('PO-LATE-SCAN'))
  ).body.data;
  expect(po.acknowledged_at).toBeNull();
  await call(sandbox, 'POST', `/_sandbox/purchase_orders/${po.id}/acknowledge`, undefined, null);
  expect((await call(sandbox, 'GET', `/purchase_orders/${po.id}`)).body.data.acknowledged_at).toEqual(
    expect.any(String),
  );

  const b = (await call(sandbox, 'POST', '/bookings', booking('BK-LATE-SCAN'))).body.data;
  const line = po.line_items.data[0];
  await call(sandbox, 'POST', '/booking_line_items', { booking_id: b.id, purchase_order_line_item_id: line.id, units: 1 }); // prettier-ignore
  const { shipment } = (await call(sandbox, 'POST', `/_sandbox/bookings/${b.id}/confirm`, undefined, null))
    .body.data;
  const departedAt = new Date(Date.now() - 3_600_000).toISOString();
  const advanced = await call(sandbox, 'POST', `/_sandbox/shipments/${shipment.id}/advance`, { to: 'departed', at: departedAt }, null); // prettier-ignore
  expect(advanced.body.data.actual_departure_date).toBe(departedAt);

  const events = (await call(sandbox, 'GET', `/events?f.data.shipment.id=${shipment.id}`)).body.data.data;
  const departed = events.at(-1);
  expect(departed).toMatchObject({ type: '/shipment_leg#departed', occurred_at: departedAt });
  expect(Date.parse(departed.created_at)).toBeGreaterThan(Date.parse(departedAt));
  // Listed after the confirmation events, though it occurred before them.
  expect(Date.parse(events.at(-2).occurred_at)).toBeGreaterThan(Date.parse(departedAt));
  const since = encodeURIComponent(new Date(Date.parse(departedAt) - 60_000).toISOString());
  const window = (
    await call(sandbox, 'GET', `/events?f.occurred_at.gte=${since}&f.data.shipment.id=${shipment.id}`)
  ).body.data.data;
  expect(window.map((e: { id: number }) => e.id)).toContain(departed.id);
});
