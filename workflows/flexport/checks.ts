/**
 * What the update validators ask before anything is written: may this PO be amended, booked,
 * closed or cancelled now, and with what plan. Pure: the same state gives the same answer.
 */
import { isTerminal } from '../core/status';
import { partyRef, type Booking, type PurchaseOrder } from './purchase-order';
import type { BookingPlan, PoState } from './state';
import { lineByKey, remainingUnits } from './state';

/** The booking an operator's request amounts to, or why the PO cannot be booked that way. */
export function planBooking(state: PoState, booking: Booking): { plan: BookingPlan } | { refusal: string } {
  const { po, name } = state;
  if ((state.status !== 'open' && state.status !== 'booked') || state.providerId === undefined) {
    return {
      refusal:
        `Purchase order ${name} can only be booked once the provider has accepted it ` +
        `(it is ${state.status})`,
    };
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
  if (!shipperRef || !consigneeRef)
    return { refusal: 'a booking needs the PO to name its buyer and seller parties' };
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
    const left = line.units - line.bookedUnits;
    if (units > left)
      return { refusal: `line item ${item_key} has ${left} units left to book, not ${units}` };
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
      return (
        'Cannot update a line item to request fewer units than have already been booked ' +
        `(item_key ${line.itemKey}: ${line.bookedUnits} booked)`
      );
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
  const intent =
    state.endRequested?.status ??
    (state.pending?.intent === 'cancel'
      ? 'cancelled'
      : state.pending?.intent === 'close'
        ? 'closed'
        : undefined);
  return intent ? `Purchase order ${state.name} is being ${intent}` : undefined;
}
