/**
 * POs that poflow did not create, made at the sandbox the way people and other integrations make
 * them: through the provider's UI (the sandbox's admin side) and its public booking API, with the
 * counterpart acknowledging, confirming and shipping.
 */
import { FlexportClient } from '../../activities/flexport/client';
import { SandboxCounterpart } from '../../client/sandbox-counterpart';
import type { ProviderEvent } from '../../workflows/flexport/provider-event';
import { samplePurchaseOrder } from './purchase-orders';

export const PROVIDER_STATES = ['open', 'acknowledged', 'partly_booked', 'shipped'] as const;
export type ProviderState = (typeof PROVIDER_STATES)[number];

export interface MadeAtProvider {
  id: number;
  lineItemIds: Record<string, number>;
  shipmentId?: number;
}

/**
 * A sample PO (lines A: 500 and B: 200 units) made in the provider's UI and brought to `state`
 * there; `poMetadata: false` ships it on a shipment whose metadata does not name it.
 */
export async function madeAtProvider(
  sandboxUrl: string,
  name: string,
  state: ProviderState,
  { today = Date.now(), poMetadata = true } = {},
): Promise<MadeAtProvider> {
  const counterpart = new SandboxCounterpart(sandboxUrl);
  const flexport = new FlexportClient({ baseUrl: sandboxUrl, apiToken: 'sandbox' });
  const po = samplePurchaseOrder(name, today);
  const made: MadeAtProvider = await counterpart.createPurchaseOrder(po);
  if (state === 'open') return made;
  await counterpart.acknowledge(made.id);
  if (state === 'acknowledged') return made;
  const booking = await flexport.createBooking({
    name: `${name}-UI-1`,
    shipper_entity_ref: 'shenzhen-widgets',
    consignee_entity_ref: 'acme-us',
    origin_address_ref: 'lex_corp_warehouse',
    destination_address_ref: 'los_angeles',
    cargo_ready_date: po.cargo_ready_date!,
    ocean_booking: { origin_port_loc_code: 'CNYTN', destination_port_loc_code: 'USLAX' },
  });
  // Partly booked: 200 of line A's 500 units; shipped: everything, confirmed and departed.
  const lines: [string, number][] = state === 'partly_booked' ? [['A', 200]] : [['A', 500], ['B', 200]]; // prettier-ignore
  for (const [itemKey, units] of lines) {
    await flexport.createBookingLineItem({ booking_id: booking.id, purchase_order_line_item_id: made.lineItemIds[itemKey]!, units }); // prettier-ignore
  }
  if (state === 'partly_booked') return made;
  const shipmentId = await counterpart.confirmBooking(booking.id, { poMetadata });
  await counterpart.advanceShipment(shipmentId, 'departed');
  return { ...made, shipmentId };
}

/** Every event the sandbox logged that `keep` keeps, oldest first (its whole `GET /events` log, page by page). */
export async function providerEvents(
  sandboxUrl: string,
  keep: (event: ProviderEvent) => boolean,
): Promise<ProviderEvent[]> {
  const flexport = new FlexportClient({ baseUrl: sandboxUrl, apiToken: 'sandbox' });
  const events: ProviderEvent[] = [];
  let page = await flexport.listEvents({});
  for (;;) {
    events.push(...page.events.filter(keep));
    if (!page.next) return events;
    page = await flexport.listEvents({ cursor: page.next });
  }
}
