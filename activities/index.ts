/**
 * The PO workflow's activities, built from their dependencies so tests hand in real clients
 * pointed at the sandbox and an alert sink that records.
 */
import { Context, log } from '@temporalio/activity';
import type { FlxpointPoSnapshot } from '../workflows/flxpoint-lifecycle';
import type { FlxpointPurchaseOrder } from '../workflows/flxpoint-purchase-order';
import type {
  Alert,
  BookingPlan,
  FallbackRead,
  Milestone,
  ProviderSnapshot,
  SubmissionIntent,
} from '../workflows/lifecycle';
import type { PurchaseOrder } from '../workflows/purchase-order';
import type { CreateBookingBody, FlexportClient, FlexportShipment } from './flexport';
import type { FlxpointClient, FlxpointPo } from './flxpoint';
import { alertsRaised } from '../worker/metrics';
import { createNotificationActivities, NO_NOTIFICATIONS, type AlertSink, type NotifyDeliveryConfig } from './notifications'; // prettier-ignore
import { RequestPacer } from './pacer';
import type { Logger } from 'pino';

export { FlexportClient } from './flexport';
export { FlxpointClient } from './flxpoint';
export type { AlertSink, NotifyDeliveryConfig } from './notifications';

/** The default sink: one warning per alert in poflow's log, for the log pipeline. */
export function loggedAlerts(logger: Logger): AlertSink {
  return { raise: (alert) => logger.warn(alert, 'purchase order alert') };
}

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

/** `notify`: the ERP endpoints and the alert webhook; none when unset (alerts still go to `alerts`). */
export function createActivities(deps: {
  flexport: FlexportClient;
  alerts: AlertSink;
  notify?: NotifyDeliveryConfig;
}) {
  const { flexport, alerts } = deps;
  return {
    ...createNotificationActivities({ notify: deps.notify ?? NO_NOTIFICATIONS, alerts }),
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
     * Idempotent on retry: looks for the booking by name before creating it, and for each booking
     * line item before adding it, so an attempt that died halfway is finished, not repeated.
     */
    async bookPurchaseOrder(plan: BookingPlan): Promise<BookingResult> {
      const booking =
        (await flexport.findBookingByName(plan.name)) ?? (await flexport.createBooking(bookingBody(plan)));
      const existing = await flexport.listBookingLineItems(booking.id);
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
      log.info('purchase order read after a quiet spell', { id: po.id, status: po.status, shipments: shipments.length }); // prettier-ignore
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

    async raiseAlert(alert: Alert): Promise<void> {
      await alerts.raise(alert);
      alertsRaised.inc({ kind: alert.kind });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Flxpoint allows 2 requests per second per token. The Flxpoint activities send theirs at least
 * this far apart (2 a second less 10 %, a margin for the time a request takes to arrive), so any
 * 5 seconds carry at most 10 of them: docs/flxpoint.md.
 */
export const FLXPOINT_REQUEST_SPACING_MS = 550;

/**
 * The Flxpoint activities, served on their own rate-limited task queue. Each makes exactly one
 * request, after taking its turn from one pacer that every PO on this worker shares.
 */
export function createFlxpointActivities(deps: { flxpoint: FlxpointClient }) {
  const { flxpoint } = deps;
  const pacer = new RequestPacer(FLXPOINT_REQUEST_SPACING_MS);
  const turn = () => pacer.turn(Context.current().cancellationSignal);
  return {
    async createFlxpointPurchaseOrder(
      body: FlxpointPurchaseOrder,
    ): Promise<{ outcome: 'created'; po: FlxpointPoSnapshot } | { outcome: 'number_in_use' }> {
      await turn();
      const created = await flxpoint.createPurchaseOrder(body);
      if (created.outcome === 'number_in_use') return created;
      log.info('Flxpoint purchase order created', {
        number: created.po.purchaseOrderNumber,
        id: created.po.id,
      });
      return { outcome: 'created', po: snapshot(created.po) };
    },

    /** After a 409: the PO that holds the number, if it is this order's. */
    async adoptFlxpointPurchaseOrder(body: FlxpointPurchaseOrder): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.adoptPurchaseOrder(body));
    },

    async readFlxpointPurchaseOrder(id: number): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.getPurchaseOrder(id));
    },

    async cancelFlxpointPurchaseOrder(input: { id: number; reason: string }): Promise<FlxpointPoSnapshot> {
      await turn();
      return snapshot(await flxpoint.cancelPurchaseOrder(input.id, input.reason));
    },
  };
}

export type FlxpointActivities = ReturnType<typeof createFlxpointActivities>;

/** Only what the workflow keeps goes into its history: not addresses, not items. */
function snapshot(po: FlxpointPo): FlxpointPoSnapshot {
  return {
    id: po.id,
    purchaseOrderNumber: po.purchaseOrderNumber,
    purchaseOrderStatus: { handle: po.purchaseOrderStatus.handle },
    processingErrorReason: po.processingErrorReason,
    cancelReason: po.cancelReason,
    voidedReason: po.voidedReason,
  };
}

const MILESTONE_DATE_FIELDS = {
  departed: 'actual_departure_date',
  arrived: 'actual_arrival_date',
  customs_released: 'customs_release_date',
  delivered_in_full: 'actual_delivered_in_full_date',
} as const satisfies Record<Milestone, keyof FlexportShipment>;

/** The milestones the shipment's actual dates say it has reached, and when. */
export function milestoneDates(shipment: FlexportShipment): Partial<Record<Milestone, string>> {
  return Object.fromEntries(
    Object.entries(MILESTONE_DATE_FIELDS).flatMap(([milestone, field]) => {
      const date = shipment[field];
      return date ? [[milestone, date]] : [];
    }),
  );
}

/** The v2 booking body: one mode-specific section carrying the port codes the PO names. */
function bookingBody(plan: BookingPlan): CreateBookingBody {
  const body: CreateBookingBody = {
    name: plan.name,
    shipper_entity_ref: plan.shipperRef,
    consignee_entity_ref: plan.consigneeRef,
    origin_address_ref: plan.originLocationRef,
    destination_address_ref: plan.destinationLocationRef ?? null,
    cargo_ready_date: plan.cargoReadyDate,
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
