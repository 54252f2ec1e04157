/**
 * Flexport's activities on the PO task queue: submit (create or update) a PO, book it, and read
 * it back after a quiet spell. Each is safe to retry: it finds what an earlier attempt made first.
 */
import { heartbeat, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../../workflows/core/provider-failures';
import type {
  BookingPlan,
  FallbackRead,
  ProviderSnapshot,
  SubmissionIntent,
} from '../../workflows/flexport/state';
import type { PurchaseOrder } from '../../workflows/flexport/purchase-order';
import type { CreateBookingBody, FlexportBooking, FlexportClient } from './client';
import { milestoneDates } from './shipment-milestones';

export interface SubmissionResult {
  providerId: number;
  version?: number;
  /** Provider line item id per item_key: bookings are made against them. */
  lineItemIds: Record<string, number>;
}

export interface BookingResult {
  name: string;
  providerId: number;
  status: string;
  shipmentId?: number;
  lines: { itemKey: string; units: number }[];
}

export function createFlexportActivities(deps: { flexport: FlexportClient }) {
  const { flexport } = deps;
  return {
    /** Create-or-update is keyed by name, buyer and seller, so a retry never makes a second PO. */
    async submitPurchaseOrder(input: {
      intent: SubmissionIntent;
      body: PurchaseOrder;
    }): Promise<SubmissionResult> {
      const po = await flexport.createOrUpdatePurchaseOrder(input.body);
      const lines = await flexport.listPurchaseOrderLineItems(po.id);
      log.info('purchase order submitted', {
        intent: input.intent,
        name: po.name,
        id: po.id,
        status: po.status,
      });
      return {
        providerId: po.id,
        version: po.purchase_order_version?.version_number,
        lineItemIds: Object.fromEntries(lines.map((line) => [line.item_key, line.id])),
      };
    },

    /**
     * Idempotent on retry: looks for this PO's booking of that name before creating it, and for
     * each booking line item before adding it, so an attempt that died halfway is finished, not
     * repeated. A booking of that name that is not this PO's is refused, never joined.
     */
    async bookPurchaseOrder(plan: BookingPlan): Promise<BookingResult> {
      const found = await ownBooking(flexport, plan);
      const booking = found?.booking ?? (await flexport.createBooking(bookingBody(plan)));
      const existing = found?.lines ?? [];
      for (const line of plan.lines) {
        if (existing.some((e) => e.purchase_order_line_item.id === line.purchaseOrderLineItemId)) continue;
        await flexport.createBookingLineItem({
          booking_id: booking.id,
          purchase_order_line_item_id: line.purchaseOrderLineItemId,
          units: line.units,
        });
      }
      log.info('booking created', { name: booking.name, id: booking.id, po: plan.purchaseOrderId });
      return {
        name: booking.name,
        providerId: booking.id,
        status: booking.status,
        shipmentId: booking.shipment?.id,
        lines: plan.lines.map(({ itemKey, units }) => ({ itemKey, units })),
      };
    },

    /**
     * The quiet check's fallback read: the PO, each booking poflow knows no shipment for (a
     * confirmed one names it), and every shipment. Read only: safe to retry.
     */
    async readPurchaseOrder(read: FallbackRead): Promise<ProviderSnapshot> {
      const po = await flexport.getPurchaseOrder(read.purchaseOrderId);
      const bookings: ProviderSnapshot['bookings'] = [];
      for (const id of read.bookingIds) {
        const booking = await flexport.getBooking(id);
        bookings.push({ providerId: booking.id, status: booking.status, shipmentId: booking.shipment?.id });
      }
      const confirmed = bookings.flatMap((b) => (b.shipmentId === undefined ? [] : [b.shipmentId]));
      const shipments: ProviderSnapshot['shipments'] = [];
      for (const id of new Set([...read.shipmentIds, ...confirmed])) {
        const shipment = await flexport.getShipment(id);
        shipments.push({ id, status: shipment.status ?? undefined, milestones: milestoneDates(shipment) });
      }
      log.info('purchase order read after a quiet spell', {
        id: po.id,
        status: po.status,
        shipments: shipments.length,
      });
      return {
        status: po.status,
        acknowledgedAt: po.acknowledged_at ?? undefined,
        version: po.purchase_order_version?.version_number,
        cargoReadyDate: po.cargo_ready_date ?? null,
        mustArriveDate: po.must_arrive_date ?? null,
        bookings,
        shipments,
      };
    },
  };
}

/**
 * Pages of 100 one booking-name lookup reads: a name belongs to one PO, so a name carried by more
 * bookings than this is refused rather than walked (each page must fit in the activity's minute).
 */
const BOOKING_NAME_PAGES = 2;

/** The booking metadata key that names the provider id of the PO a booking was made for. */
const PURCHASE_ORDER_MARK = 'poflow_purchase_order_id';

type BookingLineItem = Awaited<ReturnType<FlexportClient['listBookingLineItems']>>[number];

/**
 * The booking an earlier attempt made for this plan, with its line items: named as the plan, and
 * carrying units of this PO only, or none yet but marked as made for it (an attempt that died
 * before its first line item). Undefined when no booking has the name; any other booking of that
 * name (another PO's, or one made by hand) is a refusal.
 */
async function ownBooking(
  flexport: FlexportClient,
  plan: BookingPlan,
): Promise<{ booking: FlexportBooking; lines: BookingLineItem[] } | undefined> {
  const named = await flexport.bookingsNamed(plan.name, {
    maxPages: BOOKING_NAME_PAGES,
    onPage: () => heartbeat(),
  });
  if (named.more) {
    throw bookingNameInUse(
      `more than ${BOOKING_NAME_PAGES * 100} bookings are named ${plan.name} at Flexport: ` +
        'choose another booking name',
    );
  }
  if (named.bookings.length === 0) return undefined;
  const carriesThisPo = new Set(
    (await flexport.listPurchaseOrderBookingLineItems(plan.purchaseOrderId)).map((l) => l.booking.id),
  );
  heartbeat();
  for (const booking of named.bookings) {
    if (!carriesThisPo.has(booking.id) && !markedFor(booking, plan)) continue;
    const lines = await flexport.listBookingLineItems(booking.id);
    heartbeat();
    if (lines.every((line) => ofThisPo(line, plan))) return { booking, lines };
  }
  const ids = named.bookings.map((b) => b.id).join(', ');
  throw bookingNameInUse(
    `booking name ${plan.name} is already in use at Flexport (booking ${ids}) ` +
      `for something other than purchase order ${plan.purchaseOrderId}: choose another booking name`,
  );
}

function markedFor(booking: FlexportBooking, plan: BookingPlan): boolean {
  const mark = booking.metadata?.[PURCHASE_ORDER_MARK];
  return Array.isArray(mark) && mark.includes(String(plan.purchaseOrderId));
}

function ofThisPo(line: BookingLineItem, plan: BookingPlan): boolean {
  return line.purchase_order
    ? line.purchase_order.id === plan.purchaseOrderId
    : plan.lines.some((l) => l.purchaseOrderLineItemId === line.purchase_order_line_item.id);
}

/**
 * poflow's own refusal, typed like the provider's (the name conflicts, as a 409 would say):
 * retrying cannot help, and joining the booking would put this PO's units on someone else's.
 */
function bookingNameInUse(message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureTypes.rejected,
    message,
    details: [{ status: 409, code: 'booking_name_in_use' }],
    nonRetryable: true,
  });
}

/**
 * The v2 booking body: one mode-specific section carrying the port codes the PO names, and the
 * mark that tells a retry the booking is this PO's.
 */
function bookingBody(plan: BookingPlan): CreateBookingBody {
  const body: CreateBookingBody = {
    name: plan.name,
    shipper_entity_ref: plan.shipperRef,
    consignee_entity_ref: plan.consigneeRef,
    origin_address_ref: plan.originLocationRef,
    destination_address_ref: plan.destinationLocationRef ?? null,
    cargo_ready_date: plan.cargoReadyDate,
    metadata: { [PURCHASE_ORDER_MARK]: [String(plan.purchaseOrderId)] },
  };
  const ports = {
    ...portFields('origin', plan.originPort),
    ...portFields('destination', plan.destinationPort),
  };
  switch (plan.transportationMode) {
    case 'ocean':
      return { ...body, ocean_booking: ports };
    case 'air':
      return { ...body, air_booking: ports };
    case 'truck':
      return { ...body, trucking_booking: {} };
  }
}

const PORT_FIELD_SUFFIX = {
  unlocode: 'loc_code',
  iata: 'iata_code',
  icao: 'icao_code',
  us_cbp: 'us_cbp_port_code',
};

function portFields(end: 'origin' | 'destination', port: BookingPlan['originPort']): Record<string, string> {
  return port ? { [`${end}_port_${PORT_FIELD_SUFFIX[port.code_type]}`]: port.code } : {};
}
