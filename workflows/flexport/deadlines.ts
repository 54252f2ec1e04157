/**
 * A Flexport PO's deadlines, derived from its state (never stored): cargo-ready and must-arrive
 * checks, auto-close, and the quiet check that reads the PO back when nothing has been heard.
 */
import { isTerminal } from '../core/status';
import type { Deadline, FallbackRead, PoState } from './state';
import { HOUR_MS, addDays, stillWriting } from './state';

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
  if (
    autoClose &&
    state.status === 'booked' &&
    state.pending?.intent !== 'close' &&
    !state.endRequested &&
    autoCloseMayWrite(state)
  ) {
    // prettier-ignore
    deadlines.push({ kind: 'auto_close', at: autoClose });
  }
  const quiet = quietCheckDeadline(state);
  if (quiet) deadlines.push({ kind: 'quiet_check', at: quiet });
  return deadlines.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Not once the provider refused it, nor while other writes are in flight (they could reopen the PO
 * behind the close).
 */
function autoCloseMayWrite(state: PoState): boolean {
  return !state.weighsOwnWrites || (!state.autoCloseRefused && !stillWriting(state));
}

/** Open, booked, or refused after the provider had accepted it: a PO the provider can tell us about. */
function quietCheckDeadline(state: PoState): string | undefined {
  const hours = state.settings.quietCheckHours;
  const listening = ['open', 'booked', 'needs_attention'].includes(state.status);
  if (hours === false || !listening || state.providerId === undefined || !state.quietSince) return undefined;
  return new Date(Date.parse(state.quietSince) + hours * HOUR_MS).toISOString();
}

export function fallbackRead(state: PoState): FallbackRead {
  const bookingShipments = state.bookings.flatMap((b) => (b.shipmentId === undefined ? [] : [b.shipmentId]));
  return {
    purchaseOrderId: state.providerId!,
    bookingIds: state.bookings.filter((b) => b.shipmentId === undefined).map((b) => b.providerId),
    shipmentIds: [...new Set([...state.shipments.map((s) => s.id), ...bookingShipments])],
  };
}

export function cargoReadyDeadline(state: PoState): string | undefined {
  return state.po.cargo_ready_date ? addDays(state.po.cargo_ready_date, 1) : undefined;
}

export function mustArriveDeadline(state: PoState): string | undefined {
  return state.po.must_arrive_date ? addDays(state.po.must_arrive_date, 1) : undefined;
}

function autoCloseDeadline(state: PoState): string | undefined {
  const autoClose = state.settings.autoClose;
  if (!autoClose) return undefined;
  const anchor =
    autoClose.after === 'delivered_in_full' ? state.milestones.delivered_in_full : state.po.must_arrive_date;
  return anchor ? addDays(anchor, autoClose.days) : undefined;
}

export function autoCloseCause(state: PoState): string {
  const autoClose = state.settings.autoClose;
  return autoClose
    ? `auto-close ${autoClose.days} days after ${autoClose.after.replace(/_/g, ' ')}`
    : 'auto-close';
}
