/**
 * Adoption: a PO poflow did not create (made in the provider's UI, or by an older integration)
 * taken under its workflow in the state the provider shows. The provider's side is the truth: the
 * state is built from its snapshot and nothing is sent back (no create, no update) until an
 * operator asks for a change. Pure and workflow-safe, like the reducer.
 */
import type { AdoptionRecord } from '../core/adoption';
import {
  MILESTONES,
  type BookingState,
  type LineBooking,
  type Milestone,
  type PoState,
  type ShipmentState,
} from './state';
import { parsePurchaseOrder, type PurchaseOrder } from './purchase-order';
import { type Provider } from '../core/choices';
import { parseWith } from '../core/parsing';
import { PoSettings, type PoSettingsInput } from '../core/settings';
import { purchaseOrderRejected } from '../core/workflow-support';

/** What the provider showed of a PO when poflow adopted it. */
export interface AdoptionSnapshot {
  provider: Provider;
  providerId: number;
  version?: number;
  /** When the provider created the PO and last changed it. */
  createdAt: string;
  updatedAt?: string;
  acknowledgedAt?: string;
  /** Provider line item id per item_key: bookings point at them. */
  lineItemIds: Record<string, number>;
  /** Bookings that carry units of this PO (archived ones left out), with this PO's units only. */
  bookings: {
    providerId: number;
    name: string;
    status: string;
    shipmentId?: number;
    createdAt: string;
    lines: { itemKey: string; units: number }[];
  }[];
  /** The shipments of those bookings and the dates they reached each milestone. */
  shipments: { id: number; milestones: Partial<Record<Milestone, string>> }[];
  /** What led to the adoption: `poflow adopt`, or the event about a PO poflow did not follow. */
  trigger: string;
}

/**
 * The lifecycle of an adopted PO: `open`, or `booked` when the provider holds a booking for it;
 * acknowledged, booked units per line, shipments and milestones as the provider shows them. The
 * flags (`bookingOverdue`, `late`) are left to the deadlines, which are derived as for any PO and
 * fire at once when their date is already behind.
 */
export function adoptLifecycle(
  snapshot: AdoptionSnapshot,
  po: PurchaseOrder,
  settings: PoSettings,
  at: string,
): PoState {
  const bookings: BookingState[] = snapshot.bookings.map((b) => ({
    name: b.name,
    providerId: b.providerId,
    status: b.status,
    shipmentId: b.shipmentId,
    lines: b.lines,
    createdAt: b.createdAt,
  }));
  const shipments: ShipmentState[] = snapshot.shipments.map((s) => ({
    id: s.id,
    milestones: { ...s.milestones },
  }));
  const status = bookings.length > 0 ? 'booked' : 'open';
  const adopted: AdoptionRecord = {
    at,
    provider: snapshot.provider,
    providerId: snapshot.providerId,
    version: snapshot.version,
    providerUpdatedAt: snapshot.updatedAt,
    trigger: snapshot.trigger,
  };
  return {
    provider: snapshot.provider,
    name: po.name,
    po,
    settings,
    status,
    createdAt: at,
    acknowledged: Boolean(snapshot.acknowledgedAt),
    bookingOverdue: false,
    late: false,
    milestones: purchaseOrderMilestones(shipments),
    providerId: snapshot.providerId,
    providerVersion: snapshot.version,
    lines: po.line_items.map((item) => {
      const bookedUnits = bookings
        .flatMap((b) => b.lines)
        .reduce((sum, l) => (l.itemKey === item.item_key ? sum + l.units : sum), 0);
      const booking: LineBooking =
        bookedUnits === 0 ? 'unbooked' : bookedUnits >= item.units ? 'full' : 'partial';
      return {
        itemKey: item.item_key,
        units: item.units,
        bookedUnits,
        booking,
        providerId: snapshot.lineItemIds[item.item_key],
      };
    }),
    bookings,
    shipments,
    waitsForProviderCalls: true,
    writesInFlight: 0,
    acceptedPo: po,
    history: [{ at, from: status, to: status, change: 'adopted', cause: adoptionCause(snapshot, status) }],
    quietSince: at,
    seenEventIds: [],
    eventsApplied: 0,
    ignoredEvents: [],
    adopted,
  };
}

/** One line for the history and the Web UI: what the provider showed, and why poflow took it. */
export function adoptionCause(snapshot: AdoptionSnapshot, status: string): string {
  const version = snapshot.version === undefined ? '' : ` version ${snapshot.version}`;
  const facts = [
    snapshot.acknowledgedAt ? `acknowledged ${snapshot.acknowledgedAt}` : 'not acknowledged',
    `${snapshot.bookings.length} booking(s)`,
    `${snapshot.shipments.length} shipment(s)`,
  ];
  return (
    `adopted as ${status} from ${snapshot.provider} purchase order ${snapshot.providerId}${version} ` +
    `(created there ${snapshot.createdAt}; ${facts.join(', ')}); ${snapshot.trigger}`
  );
}

/**
 * The PO's own milestones: departed, arrived and released when its first shipment did; delivered
 * in full when every shipment was, at the last of those dates.
 */
function purchaseOrderMilestones(shipments: ShipmentState[]): PoState['milestones'] {
  const milestones: PoState['milestones'] = {};
  for (const milestone of MILESTONES) {
    const dates = shipments.map((s) => s.milestones[milestone]);
    const reached = dates.filter((d): d is string => d !== undefined).sort();
    if (reached.length === 0) continue;
    if (milestone !== 'delivered_in_full') milestones[milestone] = reached[0];
    else if (reached.length === shipments.length) milestones[milestone] = reached.at(-1);
  }
  return milestones;
}

/**
 * The workflow's start from a snapshot: the PO and settings checked as for a submission (no date
 * rule: the provider took the PO long ago).
 */
export function startAdopted(
  snapshot: AdoptionSnapshot,
  rawPo: unknown,
  rawSettings: PoSettingsInput | undefined,
  at: string,
): { state: PoState; commands: [] } {
  const po = parsePurchaseOrder(rawPo);
  const settings = parseWith(PoSettings, rawSettings ?? {});
  if (!po.ok || !settings.ok) {
    throw purchaseOrderRejected([...(po.ok ? [] : po.issues), ...(settings.ok ? [] : settings.issues)]);
  }
  return { state: adoptLifecycle(snapshot, po.value, settings.value, at), commands: [] };
}
