/**
 * Flexport as the reconciler's event feed: its event log, and the POs on a shipment (which the
 * receiver's adoption of unknown POs looks up too).
 */
import type { FlexportClient } from '../../activities/flexport/client';
import { purchaseOrderNamesOf } from '../routing';
import type { EventFeed } from './activities';

/** Flexport's event log as a feed: `f.occurred_at.gte`, then the `next` links. */
export function flexportEventFeed(flexport: FlexportClient): EventFeed {
  return {
    async eventPage(from) {
      return flexport.listEvents('next' in from ? { cursor: from.next } : { occurredAfter: from.since });
    },
    shipmentPoNames: (shipmentId) => shipmentPurchaseOrderNames(flexport, shipmentId),
  };
}

/**
 * The names of the POs on a Flexport shipment: its `metadata.purchase_order` when it has them;
 * otherwise through its booking, whose booking line items point at their POs (metadata is the
 * customer's own field, so a shipment booked by hand or by another integration may have none).
 */
export async function shipmentPurchaseOrderNames(
  flexport: FlexportClient,
  shipmentId: number,
): Promise<string[]> {
  const shipment = await flexport.getShipment(shipmentId);
  const named = purchaseOrderNamesOf(shipment);
  if (named.length > 0 || !shipment.booking) return named;
  const lines = await flexport.listBookingLineItems(shipment.booking.id);
  const poIds = [...new Set(lines.flatMap((line) => (line.purchase_order ? [line.purchase_order.id] : [])))];
  const names: string[] = [];
  for (const id of poIds) names.push((await flexport.getPurchaseOrder(id)).name);
  return names;
}
