/**
 * The provider's other side in the sandbox (its `/_sandbox` admin endpoints): what the seller and
 * the forwarder do in real life. Used by `poflow demo`; the sandbox turns each step into the
 * webhook events a real provider would send.
 */
import got, { type Got } from 'got';
import { z } from 'zod';
import type { ShipmentMilestone } from '../sandbox/enums';

const Envelope = <T extends z.ZodType>(data: T) => z.looseObject({ data });
const CreatedPurchaseOrder = Envelope(
  z.looseObject({
    id: z.number().int(),
    line_items: z.looseObject({
      data: z.array(z.looseObject({ id: z.number().int(), item_key: z.string() })),
    }),
  }),
);
const ConfirmedBooking = Envelope(z.looseObject({ shipment: z.looseObject({ id: z.number().int() }) }));

export class SandboxCounterpart {
  private readonly http: Got;

  constructor(readonly baseUrl: string) {
    this.http = got.extend({
      prefixUrl: `${baseUrl.replace(/\/+$/, '')}/_sandbox`,
      timeout: { request: 10_000 },
      retry: { limit: 0 },
    });
  }

  /** Fails clearly when the base URL is not a poflow sandbox (e.g. the real provider). */
  async check(): Promise<void> {
    try {
      await this.http.get('network');
    } catch (err) {
      throw new Error(
        `no poflow sandbox answers at ${this.baseUrl} (${(err as Error).message}); ` +
          'start one with poflow start or poflow sandbox',
      );
    }
  }

  /**
   * A PO made by a person in the provider's UI (or by another integration), not by poflow: the
   * same rules and `/purchase_order#created` event as the API's create. Answers its provider id
   * and its line item ids by item_key.
   */
  async createPurchaseOrder(po: object): Promise<{ id: number; lineItemIds: Record<string, number> }> {
    const body = await this.http.post('purchase_orders', { json: po }).json();
    const { id, line_items } = CreatedPurchaseOrder.parse(body).data;
    return { id, lineItemIds: Object.fromEntries(line_items.data.map((l) => [l.item_key, l.id])) };
  }

  /** The seller acknowledges the PO (its provider id). */
  async acknowledge(purchaseOrderId: number): Promise<void> {
    await this.http.post(`purchase_orders/${purchaseOrderId}/acknowledge`, { json: {} });
  }

  /**
   * The forwarder confirms a booking; answers the id of the shipment it creates. `poMetadata:
   * false` leaves the PO names out of the shipment's metadata, as a booking made by hand may.
   */
  async confirmBooking(bookingId: number, { poMetadata = true } = {}): Promise<number> {
    const json = poMetadata ? {} : { purchase_order_metadata: false };
    const body = await this.http.post(`bookings/${bookingId}/confirm`, { json }).json();
    return ConfirmedBooking.parse(body).data.shipment.id;
  }

  /** The shipment moves through every milestone up to and including `to`. */
  async advanceShipment(shipmentId: number, to: ShipmentMilestone): Promise<void> {
    await this.http.post(`shipments/${shipmentId}/advance`, { json: { to } });
  }
}
