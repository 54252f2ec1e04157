/**
 * What Flexport tells about a PO (its events, and a snapshot read back) folded into the state:
 * provider ids and versions, amendments on its side, bookings confirmed, milestones reached.
 * Part of the pure reducer (`lifecycle.ts`).
 */
import type { ProviderEvent } from './provider-event';
import { transition } from '../core/status';
import { type PurchaseOrder } from './purchase-order';
import type { Milestone, PoState, ProviderCopy, ProviderSnapshot } from './state';
import { MILESTONES, flag, linesFor, providerTime, recordIgnored, stillWriting } from './state';

/**
 * Closed or cancelled at the provider. A create or amendment still in flight would reopen it there
 * when it lands, so the end is sent again once it is answered; an echo of our own end is taken at once.
 */
function providerEnded(
  state: PoState,
  status: 'cancelled' | 'closed',
  at: string,
  cause: string,
  version?: number,
  dates: ProviderCopy['dates'] = {},
): PoState {
  if (state.weighsOwnWrites) {
    if (stillWriting(state)) return withProviderCopy(state, { version, status, dates, at, cause });
    const older =
      version !== undefined && state.providerVersion !== undefined && version < state.providerVersion;
    if (!older) {
      // The PO ends as the provider holds it: its dates, not an amendment it refused.
      const providerVersion = Math.max(version ?? 0, state.providerVersion ?? 0) || undefined;
      const po = { ...(state.acceptedPo ?? state.po), ...dates, status: state.po.status };
      return transition(
        { ...state, po, lines: linesFor(po, state.lines), pending: undefined, providerVersion },
        status,
        at,
        cause,
      );
    }
    // poflow's own write landed after this end and reopened the PO there: the end is sent again.
    if (state.writtenVersion !== undefined && version < state.writtenVersion) {
      if (state.endRequested?.status === status) return state; // an operator's end of that kind is on its way
      const endRequested = { status, since: at, cause, by: 'provider' as const };
      return transition(
        { ...state, endRequested },
        state.status,
        at,
        `${cause}; poflow's later write reopened it there, so the end is sent again`,
        `${status} at provider`,
      );
    }
    return state; // reopened there since
  }
  const echo = state.pending?.intent === (status === 'closed' ? 'close' : 'cancel');
  if (stillWriting(state) && !echo) {
    const endRequested = { status, since: at, cause, by: 'provider' as const };
    return transition(
      { ...state, endRequested },
      state.status,
      at,
      `${cause}; sent again once the ${state.pending?.intent ?? 'provider call'} in flight is answered`,
      `${status} at provider`,
    );
  }
  return transition({ ...state, pending: undefined }, status, at, cause);
}

/**
 * What the provider shows while poflow's own writes are in flight is kept, not applied: it may be
 * the echo of one of them, or a change the next answer overwrites. Only the newest is kept; it is
 * weighed once every write is answered (`weighProviderCopy`).
 */
function withProviderCopy(state: PoState, copy: ProviderCopy): PoState {
  if (!newerVersion(copy.version, state.providerVersion)) return state; // older than what poflow knows
  if (state.providerCopy && !newerVersion(copy.version, state.providerCopy.version)) return state;
  return { ...state, providerCopy: copy };
}

/** Version `a` is newer than `b`; a version not reported counts as newer, so nothing shown is lost. */
function newerVersion(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || b === undefined || a > b;
}

/**
 * Every write answered: what the provider showed meanwhile counts if it is newer than poflow's last
 * accepted write (a change made there after it). An end older than that write was reopened by it,
 * so the end is sent again (`providerEnded`); older dates were poflow's own echo, or overwritten.
 */
export function weighProviderCopy(state: PoState, at: string): PoState {
  const copy = state.providerCopy;
  if (!copy || stillWriting(state)) return state;
  const next: PoState = { ...state, providerCopy: undefined };
  if (copy.status !== 'open')
    return providerEnded(next, copy.status, at, copy.cause, copy.version, copy.dates);
  return newerVersion(copy.version, next.providerVersion)
    ? providerAmended(next, copy.version, copy.dates, copy.at, copy.cause)
    : next;
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
  const when = providerTime(event.occurred_at, at);
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
    case '/purchase_order#updated': {
      const known = withProviderId(seen, event);
      if (known.weighsOwnWrites && stillWriting(known)) {
        return withProviderCopy(known, {
          version: versionOf(event),
          status: 'open',
          dates: datesOf(purchaseOrderOf(event)),
          at,
          cause,
        });
      }
      return providerAmended(known, versionOf(event), purchaseOrderOf(event), at, cause);
    }
    case '/purchase_order#closed':
    case '/purchase_order#cancelled': {
      const status = event.type === '/purchase_order#closed' ? 'closed' : 'cancelled';
      return providerEnded(seen, status, at, cause, versionOf(event), datesOf(purchaseOrderOf(event)));
    }
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
  // The provider's copy changed: an end sent later carries its dates, not the ones it replaced.
  const acceptedPo =
    state.weighsOwnWrites && state.acceptedPo
      ? { ...state.acceptedPo, cargo_ready_date: po.cargo_ready_date, must_arrive_date: po.must_arrive_date }
      : state.acceptedPo;
  const next = { ...state, po, acceptedPo, providerVersion: version ?? state.providerVersion };
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
  // A booking made outside poflow (the provider's UI) still makes the PO booked; a PO that needs
  // attention (a refused amendment) keeps saying so.
  const to = state.weighsOwnWrites && state.status !== 'open' ? state.status : 'booked';
  return transition({ ...state, bookings }, to, at, cause, 'booking confirmed');
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
  const dates = { cargo_ready_date: snapshot.cargoReadyDate, must_arrive_date: snapshot.mustArriveDate };
  // Read while poflow's writes are in flight: kept and weighed once they are answered.
  const copied = Boolean(next.weighsOwnWrites) && stillWriting(next);
  if (copied) {
    const status = snapshot.status === 'closed' || snapshot.status === 'cancelled' ? snapshot.status : 'open';
    next = withProviderCopy(next, { version, status, dates, at, cause });
  } else if (
    version !== undefined &&
    (next.providerVersion === undefined || version > next.providerVersion)
  ) {
    next = providerAmended(next, version, dates, at, cause);
  }
  for (const booking of snapshot.bookings) {
    const known = next.bookings.find((b) => b.providerId === booking.providerId);
    if (booking.shipmentId === undefined || known?.shipmentId !== undefined) continue;
    next = bookingConfirmed(
      withShipment(next, booking.shipmentId),
      booking.providerId,
      booking.shipmentId,
      at,
      cause,
    );
  }
  for (const shipment of snapshot.shipments) {
    next = withShipment(next, shipment.id);
    const proven = STATUS_MILESTONES[shipment.status ?? ''] ?? [];
    for (const milestone of MILESTONES) {
      const shown = shipment.milestones[milestone];
      const when =
        shown !== undefined ? providerTime(shown, at) : proven.includes(milestone) ? at : undefined;
      if (when) next = reachMilestone(next, shipment.id, milestone, when, cause);
    }
  }
  if (!copied && (snapshot.status === 'closed' || snapshot.status === 'cancelled')) {
    next = providerEnded(next, snapshot.status, at, cause, version, dates);
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
  return transition(
    { ...next, milestones: { ...next.milestones, [milestone]: when } },
    next.status,
    when,
    cause,
    milestone,
  );
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

/** The PO dates a provider resource shows (a key absent: not shown). */
function datesOf(resource: Record<string, unknown>): ProviderCopy['dates'] {
  const dates: ProviderCopy['dates'] = {};
  for (const key of ['cargo_ready_date', 'must_arrive_date'] as const) {
    if (key in resource) dates[key] = dateField(resource, key, null);
  }
  return dates;
}

/** A calendar date that exists (2030-02-30 does not), else none: a provider's dates are not trusted. */
function dateField(resource: Record<string, unknown>, key: string, fallback: string | null | undefined) {
  if (!(key in resource)) return fallback;
  const value = resource[key];
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value) ? value : null;
}
