/** Which notifications a Flxpoint PO's changes make, through the shared outbox: no Temporal, no HTTP. */
import {
  reduceFlxpoint,
  startFlxpointLifecycle,
  type FlxpointEvent,
  type FlxpointPoState,
} from '../workflows/flxpoint/lifecycle';
import { flxpointNotificationsFor } from '../workflows/flxpoint/notifications';
import { NotificationOutbox } from '../workflows/core/notification-outbox';
import { PoSettings, type PoSettingsInput } from '../workflows/core/settings';
import { sampleFlxpointPurchaseOrder } from './support/flxpoint-purchase-orders';
import { drainOutbox } from './support/outbox';

const T0 = Date.parse('2030-03-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const WORKFLOW_ID = 'po/flxpoint/FLX-1';
const ID = 4_100_007;

/** A Flxpoint PO driven through events, every change recorded in its outbox as the workflow does. */
class FlxpointPo {
  state: FlxpointPoState;
  outbox: NotificationOutbox;

  constructor(settings: Omit<PoSettingsInput, 'provider'> = {}) {
    const parsed = PoSettings.parse({ ...settings, provider: 'flxpoint' });
    this.state = startFlxpointLifecycle(sampleFlxpointPurchaseOrder('FLX-1'), parsed, at(0)).state;
    this.outbox = new NotificationOutbox(WORKFLOW_ID, this.state, parsed);
  }

  apply(...events: FlxpointEvent[]): this {
    for (const event of events) {
      const next = reduceFlxpoint(this.state, event).state;
      if (next !== this.state) {
        const drafts = flxpointNotificationsFor(this.state, next, event.at, this.outbox.announced);
        this.outbox.record(this.state, next, drafts, event.at);
      }
      this.state = next;
    }
    return this;
  }

  /** Delivers everything waiting; returns it. */
  drain() {
    return drainOutbox(this.outbox);
  }
}

const read = (minutes: number, handle: string, reasons = {}): FlxpointEvent => ({
  type: 'read',
  at: at(minutes),
  po: { id: ID, purchaseOrderNumber: 'FLX-1', purchaseOrderStatus: { handle }, ...reasons },
  answering: 'poll',
});
const created = (minutes: number, handle = 'unprocessed'): FlxpointEvent => ({
  ...(read(minutes, handle) as Extract<FlxpointEvent, { type: 'read' }>),
  type: 'created',
  adopted: false,
});

test("accepted, moved to a status that needs attention, then voided: opened, needs_attention with Flxpoint's reason, cancelled", () => {
  const po = new FlxpointPo().apply(
    created(1),
    read(2, 'processing'),
    read(4, 'processing_error', { processingErrorReason: 'Source rejected SKU WIDGET-1' }),
    read(8, 'voided', { voidedReason: 'out of stock' }),
  );
  const sent = po.drain();
  expect(sent.map((n) => [n.id, n.event?.type, n.event?.occurredAt])).toEqual([
    [`${WORKFLOW_ID}#1`, 'purchase_order.opened', at(1)],
    [`${WORKFLOW_ID}#2`, 'purchase_order.needs_attention', at(4)],
    [`${WORKFLOW_ID}#3`, 'purchase_order.cancelled', at(8)],
  ]);
  expect(sent[0]).toMatchObject({
    purchaseOrder: { name: 'FLX-1', provider: 'flxpoint', workflowId: WORKFLOW_ID, providerId: ID, status: 'open' }, // prettier-ignore
    event: {
      data: {
        provider_id: ID,
        flxpoint_status: 'unprocessed',
        order_id: 5001,
        source_id: 77,
        lines: [
          { order_item_id: 9001, sku: 'WIDGET-1', inventory_variant_id: null, units: 3 },
          { order_item_id: 9002, sku: null, inventory_variant_id: 4242, units: 2 },
        ],
      },
    },
  });
  // No cost, no address: the ERP has them, and bodies are not the place for commercial data.
  expect(JSON.stringify(sent)).not.toMatch(/cost|Jacksonville|example\.com/);
  expect(sent[1]!.event!.data).toEqual({
    during: 'read',
    provider_status: null,
    provider_message: 'Source rejected SKU WIDGET-1',
    flxpoint_status: 'processing_error',
  });
  expect(sent[2]!.event!.data).toEqual({ cause: 'Flxpoint status voided: out of stock', flxpoint_status: 'voided' }); // prettier-ignore
});

test('a refused create needs attention with the HTTP status and message; the amended PO Flxpoint accepts is opened, not amended', () => {
  const po = new FlxpointPo().apply({ type: 'refused', at: at(1), during: 'create', status: 401, message: 'Missing or invalid X-API-TOKEN' }); // prettier-ignore
  const amended = { ...po.state.po, note: 'second try' };
  po.apply({ type: 'amend_requested', at: at(5), po: amended }, created(6));
  const sent = po.drain();
  expect(sent.map((n) => [n.event?.type, n.event?.data])).toEqual([
    ['purchase_order.needs_attention', { during: 'create', provider_status: 401, provider_message: 'Missing or invalid X-API-TOKEN', flxpoint_status: null }], // prettier-ignore
    ['purchase_order.opened', expect.objectContaining({ provider_id: ID })],
  ]);
});

test("a PO left in needs_attention alerts people once, with Flxpoint's reason", () => {
  const po = new FlxpointPo({ needsAttentionAlertHours: 2 }).apply(
    created(1),
    read(2, 'additional_info_required'),
  );
  po.drain();
  expect(po.outbox.deadline(po.state)).toBe(at(122));
  po.outbox.deadlineReached(po.state, at(122));
  const [alert] = po.drain();
  expect(alert).toMatchObject({
    id: `${WORKFLOW_ID}#3`,
    alert: { kind: 'needs_attention', poName: 'FLX-1' },
  });
  expect(alert!.alert!.message).toBe(
    `Purchase order FLX-1 has needed attention since ${at(2)}: Flxpoint needs additional information for the purchase order`,
  );
  expect(po.outbox.deadline(po.state)).toBeUndefined();
});

test('a PO set not to notify the ERP tells it nothing; a PO already open when notifications began is not opened again', () => {
  const quiet = new FlxpointPo({ notifyErp: false }).apply(created(1), read(2, 'canceled'));
  expect(quiet.drain()).toEqual([]);

  const po = new FlxpointPo().apply(created(1));
  const outbox = new NotificationOutbox(WORKFLOW_ID, po.state, {});
  const next = reduceFlxpoint(po.state, read(2, 'canceled')).state;
  outbox.record(po.state, next, flxpointNotificationsFor(po.state, next, at(2), outbox.announced), at(2));
  expect(outbox.view().next.map((n) => n.type)).toEqual(['purchase_order.cancelled']);
});
