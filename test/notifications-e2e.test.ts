/**
 * Notifications end to end: the PO workflow on the time-skipping server, the real activities
 * posting over HTTP to the sandbox's inboxes, which check the signature and record what came.
 * One environment per test: time skipping is global to a server.
 */
import { describePo } from '../client/format';
import { bookUpdate, stateQuery, type PoView } from '../workflows/flexport/messages';
import { NOTIFICATION_TYPES } from '../workflows/core/notifications';
import { inbox as inboxOf, startNotifyingHarness, UI_URL as UI } from './support/inboxes';
import { until, type Harness, type PoHandle } from './support/po-harness';
import { samplePurchaseOrder } from './support/purchase-orders';

const HOUR_MS = 3_600_000;
let harness: Harness;
let now: number;

/** Started before each test, so a slow start on a loaded machine is not counted against the test. */
beforeEach(async () => {
  harness = await startNotifyingHarness();
  now = await harness.env.currentTimeMs();
}, 120_000);

afterEach(async () => {
  await harness.close();
  await harness.env.teardown();
});

const inbox = (name: string) => inboxOf(harness, name);

async function openPo(name: string, settings = {}): Promise<PoHandle> {
  const handle = await harness.start(samplePurchaseOrder(name, now), settings);
  await until(handle, (s) => s.status === 'open');
  return handle;
}

/** Everything this PO has to say has gone out. */
const delivered = (s: PoView) => s.notifications?.pending === 0;

test('a whole lifecycle arrives at the ERP once each, in order, signed; each endpoint gets the types it wants', async () => {
  const handle = await openPo('PO-NOTIFY');
  const { providerId } = await handle.query(stateQuery);
  await harness.admin('POST', `/purchase_orders/${providerId}/acknowledge`);
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  const { shipment } = await harness.admin('POST', `/bookings/${booked.bookings[0]!.providerId}/confirm`);
  await harness.deliverEvents(handle);
  await harness.admin('POST', `/shipments/${shipment.id}/advance`, { to: 'delivered_in_full' });
  await harness.deliverEvents(handle);
  const final = await handle.result(); // auto-closed 30 days after delivery; ends once the ERP knows
  expect(final.status).toBe('closed');
  expect(final.notifications).toMatchObject({ pending: 0, delivered: 8 });

  const erp = await inbox('erp');
  expect(erp.deliveries.every((d) => d.status === 200)).toBe(true);
  expect(
    erp.received.map((e) =>
      e.type === 'purchase_order.milestone_reached' ? `milestone ${e.data.milestone}` : e.type,
    ),
  ).toEqual([
    // prettier-ignore
    'purchase_order.opened',
    'purchase_order.booked',
    'purchase_order.booking_confirmed',
    'milestone departed',
    'milestone arrived',
    'milestone customs_released',
    'milestone delivered_in_full',
    'purchase_order.closed',
  ]);
  expect(erp.received.map((e) => e.id)).toEqual(erp.received.map((_, i) => `${handle.workflowId}#${i + 1}`));
  expect(erp.received[1]).toMatchObject({
    purchase_order: { name: 'PO-NOTIFY', provider: 'flexport', workflow_id: handle.workflowId },
    data: { booking: { provider_id: booked.bookings[0]!.providerId, lines: [{ item_key: 'A', units: 500 }, { item_key: 'B', units: 200 }] } }, // prettier-ignore
  });
  expect(NOTIFICATION_TYPES).toEqual(expect.arrayContaining(erp.received.map((e) => e.type)));
  expect((await inbox('desk')).received.map((e) => e.type)).toEqual(['purchase_order.booked', 'purchase_order.closed']); // prettier-ignore
  expect((await inbox('chat')).received).toEqual([]);
}, 240_000);

test('an endpoint down for a while: the PO goes on, the failure shows, and everything arrives once it is back', async () => {
  await harness.admin('PUT', '/inbox/erp', { down: true });
  const handle = await openPo('PO-DOWN');
  // The lifecycle does not wait for the ERP: the booking goes through while it is down.
  const booked = await handle.executeUpdate(bookUpdate, { args: [{}] });
  expect(booked.status).toBe('booked');
  const failing = await until(handle, (s) => Boolean(s.notifications?.failing), 60_000);
  expect(failing.notifications).toMatchObject({
    pending: 2,
    next: [{ type: 'purchase_order.opened' }, { type: 'purchase_order.booked' }],
    failing: { id: `${handle.workflowId}#1`, rounds: 1, message: 'erp: answered 503' },
  });
  expect(describePo(failing, UI)).toMatch(/notifications\s+0 delivered, 2 waiting; failing since .*: erp: answered 503/); // prettier-ignore
  // The desk took `booked` already: it is not sent there again.
  expect((await inbox('desk')).received.map((e) => e.type)).toEqual([]);

  await harness.admin('PUT', '/inbox/erp', { down: false });
  await harness.env.sleep(2 * 60_000); // past the wait between rounds
  const caughtUp = await until(handle, delivered, 60_000);
  expect(caughtUp.notifications!.failing).toBeUndefined();
  const erp = await inbox('erp');
  expect(erp.refused).toBeGreaterThanOrEqual(4);
  expect(erp.received.map((e) => e.type)).toEqual(['purchase_order.opened', 'purchase_order.booked']);
  expect(erp.deliveries.filter((d) => d.status === 200 && !d.duplicate)).toHaveLength(2);
  const desk = await inbox('desk');
  expect(desk.deliveries.filter((d) => d.status === 200)).toHaveLength(1);
}, 240_000);

test('a wrong secret is detected by the receiver, and the PO shows the refusal', async () => {
  await harness.admin('PUT', '/inbox/erp', { secret: 'the-secret-the-erp-expects-instead' });
  const handle = await openPo('PO-WRONG-SECRET');
  const failing = await until(handle, (s) => Boolean(s.notifications?.failing), 60_000);
  expect(failing.notifications!.failing!.message).toBe('erp: answered 401');
  const erp = await inbox('erp');
  expect(erp.received).toEqual([]);
  expect(erp.deliveries[0]).toMatchObject({ status: 401, reason: 'signature does not match' });
});

test('late and booking overdue alert the chat tool with the PO, the reason and the Web UI link', async () => {
  const handle = await openPo('PO-ALERT');
  await harness.env.sleep(45 * 24 * HOUR_MS);
  await until(handle, (s) => s.late && s.bookingOverdue && delivered(s), 60_000);
  const chat = (await inbox('chat')).received as unknown as { text: string }[];
  const link = `<${UI}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}|Open PO PO-ALERT in the Temporal Web UI>`; // prettier-ignore
  expect(chat).toEqual([
    { text: expect.stringMatching(/^:rotating_light: \*PO PO-ALERT\* booking overdue: Purchase order PO-ALERT cargo was ready on \d{4}-\d{2}-\d{2} and nothing is booked\n/) }, // prettier-ignore
    { text: expect.stringMatching(/^:rotating_light: \*PO PO-ALERT\* late: Purchase order PO-ALERT had to arrive by \d{4}-\d{2}-\d{2} and is not delivered in full\n/) }, // prettier-ignore
  ]);
  expect(chat.every((message) => message.text.endsWith(link))).toBe(true);
  expect(harness.alerts.map((a) => a.kind)).toEqual(['booking_overdue', 'late']); // the log line too
  const erpTypes = (await inbox('erp')).received.map((e) => e.type);
  expect(erpTypes).toEqual([
    'purchase_order.opened',
    'purchase_order.booking_overdue',
    'purchase_order.late',
  ]);
});

test('a PO stuck in needs_attention longer than its settings allow alerts people once', async () => {
  const po = samplePurchaseOrder('PO-STUCK', now, { origin_location_ref: 'nowhere' });
  const handle = await harness.start(po, { needsAttentionAlertHours: 2 });
  await until(handle, (s) => s.status === 'needs_attention' && delivered(s));
  expect((await inbox('erp')).received.map((e) => [e.type, e.data.provider_status])).toEqual([
    ['purchase_order.needs_attention', 422],
  ]);
  expect((await inbox('chat')).received).toEqual([]);
  await harness.env.sleep(3 * HOUR_MS);
  await until(handle, (s) => s.notifications!.delivered === 2, 60_000);
  const chat = (await inbox('chat')).received as unknown as { text: string }[];
  expect(chat).toHaveLength(1);
  expect(chat[0]!.text).toMatch(/^:rotating_light: \*PO PO-STUCK\* still needs attention: Purchase order PO-STUCK has needed attention since .*: /); // prettier-ignore
  await harness.env.sleep(24 * HOUR_MS);
  expect((await inbox('chat')).received).toHaveLength(1);
});
