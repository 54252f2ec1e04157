/**
 * A Flexport PO's state as the reducer keeps it, the events it takes and the commands it gives,
 * and the small pure helpers every part of the reducer shares. No Temporal, no IO, no clock.
 */
import type { ProviderEvent } from './provider-event';
import { transition, type HistoryEntry, type PoStatus } from '../core/status';
import type { Alert } from '../core/notifications';
import { type Booking, type PurchaseOrder } from './purchase-order';
import { type Provider } from '../core/choices';
import { type PoSettings } from '../core/settings';
import type { AdoptionRecord } from '../core/adoption';

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
  /** Set only in a continue-as-new input: `acceptedPo` is `po` (left out so the PO travels once). */
  acceptedIsPo?: boolean;
  /**
   * Provider events are weighed against poflow's own writes: the echo of a write in flight is not
   * a change made at the provider, what the provider shows while poflow writes counts only if it is
   * newer than poflow's accepted write, a close waits for the writes in flight, and a refused
   * auto-close stops. POs started before replay without it: the shell sets it from `patched`.
   */
  weighsOwnWrites?: boolean;
  /**
   * The version poflow's last accepted write made at the provider: an end older than it was
   * reopened by it.
   */
  writtenVersion?: number;
  /**
   * The newest the provider showed of the PO while poflow's writes were in flight, weighed once
   * they are answered.
   */
  providerCopy?: ProviderCopy;
  /** The provider refused the auto-close: it is not sent again; the PO is closed by hand. */
  autoCloseRefused?: ProviderError;
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

/** What a provider event or read showed of the PO itself: its status, dates and version. */
export interface ProviderCopy {
  version?: number;
  status: 'open' | 'closed' | 'cancelled';
  /** The dates the provider showed (a key absent: not shown). */
  dates: { cargo_ready_date?: string | null; must_arrive_date?: string | null };
  at: string;
  cause: string;
}

const MAX_IGNORED_EVENTS = 50;

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

export type Command =
  | { type: 'submit'; intent: SubmissionIntent; body: PurchaseOrder }
  | { type: 'book'; plan: BookingPlan }
  | { type: 'alert'; alert: Alert }
  | { type: 'read'; read: FallbackRead };

export type LifecycleEvent =
  | {
      type: 'submission_accepted';
      at: string;
      intent: SubmissionIntent;
      providerId: number;
      version?: number;
      lineItemIds: Record<string, number>;
      body?: PurchaseOrder;
    }
  | {
      type: 'provider_rejected';
      at: string;
      during: SubmissionIntent | 'book';
      status: number;
      message: string;
    }
  /** `by`: who asked (the HTTP API's token name); unset: an operator. */
  | { type: 'amend_requested'; at: string; po: PurchaseOrder; by?: string }
  | { type: 'book_requested'; at: string; booking: Booking; by?: string }
  | {
      type: 'booking_created';
      at: string;
      name: string;
      providerId: number;
      status: string;
      shipmentId?: number;
      lines: { itemKey: string; units: number }[];
    }
  | { type: 'close_requested'; at: string; cause: string }
  | { type: 'cancel_requested'; at: string; cause: string }
  | { type: 'provider_event'; at: string; event: ProviderEvent }
  | { type: 'provider_snapshot'; at: string; snapshot: ProviderSnapshot }
  | { type: 'deadline_reached'; at: string };

export interface Reduced {
  state: PoState;
  commands: Command[];
}

export const HOUR_MS = 60 * 60 * 1000;

const DAY_MS = 24 * HOUR_MS;

/** One provider write answered. */
export function answered(state: PoState): PoState {
  if (!state.waitsForProviderCalls) return state;
  return { ...state, writesInFlight: Math.max(0, (state.writesInFlight ?? 0) - 1) };
}

export function oneMoreWrite(state: PoState): number | undefined {
  return state.waitsForProviderCalls ? (state.writesInFlight ?? 0) + 1 : state.writesInFlight;
}

export function stillWriting(state: PoState): boolean {
  return Boolean(state.waitsForProviderCalls) && (state.writesInFlight ?? 0) > 0;
}

export function flag(
  state: PoState,
  name: 'acknowledged' | 'bookingOverdue' | 'late',
  value: boolean,
  at: string,
  cause: string,
): PoState {
  if (state[name] === value) return state;
  return transition({ ...state, [name]: value }, state.status, at, cause, value ? name : `not ${name}`);
}

export function alert(state: PoState, kind: Alert['kind'], at: string, message: string): Command {
  return {
    type: 'alert',
    alert: { kind, poName: state.name, at, message: `Purchase order ${state.name} ${message}` },
  };
}

export function recordIgnored(state: PoState, event: ProviderEvent, at: string, why: string): PoState {
  const ignoredEvents = [...state.ignoredEvents, { id: event.id, type: event.type, at, why }].slice(
    -MAX_IGNORED_EVENTS,
  );
  return { ...state, ignoredEvents };
}

export function linesFor(po: PurchaseOrder, previous: LineState[]): LineState[] {
  return po.line_items.map((item) => {
    const before = previous.find((l) => l.itemKey === item.item_key);
    return withBooked(
      {
        itemKey: item.item_key,
        units: item.units,
        bookedUnits: 0,
        booking: 'unbooked',
        providerId: before?.providerId,
      },
      before?.bookedUnits ?? 0,
    );
  });
}

export function withBooked(line: LineState, bookedUnits: number): LineState {
  const booking: LineBooking =
    bookedUnits === 0 ? 'unbooked' : bookedUnits >= line.units ? 'full' : 'partial';
  return { ...line, bookedUnits, booking };
}

export function bookedUnits(bookings: BookingState[], itemKey: string): number {
  return bookings
    .flatMap((b) => b.lines)
    .reduce((sum, l) => (l.itemKey === itemKey ? sum + l.units : sum), 0);
}

export function remainingUnits(state: PoState): { item_key: string; units: number }[] {
  return state.lines
    .filter((l) => l.units > l.bookedUnits)
    .map((l) => ({ item_key: l.itemKey, units: l.units - l.bookedUnits }));
}

export function lineByKey(state: PoState, itemKey: string): LineState | undefined {
  return state.lines.find((l) => l.itemKey === itemKey);
}

export function deadlinePassed(deadline: string | undefined, at: string): boolean {
  return deadline !== undefined && Date.parse(deadline) <= Date.parse(at);
}

/**
 * `date` (YYYY-MM-DD or an ISO time) plus whole days, as an ISO time in UTC; none for a date that
 * does not parse (a provider's date is not trusted to: a throw here would fail every workflow task).
 */
export function addDays(date: string, days: number): string | undefined {
  const start = date.length === 10 ? Date.parse(`${date}T00:00:00.000Z`) : Date.parse(date);
  return Number.isNaN(start) ? undefined : new Date(start + days * DAY_MS).toISOString();
}

/** A provider's time if it parses, else `fallback` (when poflow heard of it). */
export function providerTime(value: string | undefined, fallback: string): string {
  return value !== undefined && !Number.isNaN(Date.parse(value)) ? value : fallback;
}
