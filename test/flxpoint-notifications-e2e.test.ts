/**
 * Flxpoint POs' notifications end to end: the Flxpoint workflow on the time-skipping server, its
 * status read from the sandbox's Flxpoint emulator over HTTP, the real delivery activity posting
 * to the sandbox's inboxes, which check the signature and record what came.
 * One environment per test: time skipping is global to a server.
 */
import { describePo } from '../client/format';
import { flxpointCancelUpdate, type FlxpointPoView } from '../workflows/flxpoint/messages';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { inbox as inboxOf, startNotifyingHarness, UI_URL } from './support/inboxes';
import { until, type FlxpointHandle, type Harness } from './support/po-harness';

let harness: Harness;

/** Started before each test, so a slow start on a loaded machine is not counted against the test. */
beforeEach(async () => {
  harness = await startNotifyingHarness();
}, 120_000);

afterEach(async () => {
  await harness.close();
  await harness.env.teardown();
});

const inbox = (name: string) => inboxOf(harness, name);
const untilState = (handle: FlxpointHandle, ready: (state: FlxpointPoView) => boolean, timeoutMs?: number) =>
  until<FlxpointPoView>(handle, ready, timeoutMs);
/** Everything this PO has to say has gone out. */
const delivered = (s: FlxpointPoView) => s.notifications?.pending === 0;

/** Moves the PO at Flxpoint, as its source or an operator there would. */
async function flxpointMoves(number: string, status: string, reason?: string): Promise<void> {
  await harness.flxpointAdmin('POST', `/purchase-orders/${number}/status`, { status, reason });
}

/** What the Web UI shows as the PO's current details. */
async function currentDetails(handle: FlxpointHandle): Promise<string> {
  return (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
}

test('a Flxpoint lifecycle arrives at the ERP once each, in order, signed; a PO left in needs_attention alerts people once', async () => {
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-N1'), { needsAttentionAlertHours: 1 }); // prettier-ignore
  const open = await untilState(handle, (s) => s.status === 'open' && delivered(s));
  await flxpointMoves('FLX-N1', 'processing_error', 'Source rejected SKU WIDGET-1');
  await harness.env.sleep('61 seconds');
  await untilState(handle, (s) => s.status === 'needs_attention' && delivered(s));
  expect((await inbox('chat')).received).toEqual([]);

  // An hour on (the status reads go on meanwhile), people hear of it, once.
  await harness.env.sleep('65 minutes');
  await untilState(handle, (s) => s.notifications!.delivered === 3, 60_000);
  await harness.env.sleep('2 hours');
  const chat = (await inbox('chat')).received as unknown as { text: string }[];
  const link = `<${UI_URL}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}|Open PO FLX-N1 in the Temporal Web UI>`; // prettier-ignore
  expect(chat).toEqual([{ text: expect.stringMatching(/^:rotating_light: \*PO FLX-N1\* still needs attention: Purchase order FLX-N1 has needed attention since .*: Source rejected SKU WIDGET-1\n/) }]); // prettier-ignore
  expect(chat[0]!.text.endsWith(link)).toBe(true);
  expect(harness.alerts.map((a) => a.kind)).toEqual(['needs_attention']); // the log line too

  await handle.executeUpdate(flxpointCancelUpdate, { args: ['order withdrawn'] });
  const final = await handle.result(); // ends once the ERP knows
  expect(final).toMatchObject({ status: 'cancelled', notifications: { pending: 0, delivered: 4, dropped: 0 } }); // prettier-ignore

  const erp = await inbox('erp');
  expect(erp.deliveries).toHaveLength(3);
  expect(erp.deliveries.every((d) => d.status === 200 && !d.duplicate)).toBe(true); // each signature checked
  expect(erp.received.map((e) => [e.id, e.type])).toEqual([
    [`${handle.workflowId}#1`, 'purchase_order.opened'],
    [`${handle.workflowId}#2`, 'purchase_order.needs_attention'],
    // #3 is the alert to people
    [`${handle.workflowId}#4`, 'purchase_order.cancelled'],
  ]);
  expect(erp.received[0]).toMatchObject({
    purchase_order: { name: 'FLX-N1', provider: 'flxpoint', workflow_id: handle.workflowId, provider_id: open.providerId, status: 'open' }, // prettier-ignore
    data: { provider_id: open.providerId, order_id: 5001, source_id: 77, lines: [{ sku: 'WIDGET-1', units: 3 }, { inventory_variant_id: 4242, units: 2 }] }, // prettier-ignore
  });
  expect(erp.received[1]!.data).toEqual({ during: 'read', provider_status: null, provider_message: 'Source rejected SKU WIDGET-1', flxpoint_status: 'processing_error' }); // prettier-ignore
  expect(erp.received[2]!.data).toEqual({ cause: 'Flxpoint status canceled: order withdrawn', flxpoint_status: 'canceled' }); // prettier-ignore
  expect((await inbox('desk')).received).toEqual([]); // it wants bookings and closings only
}, 240_000);

test('an endpoint down for a while: the PO goes on, the failure shows, and everything arrives once it is back', async () => {
  await harness.admin('PUT', '/inbox/erp', { down: true });
  const handle = await harness.startFlxpoint(sampleFlxpointPurchaseOrder('FLX-N2'));
  const failing = await untilState(handle, (s) => Boolean(s.notifications?.failing), 120_000);
  expect(failing.notifications).toMatchObject({
    pending: 1,
    next: [{ id: `${handle.workflowId}#1`, type: 'purchase_order.opened' }],
    failing: { id: `${handle.workflowId}#1`, rounds: 1, message: 'erp: answered 503' },
  });
  expect(describePo(failing, UI_URL)).toMatch(/notifications\s+0 delivered, 1 waiting; failing since .*: erp: answered 503/); // prettier-ignore
  expect(await currentDetails(handle)).toMatch(/- notifications: 0 delivered, 1 waiting; \*\*failing since .*\*\* \(1 rounds, last .*\): erp: answered 503/); // prettier-ignore

  // The lifecycle does not wait for the ERP: the cancel goes through to Flxpoint while it is down.
  const cancelled = await handle.executeUpdate(flxpointCancelUpdate, { args: [undefined] });
  expect(cancelled).toMatchObject({ status: 'cancelled', flxpointStatus: 'canceled', notifications: { pending: 2 } }); // prettier-ignore

  await harness.admin('PUT', '/inbox/erp', { down: false });
  await harness.env.sleep('2 minutes'); // past the wait between rounds
  const final = await handle.result();
  expect(final.notifications).toEqual({ delivered: 2, pending: 0, next: [], dropped: 0 });
  const erp = await inbox('erp');
  expect(erp.refused).toBeGreaterThanOrEqual(4);
  expect(erp.received.map((e) => e.type)).toEqual(['purchase_order.opened', 'purchase_order.cancelled']);
  expect(erp.deliveries.filter((d) => d.status === 200 && !d.duplicate)).toHaveLength(2);
  expect(await currentDetails(handle)).toMatch(/- notifications: 2 delivered, 0 waiting$/m);
}, 240_000);
