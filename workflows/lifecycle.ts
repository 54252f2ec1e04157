/**
 * The purchase-order lifecycle as a pure reducer: `reduce(state, event)` returns the next state
 * and the commands the workflow shell must carry out (provider calls, alerts). No Temporal, no IO,
 * no clock: every event carries its own time, so the same events always give the same state.
 */
import type { ProviderEvent } from './messages';
import { partyRef, type Booking, type PoSettings, type Provider, type PurchaseOrder } from './purchase-order';
import type { AdoptionRecord } from './adoption';

export type PoStatus = 'submitting' | 'open' | 'needs_attention' | 'booked' | 'closed' | 'cancelled';
export const TERMINAL_STATUSES: readonly PoStatus[] = ['closed', 'cancelled'];

export const MILESTONES = ['departed', 'arrived', 'customs_released', 'delivered_in_full'] as const;
export type Milestone = (typeof MILESTONES)[number];
export type LineBooking = 'unbooked' | 'partial' | 'full';
/** Every provider write goes through the create-or-update endpoint with a full replacement body. */
export type SubmissionIntent = 'create' | 'amend' | 'close' | 'cancel';
export type DeadlineKind = 'cargo_ready_check' | 'must_arrive_check' | 'auto_close' | 'quiet_check';

export interface LineState {
  itemKey: string;
  units: number;
  bookedUnits: number;
  booking: LineBooking;
  providerId?: number;
}

export interface BookingState {
  name: string;
  providerId: number;
  /** The provider's booking status: draft, submitted, booked, shipment, archived. */
  status: string;
  shipmentId?: number;
  lines: { itemKey: string; units: number }[];
  createdAt: string;
}

export interface ShipmentState {
  id: number;
  milestones: Partial<Record<Milestone, string>>;
}

export interface HistoryEntry {
  at: string;
  from: PoStatus;
  to: PoStatus;
  /** What changed beside the status, e.g. `late`, `acknowledged`, `departed`. */
  change?: string;
  cause: string;
}

export interface ProviderError {
  at: string;
  status: number;
  message: string;
  during: SubmissionIntent | 'book';
}

export interface Deadline {
  kind: DeadlineKind;
  at: string;
}

export interface PoState {
  provider: Provider;
  name: string;
  /** The PO as last requested: the body of the next full replacement. */
  po: PurchaseOrder;
  settings: PoSettings;
  status: PoStatus;
  createdAt: string;
  acknowledged: boolean;
  bookingOverdue: boolean;
  late: boolean;
  /** When the PO as a whole reached each milestone (delivered in full: every shipment did). */
  milestones: Partial<Record<Milestone, string>>;
  providerId?: number;
  providerVersion?: number;
  lines: LineState[];
  bookings: BookingState[];
  shipments: ShipmentState[];
  /** The provider write in flight, so an operator sees what the PO is waiting for. */
  pending?: { intent: SubmissionIntent | 'book'; since: string; cause: string };
  /**
   * Requests wait for provider writes already in flight instead of deciding alone (so a cancel
   * during the create can not leave the PO open at the provider). POs started before this replay
   * without it: the shell sets it from `patched`.
   */
  waitsForProviderCalls?: boolean;
  /** Provider writes (submissions, bookings) sent and not yet answered. */
  writesInFlight?: number;
  /**
   * An end that waits for the writes in flight: an operator's cancel, or the provider's own close or
   * cancel (a write still landing could reopen the PO there, so its end is sent again after it).
   */
  endRequested?: {
    status: 'cancelled' | 'closed';
    since: string;
    cause: string;
    by: 'operator' | 'provider';
  };
  /** The body the provider last accepted: what a cancel or close sends when a later amendment was refused. */
  acceptedPo?: PurchaseOrder;
  lastError?: ProviderError;
  history: HistoryEntry[];
  /**
   * When the provider last told us about this PO (an accepted submission, a new event) or a
   * fallback read last asked it: the quiet check counts from here.
   */
  quietSince?: string;
  /**
   * Ids of provider events already applied, oldest first: kept by the workflow shell, which drops
   * duplicates before they reach the reducer (`EventIdWindow`), and written here for the `state`
   * query and continue-as-new.
   */
  seenEventIds: number[];
  /** Provider events applied over the PO's whole life (duplicates never reach the reducer). */
  eventsApplied?: number;
  /** Provider events recorded but not acted upon (unknown type, or after the end), newest last. */
  ignoredEvents: { id: number; type: string; at: string; why: string }[];
  /** Set when poflow adopted a PO it did not create: when, from which provider PO and version, why. */
  adopted?: AdoptionRecord;
}

const MAX_IGNORED_EVENTS = 50;
/** Transitions kept in the state (newest last), so a long life cannot outgrow a payload. */
export const MAX_HISTORY_ENTRIES = 500;

/** Transportation modes the provider's booking API has a section for. */
export type BookableMode = 'ocean' | 'air' | 'truck';

/** The provider request the shell makes for a `book` command: every reference already resolved. */
export interface BookingPlan {
  name: string;
  purchaseOrderId: number;
  cargoReadyDate: string;
  transportationMode: BookableMode;
  shipperRef: string;
  consigneeRef: string;
  originLocationRef: string;
  destinationLocationRef?: string;
  originPort?: PurchaseOrder['origin_port'];
  destinationPort?: PurchaseOrder['destination_port'];
  lines: { itemKey: string; purchaseOrderLineItemId: number; units: number }[];
}

/** The reads of a fallback read: the PO, its bookings with no known shipment, its shipments. */
export interface FallbackRead {
  purchaseOrderId: number;
  bookingIds: number[];
  shipmentIds: number[];
}

/** What a fallback read found at the provider, reduced to what the lifecycle can act on. */
export interface ProviderSnapshot {
  /** The provider's PO status: open, closed, cancelled. */
  status: string;
  acknowledgedAt?: string;
  version?: number;
  cargoReadyDate: string | null;
  mustArriveDate: string | null;
  bookings: { providerId: number; status: string; shipmentId?: number }[];
  /** `milestones`: the shipment's actual dates; `status`: the provider's shipment status. */
  shipments: { id: number; status?: string; milestones: Partial<Record<Milestone, string>> }[];
}

export interface Alert {
  /** `needs_attention`: refused by the provider and left so longer than the PO's settings allow. */
  kind: 'late' | 'booking_overdue' | 'needs_attention';
  poName: string;
  message: string;
  at: string;
}

export type Command =
  | { type: 'submit'; intent: SubmissionIntent; body: PurchaseOrder }
  | { type: 'book'; plan: BookingPlan }
  | { type: 'alert'; alert: Alert }
  | { type: 'read'; read: FallbackRead };

export type LifecycleEvent =
  | { type: 'submission_accepted'; at: string; intent: SubmissionIntent; providerId: number; version?: number; lineItemIds: Record<string, number> } // prettier-ignore
  | {
      type: 'provider_rejected';
      at: string;
      during: SubmissionIntent | 'book';
      status: number;
      message: string;
    }
  | { type: 'amend_requested'; at: string; po: PurchaseOrder }
  | { type: 'book_requested'; at: string; booking: Booking }
  | { type: 'booking_created'; at: string; name: string; providerId: number; status: string; shipmentId?: number; lines: { itemKey: string; units: number }[] } // prettier-ignore
  | { type: 'close_requested'; at: string; cause: string }
  | { type: 'cancel_requested'; at: string; cause: string }
  | { type: 'provider_event'; at: string; event: ProviderEvent }
  | { type: 'provider_snapshot'; at: string; snapshot: ProviderSnapshot }
  | { type: 'deadline_reached'; at: string };

export interface Reduced {
  state: PoState;
  commands: Command[];
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export function isTerminal(status: PoStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** A new PO: `submitting`, with its creation submitted to the provider. */
export function startLifecycle(po: PurchaseOrder, settings: PoSettings, at: string): Reduced {
  const state: PoState = {
    provider: settings.provider,
    name: po.name,
    po,
    settings,
    status: 'submitting',
    createdAt: at,
    acknowledged: false,
    bookingOverdue: false,
    late: false,
    milestones: {},
    lines: linesFor(po, []),
    bookings: [],
    shipments: [],
    pending: { intent: 'create', since: at, cause: 'submitted' },
    waitsForProviderCalls: true,
    writesInFlight: 1,
    history: [{ at, from: 'submitting', to: 'submitting', cause: 'submitted' }],
    seenEventIds: [],
    ignoredEvents: [],
  };
  return { state, commands: [{ type: 'submit', intent: 'create', body: { ...po, status: 'open' } }] };
}

export function reduce(state: PoState, event: LifecycleEvent): Reduced {
  if (isTerminal(state.status)) {
    // Nothing reopens a closed or cancelled PO; provider events are still recorded.
    if (event.type !== 'provider_event') return { state, commands: [] };
    return { state: recordIgnored(state, event.event, event.at, `PO already ${state.status}`), commands: [] };
  }
  switch (event.type) {
    case 'submission_accepted':
      return settled(submissionAccepted(answered(state), event), event.at);
    case 'provider_rejected':
      if (state.waitsForProviderCalls) return providerRejected(answered(state), event);
      return {
        state: transition(
          {
            ...state,
            pending: undefined,
            lastError: { at: event.at, status: event.status, message: event.message, during: event.during },
          },
          // A refused booking leaves the PO as it was; a refused PO body needs a person.
          event.during === 'book' ? state.status : 'needs_attention',
          event.at,
          `provider refused ${event.during} (${event.status}): ${event.message}`,
        ),
        commands: [],
      };
    case 'amend_requested':
      return amendRequested(state, event);
    case 'book_requested':
      return bookRequested(state, event);
    case 'booking_created':
      return settled(bookingCreated(answered(state), event), event.at);
    case 'close_requested':
      if (state.waitsForProviderCalls && (state.endRequested || state.pending?.intent === 'close')) {
        return { state, commands: [] }; // already on its way to an end
      }
      return sendEnd(state, 'closed', event.at, event.cause);
    case 'cancel_requested':
      if (state.waitsForProviderCalls) return cancelRequested(state, event.at, event.cause);
      if (state.providerId === undefined) {
        // Never accepted by the provider: nothing to cancel there.
        return {
          state: transition({ ...state, pending: undefined }, 'cancelled', event.at, event.cause),
          commands: [],
        };
      }
      return {
        state: { ...state, pending: { intent: 'cancel', since: event.at, cause: event.cause } },
        commands: [{ type: 'submit', intent: 'cancel', body: { ...state.po, status: 'cancelled' } }],
      };
    case 'provider_event':
      return { state: providerEvent(state, event.event, event.at), commands: [] };
    case 'provider_snapshot':
      return { state: providerSnapshot(state, event.snapshot, event.at), commands: [] };
    case 'deadline_reached':
      return deadlineReached(state, event.at);
  }
}

function submissionAccepted(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'submission_accepted' }>,
): PoState {
  const writing = stillWriting(state);
  const bodyAccepted = state.waitsForProviderCalls && !writing && (event.intent === 'create' || event.intent === 'amend'); // prettier-ignore
  const accepted: PoState = {
    ...state,
    quietSince: event.at,
    providerId: event.providerId,
    providerVersion: event.version ?? state.providerVersion,
    pending: writing ? state.pending : undefined,
    acceptedPo: bodyAccepted ? state.po : state.acceptedPo,
    lastError: undefined,
    lines: state.lines.map((line) => ({
      ...line,
      providerId: event.lineItemIds[line.itemKey] ?? line.providerId,
    })),
  };
  const cause =
    `provider accepted ${event.intent}` + (event.version === undefined ? '' : ` (version ${event.version})`);
  switch (event.intent) {
    case 'close':
      return transition({ ...accepted, endRequested: undefined }, 'closed', event.at, `${cause}; ${state.pending?.cause ?? 'closed'}`); // prettier-ignore
    case 'cancel':
      return transition({ ...accepted, endRequested: undefined }, 'cancelled', event.at, `${cause}; ${state.pending?.cause ?? 'cancelled'}`); // prettier-ignore
    default:
      return transition(accepted, accepted.bookings.length > 0 ? 'booked' : 'open', event.at, cause);
  }
}

function amendRequested(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'amend_requested' }>,
): Reduced {
  const po: PurchaseOrder = { ...event.po, status: 'open' };
  let next: PoState = {
    ...state,
    po,
    lines: linesFor(po, state.lines),
    pending: { intent: 'amend', since: event.at, cause: 'amended' },
    writesInFlight: oneMoreWrite(state),
  };
  // Moved dates re-arm their checks: a flag only stands while its date is behind us.
  if (next.bookingOverdue && !deadlinePassed(cargoReadyDeadline(next), event.at)) {
    next = flag(next, 'bookingOverdue', false, event.at, 'cargo-ready date moved by amendment');
  }
  if (next.late && !deadlinePassed(mustArriveDeadline(next), event.at)) {
    next = flag(next, 'late', false, event.at, 'must-arrive date moved by amendment');
  }
  // A PO the provider refused goes back to `submitting` until the amendment is accepted.
  if (state.status === 'needs_attention') next = transition(next, 'submitting', event.at, 'amended');
  return { state: next, commands: [{ type: 'submit', intent: 'amend', body: po }] };
}

// ---- provider writes in flight: requests and provider-side ends wait for them ----

/** One provider write answered. */
function answered(state: PoState): PoState {
  if (!state.waitsForProviderCalls) return state;
  return { ...state, writesInFlight: Math.max(0, (state.writesInFlight ?? 0) - 1) };
}

function oneMoreWrite(state: PoState): number | undefined {
  return state.waitsForProviderCalls ? (state.writesInFlight ?? 0) + 1 : state.writesInFlight;
}

function stillWriting(state: PoState): boolean {
  return Boolean(state.waitsForProviderCalls) && (state.writesInFlight ?? 0) > 0;
}

/** Once no write is in flight, an end that waited for them is sent, or taken where the provider never had the PO. */
function settled(state: PoState, at: string): Reduced {
  const end = state.endRequested;
  if (!end || isTerminal(state.status) || stillWriting(state)) return { state, commands: [] };
  const next: PoState = { ...state, endRequested: undefined };
  if (next.providerId === undefined) {
    return { state: transition({ ...next, pending: undefined }, end.status, at, end.cause), commands: [] };
  }
  return sendEnd(next, end.status, at, end.cause);
}

/** The PO sent again with a final status; the last body the provider accepted, so a refused amendment can not block it. */
function sendEnd(state: PoState, status: 'cancelled' | 'closed', at: string, cause: string): Reduced {
  const intent = status === 'closed' ? 'close' : 'cancel';
  const waits = state.waitsForProviderCalls;
  const body: PurchaseOrder = { ...((waits && state.acceptedPo) || state.po), status };
  return {
    state: { ...state, pending: { intent, since: at, cause }, writesInFlight: oneMoreWrite(state) },
    commands: [{ type: 'submit', intent, body }],
  };
}

function cancelRequested(state: PoState, at: string, cause: string): Reduced {
  // A repeated cancel while one is on its way changes nothing.
  if (state.endRequested || state.pending?.intent === 'cancel') return { state, commands: [] };
  if (stillWriting(state)) {
    const waiting = `${cause}; waits for the ${state.pending?.intent ?? 'provider call'} in flight`;
    const endRequested = { status: 'cancelled' as const, since: at, cause, by: 'operator' as const };
    return { state: transition({ ...state, endRequested }, state.status, at, waiting, 'cancel queued'), commands: [] }; // prettier-ignore
  }
  // Never accepted by the provider and nothing on its way there: nothing to cancel there.
  if (state.providerId === undefined) {
    return { state: transition({ ...state, pending: undefined }, 'cancelled', at, cause), commands: [] };
  }
  return sendEnd(state, 'cancelled', at, cause);
}

function providerRejected(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'provider_rejected' }>,
): Reduced {
  const lastError = { at: event.at, status: event.status, message: event.message, during: event.during };
  // Only a refused PO body needs a person; a refused booking, close or cancel leaves the PO as it was.
  const to = event.during === 'create' || event.during === 'amend' ? 'needs_attention' : state.status;
  const cause = `provider refused ${event.during} (${event.status}): ${event.message}`;
  const pending = stillWriting(state) ? state.pending : undefined;
  return settled(transition({ ...state, pending, lastError }, to, event.at, cause, to === state.status ? `${event.during} refused` : undefined), event.at); // prettier-ignore
}

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

function bookRequested(state: PoState, event: Extract<LifecycleEvent, { type: 'book_requested' }>): Reduced {
  const planned = planBooking(state, event.booking);
  if ('refusal' in planned) {
    return { state: transition(state, state.status, event.at, `booking refused: ${planned.refusal}`, 'booking refused'), commands: [] }; // prettier-ignore
  }
  const { plan } = planned;
  return {
    state: { ...state, pending: { intent: 'book', since: event.at, cause: `booking ${plan.name}` }, writesInFlight: oneMoreWrite(state) }, // prettier-ignore
    commands: [{ type: 'book', plan }],
  };
}

/** The booking an operator's request amounts to, or why the PO cannot be booked that way. */
export function planBooking(state: PoState, booking: Booking): { plan: BookingPlan } | { refusal: string } {
  const { po, name } = state;
  if ((state.status !== 'open' && state.status !== 'booked') || state.providerId === undefined) {
    return { refusal: `Purchase order ${name} can only be booked once the provider has accepted it (it is ${state.status})` }; // prettier-ignore
  }
  if (booking.name && state.bookings.some((b) => b.name === booking.name)) {
    return { refusal: `a booking named ${booking.name} already exists on purchase order ${name}` };
  }
  const mode = booking.transportation_mode ?? po.transportation_mode;
  if (mode === 'rail') return { refusal: 'the booking API has no rail bookings: book ocean, air or truck' };
  const cargoReadyDate = booking.cargo_ready_date ?? po.cargo_ready_date;
  const shipperRef = partyRef(po, 'seller');
  const consigneeRef = partyRef(po, 'buyer');
  const originLocationRef = po.origin_location_ref;
  if (!cargoReadyDate) return { refusal: 'a booking needs a cargo_ready_date (on the booking or the PO)' };
  if (!shipperRef || !consigneeRef) return { refusal: 'a booking needs the PO to name its buyer and seller parties' }; // prettier-ignore
  if (!originLocationRef) return { refusal: 'a booking needs the PO to name its origin_location_ref' };
  const requested = booking.lines ?? remainingUnits(state);
  if (requested.length === 0) return { refusal: `every unit of purchase order ${name} is already booked` };
  const lines: BookingPlan['lines'] = [];
  for (const { item_key, units } of requested) {
    const line = lineByKey(state, item_key);
    if (!line) return { refusal: `purchase order ${name} has no line item ${item_key}` };
    if (lines.some((l) => l.itemKey === item_key))
      return { refusal: `line item ${item_key} is listed twice` };
    if (line.providerId === undefined) return { refusal: `line item ${item_key} has no provider id yet` };
    if (units > line.units - line.bookedUnits) {
      return {
        refusal: `line item ${item_key} has ${line.units - line.bookedUnits} units left to book, not ${units}`,
      };
    }
    lines.push({ itemKey: item_key, purchaseOrderLineItemId: line.providerId, units });
  }
  return {
    plan: {
      name: booking.name ?? `${name}-B${state.bookings.length + 1}`,
      purchaseOrderId: state.providerId,
      cargoReadyDate,
      transportationMode: mode,
      shipperRef,
      consigneeRef,
      originLocationRef,
      destinationLocationRef: po.destination_location_refs?.[0],
      originPort: po.origin_port ?? undefined,
      destinationPort: po.destination_port ?? undefined,
      lines,
    },
  };
}

function bookingCreated(
  state: PoState,
  event: Extract<LifecycleEvent, { type: 'booking_created' }>,
): PoState {
  const booking: BookingState = {
    name: event.name,
    providerId: event.providerId,
    status: event.status,
    shipmentId: event.shipmentId,
    lines: event.lines,
    createdAt: event.at,
  };
  const bookings = [...state.bookings.filter((b) => b.providerId !== booking.providerId), booking];
  const next: PoState = {
    ...state,
    pending: stillWriting(state) ? state.pending : undefined,
    lastError: undefined,
    bookings,
    lines: state.lines.map((line) => withBooked(line, bookedUnits(bookings, line.itemKey))),
  };
  const coverage = next.lines.map((l) => `${l.itemKey} ${l.booking}`).join(', ');
  return transition(next, 'booked', event.at, `booking ${event.name} created (${coverage})`);
}

/** Provider event types that change the lifecycle; anything else is recorded and ignored. */
const MILESTONE_EVENTS: Record<string, Milestone> = {
  '/shipment_leg#departed': 'departed',
  '/shipment_leg#arrived': 'arrived',
  '/shipment#customs_entry_release_status_released': 'customs_released',
  '/shipment#delivered_in_full': 'delivered_in_full',
};

/** One provider event, new to this PO: the shell has already dropped duplicates. */
function providerEvent(state: PoState, event: ProviderEvent, at: string): PoState {
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
function providerSnapshot(state: PoState, snapshot: ProviderSnapshot, at: string): PoState {
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

function deadlineReached(state: PoState, at: string): Reduced {
  let next = state;
  const commands: Command[] = [];
  for (const deadline of nextDeadlines(state)) {
    if (!deadlinePassed(deadline.at, at)) continue;
    switch (deadline.kind) {
      case 'cargo_ready_check':
        next = flag(
          next,
          'bookingOverdue',
          true,
          at,
          `cargo-ready date ${state.po.cargo_ready_date} passed unbooked`,
        );
        commands.push(alert(next, 'booking_overdue', at, `cargo was ready on ${state.po.cargo_ready_date} and nothing is booked`)); // prettier-ignore
        break;
      case 'must_arrive_check':
        next = flag(
          next,
          'late',
          true,
          at,
          `must-arrive date ${state.po.must_arrive_date} passed undelivered`,
        );
        commands.push(alert(next, 'late', at, `had to arrive by ${state.po.must_arrive_date} and is not delivered in full`)); // prettier-ignore
        break;
      case 'auto_close': {
        const closing = reduce(next, { type: 'close_requested', at, cause: autoCloseCause(state) });
        next = closing.state;
        commands.push(...closing.commands);
        break;
      }
      case 'quiet_check':
        // The check re-arms from now, whatever the read brings back (or if it fails).
        next = { ...next, quietSince: at };
        commands.push({ type: 'read', read: fallbackRead(next) });
        break;
    }
  }
  return { state: next, commands };
}

/**
 * The deadlines still ahead of this PO, soonest first. Dates are calendar days read in UTC: a date
 * "passes" at the start of the next day. The shell sleeps until the first and reports back.
 */
export function nextDeadlines(state: PoState): Deadline[] {
  if (isTerminal(state.status)) return [];
  const deadlines: Deadline[] = [];
  const cargoReady = cargoReadyDeadline(state);
  if (cargoReady && !state.bookingOverdue && state.bookings.length === 0 && state.status !== 'booked') {
    deadlines.push({ kind: 'cargo_ready_check', at: cargoReady });
  }
  const mustArrive = mustArriveDeadline(state);
  if (mustArrive && !state.late && !state.milestones.delivered_in_full) {
    deadlines.push({ kind: 'must_arrive_check', at: mustArrive });
  }
  const autoClose = autoCloseDeadline(state);
  if (autoClose && state.status === 'booked' && state.pending?.intent !== 'close' && !state.endRequested) {
    deadlines.push({ kind: 'auto_close', at: autoClose });
  }
  const quiet = quietCheckDeadline(state);
  if (quiet) deadlines.push({ kind: 'quiet_check', at: quiet });
  return deadlines.sort((a, b) => a.at.localeCompare(b.at));
}

/** Open, booked, or refused after the provider had accepted it: a PO the provider can tell us about. */
function quietCheckDeadline(state: PoState): string | undefined {
  const hours = state.settings.quietCheckHours;
  const listening = ['open', 'booked', 'needs_attention'].includes(state.status);
  if (hours === false || !listening || state.providerId === undefined || !state.quietSince) return undefined;
  return new Date(Date.parse(state.quietSince) + hours * HOUR_MS).toISOString();
}

function fallbackRead(state: PoState): FallbackRead {
  const bookingShipments = state.bookings.flatMap((b) => (b.shipmentId === undefined ? [] : [b.shipmentId]));
  return {
    purchaseOrderId: state.providerId!,
    bookingIds: state.bookings.filter((b) => b.shipmentId === undefined).map((b) => b.providerId),
    shipmentIds: [...new Set([...state.shipments.map((s) => s.id), ...bookingShipments])],
  };
}

function cargoReadyDeadline(state: PoState): string | undefined {
  return state.po.cargo_ready_date ? addDays(state.po.cargo_ready_date, 1) : undefined;
}

function mustArriveDeadline(state: PoState): string | undefined {
  return state.po.must_arrive_date ? addDays(state.po.must_arrive_date, 1) : undefined;
}

function autoCloseDeadline(state: PoState): string | undefined {
  const autoClose = state.settings.autoClose;
  if (!autoClose) return undefined;
  const anchor =
    autoClose.after === 'delivered_in_full' ? state.milestones.delivered_in_full : state.po.must_arrive_date;
  return anchor ? addDays(anchor, autoClose.days) : undefined;
}

function autoCloseCause(state: PoState): string {
  const autoClose = state.settings.autoClose;
  return autoClose
    ? `auto-close ${autoClose.days} days after ${autoClose.after.replace(/_/g, ' ')}`
    : 'auto-close';
}

// ---- validators: a reason string refuses the request, undefined lets it through ----

export function checkAmend(state: PoState, po: PurchaseOrder): string | undefined {
  const ended = endedReason(state) ?? endingReason(state);
  if (ended) return ended;
  if (po.name !== state.name) return `name can not change: this is purchase order ${state.name}`;
  for (const role of ['buyer', 'seller'] as const) {
    if (partyRef(po, role) !== partyRef(state.po, role)) {
      return `can not change the ${role} role: it stays ${partyRef(state.po, role) ?? 'unset'}`;
    }
  }
  for (const line of state.lines) {
    if (line.bookedUnits === 0) continue;
    const amended = po.line_items.find((l) => l.item_key === line.itemKey);
    if (!amended) return `Cannot remove line items that have been booked (item_key ${line.itemKey})`;
    if (amended.units < line.bookedUnits) {
      return `Cannot update a line item to request fewer units than have already been booked (item_key ${line.itemKey}: ${line.bookedUnits} booked)`; // prettier-ignore
    }
  }
  return undefined;
}

export function checkBook(state: PoState, booking: Booking): string | undefined {
  const ended = endedReason(state) ?? endingReason(state);
  if (ended) return ended;
  const planned = planBooking(state, booking);
  if ('refusal' in planned) return planned.refusal;
  return state.pending ? `Purchase order ${state.name} is busy: ${state.pending.cause}` : undefined;
}

export function checkClose(state: PoState): string | undefined {
  const ended = endedReason(state);
  if (ended) return ended;
  if (state.status !== 'booked') {
    return `Purchase order ${state.name} can only be closed once it has been booked (it is ${state.status})`;
  }
  if (state.pending) return `Purchase order ${state.name} is busy: ${state.pending.cause}`;
  return undefined;
}

export function checkCancel(state: PoState): string | undefined {
  const ended = endedReason(state);
  if (ended) return ended;
  if (state.status === 'booked' || state.bookings.length > 0) {
    return `Purchase order ${state.name} may not be cancelled since it has an active booking`;
  }
  // A booking on its way would make the cancel fail at the provider: wait for it.
  if (state.pending?.intent === 'book') return `Purchase order ${state.name} is busy: ${state.pending.cause}`;
  return undefined;
}

function endedReason(state: PoState): string | undefined {
  return isTerminal(state.status) ? `Purchase order ${state.name} is already ${state.status}` : undefined;
}

/** A close or cancel on its way: nothing else may start behind it. */
function endingReason(state: PoState): string | undefined {
  const intent = state.endRequested?.status ?? (state.pending?.intent === 'cancel' ? 'cancelled' : state.pending?.intent === 'close' ? 'closed' : undefined); // prettier-ignore
  return intent ? `Purchase order ${state.name} is being ${intent}` : undefined;
}

// ---- helpers ----

/** Moves to `to` with a history entry; a `change` beside the status is recorded even without a move. */
export function transition<S extends Pick<PoState, 'status' | 'history'>>(
  state: S,
  to: PoStatus,
  at: string,
  cause: string,
  change?: string,
): S {
  if (to === state.status && !change) return state;
  const entry: HistoryEntry = { at, from: state.status, to, cause, ...(change ? { change } : {}) };
  const history = [...state.history, entry];
  if (history.length > MAX_HISTORY_ENTRIES) history.splice(0, history.length - MAX_HISTORY_ENTRIES);
  return { ...state, status: to, history };
}

function flag(
  state: PoState,
  name: 'acknowledged' | 'bookingOverdue' | 'late',
  value: boolean,
  at: string,
  cause: string,
): PoState {
  if (state[name] === value) return state;
  return transition({ ...state, [name]: value }, state.status, at, cause, value ? name : `not ${name}`);
}

function alert(state: PoState, kind: Alert['kind'], at: string, message: string): Command {
  return {
    type: 'alert',
    alert: { kind, poName: state.name, at, message: `Purchase order ${state.name} ${message}` },
  };
}

function recordIgnored(state: PoState, event: ProviderEvent, at: string, why: string): PoState {
  const ignoredEvents = [...state.ignoredEvents, { id: event.id, type: event.type, at, why }].slice(
    -MAX_IGNORED_EVENTS,
  );
  return { ...state, ignoredEvents };
}

function linesFor(po: PurchaseOrder, previous: LineState[]): LineState[] {
  return po.line_items.map((item) => {
    const before = previous.find((l) => l.itemKey === item.item_key);
    return withBooked({ itemKey: item.item_key, units: item.units, bookedUnits: 0, booking: 'unbooked', providerId: before?.providerId }, before?.bookedUnits ?? 0); // prettier-ignore
  });
}

function withBooked(line: LineState, bookedUnits: number): LineState {
  const booking: LineBooking =
    bookedUnits === 0 ? 'unbooked' : bookedUnits >= line.units ? 'full' : 'partial';
  return { ...line, bookedUnits, booking };
}

function bookedUnits(bookings: BookingState[], itemKey: string): number {
  return bookings
    .flatMap((b) => b.lines)
    .reduce((sum, l) => (l.itemKey === itemKey ? sum + l.units : sum), 0);
}

function remainingUnits(state: PoState): { item_key: string; units: number }[] {
  return state.lines
    .filter((l) => l.units > l.bookedUnits)
    .map((l) => ({ item_key: l.itemKey, units: l.units - l.bookedUnits }));
}

function lineByKey(state: PoState, itemKey: string): LineState | undefined {
  return state.lines.find((l) => l.itemKey === itemKey);
}

function deadlinePassed(deadline: string | undefined, at: string): boolean {
  return deadline !== undefined && Date.parse(deadline) <= Date.parse(at);
}

/** `date` (YYYY-MM-DD or an ISO time) plus whole days, as an ISO time in UTC. */
function addDays(date: string, days: number): string {
  const start = date.length === 10 ? Date.parse(`${date}T00:00:00.000Z`) : Date.parse(date);
  return new Date(start + days * DAY_MS).toISOString();
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
