/**
 * What Flexport tells about a PO (its events, and a snapshot read back) folded into the state:
 * provider ids and versions, amendments on its side, bookings confirmed, milestones reached.
 * Part of the pure reducer (`lifecycle.ts`).
 */
import type { ProviderEvent } from './provider-event';
import { transition } from '../core/status';
import { type PurchaseOrder } from './purchase-order';
import type { Milestone, PoState, ProviderSnapshot } from './state';
import { MILESTONES, flag, recordIgnored, stillWriting } from './state';

/**
 * Closed or cancelled at the provider. A create or amendment still in flight would reopen it there
 * when it lands, so the end is sent again once it is answered; an echo of our own end is taken at once.
 */
function providerEnded(state: PoState, status: 'cancelled' | 'closed', at: string, cause: string): PoState {
  const echo = state.pending?.intent === (status === 'closed' ? 'close' : 'cancel');
  if (stillWriting(state) && !echo) {
    const endRequested = { status, since: at, cause, by: 'provider' as const };
    return transition({ ...state, endRequested }, state.status, at, `${cause}; sent again once the ${state.pending?.intent ?? 'provider call'} in flight is answered`, `${status} at provider`); // prettier-ignore
  }
  return transition({ ...state, pending: undefined }, status, at, cause);
}

/** The provider id a `/purchase_order#created` or `#updated` event names, before the create's own answer. */
function withProviderId(state: PoState, event: ProviderEvent): PoState {
  if (!state.waitsForProviderCalls || state.providerId !== undefined) return state;
  const id = purchaseOrderOf(event).id;
  return typeof id === 'number' ? { ...state, providerId: id } : state;
}

/** Provider event types that change the lifecycle; anything else is recorded and ignored. */
const MILESTONE_EVENTS: Record<string, Milestone> = {
  '/shipment_leg#departed': 'departed',
  '/shipment_leg#arrived': 'arrived',
  '/shipment#customs_entry_release_status_released': 'customs_released',
  '/shipment#delivered_in_full': 'delivered_in_full',
};

/** One provider event, new to this PO: the shell has already dropped duplicates. */
export function providerEvent(state: PoState, event: ProviderEvent, at: string): PoState {
  const seen = { ...state, quietSince: at, eventsApplied: (state.eventsApplied ?? 0) + 1 };
  const cause = `provider event ${event.type} #${event.id}`;
  const when = event.occurred_at ?? at;
  const milestone = MILESTONE_EVENTS[event.type];
  if (milestone)
    return reachMilestone(
      withShipment(seen, shipmentIdOf(event)),
      shipmentIdOf(event),
      milestone,
      when,
      cause,
    );
  switch (event.type) {
    case '/purchase_order#acknowledged':
      return flag(seen, 'acknowledged', true, at, cause);
    case '/purchase_order#created':
    case '/purchase_order#updated':
      return providerAmended(
        withProviderId(seen, event),
        versionOf(event),
        purchaseOrderOf(event),
        at,
        cause,
      );
    case '/purchase_order#closed':
      return providerEnded(seen, 'closed', at, cause);
    case '/purchase_order#cancelled':
      return providerEnded(seen, 'cancelled', at, cause);
    case '/shipment#created':
      return withShipment(seen, shipmentIdOf(event));
    case '/shipment#booking_confirmed': {
      const bookingId =
        numberAt(event.data, ['booking', 'id']) ?? numberAt(event.data, ['resource', 'booking', 'id']);
      const shipmentId = shipmentIdOf(event);
      return bookingConfirmed(withShipment(seen, shipmentId), bookingId, shipmentId, at, cause);
    }
    default:
      return recordIgnored(seen, event, at, 'unknown event type');
  }
}

/** A change made at the provider (its UI, another integration): dates and version follow it. */
function providerAmended(
  state: PoState,
  version: number | undefined,
  resource: Record<string, unknown>,
  at: string,
  cause: string,
): PoState {
  if (version !== undefined && state.providerVersion !== undefined && version <= state.providerVersion) {
    return state; // an older snapshot arriving late
  }
  const po: PurchaseOrder = {
    ...state.po,
    cargo_ready_date: dateField(resource, 'cargo_ready_date', state.po.cargo_ready_date),
    must_arrive_date: dateField(resource, 'must_arrive_date', state.po.must_arrive_date),
  };
  const next = { ...state, po, providerVersion: version ?? state.providerVersion };
  return transition(next, next.status, at, cause, 'amended at provider');
}

function bookingConfirmed(
  state: PoState,
  bookingId: number | undefined,
  shipmentId: number | undefined,
  at: string,
  cause: string,
): PoState {
  const bookings = state.bookings.map((b) =>
    b.providerId === bookingId ? { ...b, status: 'booked', shipmentId: shipmentId ?? b.shipmentId } : b,
  );
  // A booking made outside poflow (the provider's UI) still makes the PO booked.
  return transition({ ...state, bookings }, 'booked', at, cause, 'booking confirmed');
}

/** Milestones a shipment's status proves when its actual dates are missing. */
const STATUS_MILESTONES: Record<string, Milestone[]> = {
  in_transit_to_arrival_port: ['departed'],
  arrival_port: ['departed', 'arrived'],
  in_transit_to_final_destination: ['departed', 'arrived'],
  final_destination: ['departed', 'arrived'],
};

/**
 * What a fallback read proves, applied the way the events it stands for would be, never undoing
 * anything: acknowledged, a newer version's dates, bookings confirmed, milestones, closed or
 * cancelled.
 */
export function providerSnapshot(state: PoState, snapshot: ProviderSnapshot, at: string): PoState {
  const cause = `fallback read of purchase order ${state.providerId} at ${state.provider}`;
  let next = state;
  if (snapshot.acknowledgedAt) next = flag(next, 'acknowledged', true, at, cause);
  const version = snapshot.version;
  if (version !== undefined && (next.providerVersion === undefined || version > next.providerVersion)) {
    const dates = { cargo_ready_date: snapshot.cargoReadyDate, must_arrive_date: snapshot.mustArriveDate };
    next = providerAmended(next, version, dates, at, cause);
  }
  for (const booking of snapshot.bookings) {
    const known = next.bookings.find((b) => b.providerId === booking.providerId);
    if (booking.shipmentId === undefined || known?.shipmentId !== undefined) continue;
    next = bookingConfirmed(withShipment(next, booking.shipmentId), booking.providerId, booking.shipmentId, at, cause); // prettier-ignore
  }
  for (const shipment of snapshot.shipments) {
    next = withShipment(next, shipment.id);
    const proven = STATUS_MILESTONES[shipment.status ?? ''] ?? [];
    for (const milestone of MILESTONES) {
      const when = shipment.milestones[milestone] ?? (proven.includes(milestone) ? at : undefined);
      if (when) next = reachMilestone(next, shipment.id, milestone, when, cause);
    }
  }
  if (snapshot.status === 'closed' || snapshot.status === 'cancelled') {
    next = providerEnded(next, snapshot.status, at, cause);
  }
  return next;
}

function withShipment(state: PoState, id: number | undefined): PoState {
  if (id === undefined || state.shipments.some((s) => s.id === id)) return state;
  return { ...state, shipments: [...state.shipments, { id, milestones: {} }] };
}

function reachMilestone(
  state: PoState,
  shipmentId: number | undefined,
  milestone: Milestone,
  when: string,
  cause: string,
): PoState {
  const shipments = state.shipments.map((s) =>
    s.id === shipmentId && !s.milestones[milestone]
      ? { ...s, milestones: { ...s.milestones, [milestone]: when } }
      : s,
  );
  const next = { ...state, shipments };
  if (next.milestones[milestone]) return next;
  // Departed, arrived, released: the first shipment to get there. Delivered in full: all of them.
  const reached =
    milestone !== 'delivered_in_full' ||
    shipments.length === 0 ||
    shipments.every((s) => s.milestones[milestone]);
  if (!reached) return next;
  return transition({ ...next, milestones: { ...next.milestones, [milestone]: when } }, next.status, when, cause, milestone); // prettier-ignore
}

function valueAt(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function numberAt(value: unknown, path: string[]): number | undefined {
  const found = valueAt(value, path);
  return typeof found === 'number' ? found : undefined;
}

function shipmentIdOf(event: ProviderEvent): number | undefined {
  return (
    numberAt(event.data, ['shipment', 'id']) ??
    numberAt(event.data, ['resource', 'shipment', 'id']) ??
    (valueAt(event.data, ['resource', '_object']) === '/shipment'
      ? numberAt(event.data, ['resource', 'id'])
      : undefined)
  );
}

function purchaseOrderOf(event: ProviderEvent): Record<string, unknown> {
  const data = event.data as Record<string, unknown>;
  const resource = data.purchase_order ?? data.resource;
  return typeof resource === 'object' && resource !== null ? (resource as Record<string, unknown>) : {};
}

/** The PO snapshot's version number, as the create-or-update answer reports it too. */
function versionOf(event: ProviderEvent): number | undefined {
  return numberAt(event.data, ['purchase_order', 'purchase_order_version', 'version_number']);
}

function dateField(resource: Record<string, unknown>, key: string, fallback: string | null | undefined) {
  if (!(key in resource)) return fallback;
  const value = resource[key];
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}
