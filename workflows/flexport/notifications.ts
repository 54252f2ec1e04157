/**
 * Which notifications a change of a Flexport PO produces: a pure function of the state before, the
 * reduction (state after and commands) and the event that caused it. No Temporal, no IO, no clock:
 * the same change always gives the same notifications, so a replay or a retry never invents one.
 */
import type { Alert, NotificationDraft, NotificationType } from '../core/notifications';
import { isTerminal } from '../core/status';
import { MILESTONES, type BookingState, type LifecycleEvent, type PoState, type Reduced } from './state';

/**
 * The notifications of one reduction, in the order a receiver should apply them. `announced`: the
 * PO's `opened` went out already (an accepted amendment is then `amended`, and nothing opens twice).
 */
export function notificationsFor(
  previous: PoState,
  reduced: Reduced,
  event: LifecycleEvent,
  announced: boolean,
): NotificationDraft[] {
  const next = reduced.state;
  if (next === previous) return [];
  const drafts: NotificationDraft[] = [];
  const emit = (type: NotificationType, occurredAt: string, data: Record<string, unknown>, alert?: Alert) =>
    drafts.push({ event: { type, occurredAt, data }, ...(alert ? { alert } : {}) });

  const live = next.status === 'open' || next.status === 'booked';
  if (!announced && live) {
    emit('purchase_order.opened', event.at, {
      provider_id: next.providerId,
      version: next.providerVersion,
      ...terms(next),
    });
  } else if (event.type === 'submission_accepted' && event.intent === 'amend') {
    emit('purchase_order.amended', event.at, {
      by: 'operator',
      version: next.providerVersion,
      ...terms(next),
    });
  } else if (
    (event.type === 'provider_event' || event.type === 'provider_snapshot') &&
    datesMoved(previous, next)
  ) {
    emit('purchase_order.amended', event.at, {
      by: 'provider',
      version: next.providerVersion,
      ...terms(next),
    });
  }
  if (next.status === 'needs_attention' && previous.status !== 'needs_attention' && next.lastError) {
    const { during, status, message } = next.lastError;
    emit('purchase_order.needs_attention', event.at, {
      during,
      provider_status: status,
      provider_message: message,
    });
  }
  if (next.autoCloseRefused && !previous.autoCloseRefused) {
    const { status, message } = next.autoCloseRefused;
    const alert: Alert = {
      kind: 'needs_attention',
      poName: next.name,
      at: event.at,
      message:
        `Purchase order ${next.name}: the provider refused its auto-close (${status}); ` + 'close it by hand',
    };
    emit(
      'purchase_order.needs_attention',
      event.at,
      { during: 'close', provider_status: status, provider_message: message, auto_close: 'stopped' },
      alert,
    );
  }
  for (const booking of next.bookings) {
    const before = previous.bookings.find((b) => b.providerId === booking.providerId);
    if (!before) {
      emit('purchase_order.booked', booking.createdAt, {
        booking: bookingData(booking),
        lines: next.lines.map((l) => ({
          item_key: l.itemKey,
          units: l.units,
          booked_units: l.bookedUnits,
          booking: l.booking,
        })),
      });
    }
    if (confirmed(booking) && !(before && confirmed(before))) {
      emit('purchase_order.booking_confirmed', event.at, { booking: bookingData(booking) });
    }
  }
  for (const milestone of MILESTONES) {
    const reachedAt = next.milestones[milestone];
    if (!reachedAt || previous.milestones[milestone]) continue;
    const shipmentIds = next.shipments.filter((s) => s.milestones[milestone]).map((s) => s.id);
    emit('purchase_order.milestone_reached', reachedAt, {
      milestone,
      reached_at: reachedAt,
      shipment_ids: shipmentIds,
    });
  }
  const alerts = reduced.commands.flatMap((c) => (c.type === 'alert' ? [c.alert] : []));
  const alertOf = (kind: Alert['kind']) => alerts.find((a) => a.kind === kind);
  if (next.bookingOverdue && !previous.bookingOverdue) {
    emit(
      'purchase_order.booking_overdue',
      event.at,
      { cargo_ready_date: next.po.cargo_ready_date },
      alertOf('booking_overdue'),
    );
  }
  if (next.late && !previous.late) {
    emit(
      'purchase_order.late',
      event.at,
      { must_arrive_date: next.po.must_arrive_date, milestones: next.milestones },
      alertOf('late'),
    );
  }
  if (isTerminal(next.status) && !isTerminal(previous.status)) {
    const cause = next.history.at(-1)?.cause;
    emit(next.status === 'closed' ? 'purchase_order.closed' : 'purchase_order.cancelled', event.at, {
      cause,
    });
  }
  return drafts;
}

/** What the PO asks for now: dates and units per line (no prices, no parties). */
function terms(state: PoState) {
  return {
    cargo_ready_date: state.po.cargo_ready_date ?? null,
    must_arrive_date: state.po.must_arrive_date ?? null,
    lines: state.lines.map((l) => ({ item_key: l.itemKey, units: l.units })),
  };
}

function datesMoved(previous: PoState, next: PoState): boolean {
  return (
    previous.po.cargo_ready_date !== next.po.cargo_ready_date ||
    previous.po.must_arrive_date !== next.po.must_arrive_date
  );
}

function confirmed(booking: BookingState): boolean {
  return booking.status === 'booked' && booking.shipmentId !== undefined;
}

function bookingData(booking: BookingState) {
  return {
    name: booking.name,
    provider_id: booking.providerId,
    status: booking.status,
    shipment_id: booking.shipmentId ?? null,
    lines: booking.lines.map((l) => ({ item_key: l.itemKey, units: l.units })),
  };
}
