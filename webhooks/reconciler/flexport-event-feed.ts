/**
 * Flexport as the reconciler's event feed: its event log, and the POs on a shipment (which the
 * receiver's adoption of unknown POs looks up too).
 *
 * The log is read here page by page as Flexport lists it, each event unparsed: the walk parses
 * every event on its own, so one event the envelope schema refuses is tried again and then
 * dead-lettered instead of failing the whole page (`FlexportClient.listEvents` validates the
 * page at once). Same headers, metrics and failure mapping as the client (activities/http.ts).
 */
import { z } from 'zod';
import type { FlexportClient, FlexportClientOptions } from '../../activities/flexport/client';
import { parseResponse, providerHttp, toFailure } from '../../activities/http';
import { purchaseOrderNamesOf } from '../routing';
import type { EventFeed } from './activities';

const Response = z.looseObject({ _object: z.literal('/api/response'), data: z.unknown() });
const EventPage = z.looseObject({
  _object: z.literal('/api/collections/paginated'),
  next: z.string().nullish(),
  data: z.array(z.unknown()),
});

/**
 * Flexport's event log as a feed: `f.occurred_at.gte`, then the `next` links, read with the
 * client's connection options; shipment lookups go through the client.
 */
export function flexportEventFeed(flexport: FlexportClient, options: FlexportClientOptions): EventFeed {
  const http = providerHttp('flexport', {
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiToken}`, 'flexport-version': '3' },
    timeoutMs: options.timeoutMs,
  });
  return {
    async eventPage(from) {
      const url = 'next' in from ? from.next : 'events';
      let body: unknown;
      try {
        body = await (
          'next' in from
            ? // A `next` link goes out exactly as Flexport wrote it.
              http(from.next, { prefixUrl: '' })
            : http('events', {
                searchParams: {
                  ...(from.since === undefined ? {} : { 'f.occurred_at.gte': from.since }),
                  direction: 'asc',
                  per: 100,
                },
              })
        ).json();
      } catch (err) {
        throw toFailure(err, 'GET', url);
      }
      const page = parseResponse(EventPage, parseResponse(Response, body).data, 'flexport');
      return { events: page.data, next: page.next ?? undefined };
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
