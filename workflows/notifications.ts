/**
 * Which notifications a change of a PO produces: a pure function of the state before, the
 * reduction (state after and commands) and the event that caused it. No Temporal, no IO, no clock:
 * the same change always gives the same notifications, so a replay or a retry never invents one.
 */
import {
  isTerminal,
  MILESTONES,
  type Alert,
  type BookingState,
  type HistoryEntry,
  type LifecycleEvent,
  type PoState,
  type PoStatus,
  type Reduced,
} from './lifecycle';
import type { PoSettings, Provider } from './purchase-order';

/** Every event type an ERP endpoint can receive (and filter on), in the order one change emits them. */
export const NOTIFICATION_TYPES = [
  'purchase_order.opened',
  'purchase_order.amended',
  'purchase_order.needs_attention',
  'purchase_order.booked',
  'purchase_order.booking_confirmed',
  'purchase_order.milestone_reached',
  'purchase_order.booking_overdue',
  'purchase_order.late',
  'purchase_order.closed',
  'purchase_order.cancelled',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** What the ERP receives about one change: the body's `type`, `occurred_at` and `data`. */
export interface ErpEvent {
  type: NotificationType;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** One change to tell: an event for the ERP endpoints, an alert for people, or both. */
export interface NotificationDraft {
  event?: ErpEvent;
  alert?: Alert;
}

/**
 * What the outbox reads of a PO, whichever its provider: a Flexport `PoState` and a Flxpoint
 * `FlxpointPoState` both have these fields.
 */
export interface NotifiedPo {
  name: string;
  provider: Provider;
  providerId?: number;
  status: PoStatus;
  createdAt: string;
  history: HistoryEntry[];
  lastError?: { message: string };
  /** The provider's reason for the PO's status (Flxpoint gives one when a PO needs attention). */
  statusReason?: string;
}

/** The per-PO settings that decide who hears of it. */
export type NotifySettings = Pick<PoSettings, 'notifyErp' | 'needsAttentionAlertHours'>;

/** Whether a PO that began (or resumed from a run) without notifications counts as announced already. */
export function announcedBefore(state: NotifiedPo): boolean {
  return state.status !== 'submitting' && state.providerId !== undefined;
}

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
    emit('purchase_order.opened', event.at, { provider_id: next.providerId, version: next.providerVersion, ...terms(next) }); // prettier-ignore
  } else if (event.type === 'submission_accepted' && event.intent === 'amend') {
    emit('purchase_order.amended', event.at, { by: 'operator', version: next.providerVersion, ...terms(next) }); // prettier-ignore
  } else if (
    (event.type === 'provider_event' || event.type === 'provider_snapshot') &&
    datesMoved(previous, next)
  ) {
    emit('purchase_order.amended', event.at, { by: 'provider', version: next.providerVersion, ...terms(next) }); // prettier-ignore
  }
  if (next.status === 'needs_attention' && previous.status !== 'needs_attention' && next.lastError) {
    const { during, status, message } = next.lastError;
    emit('purchase_order.needs_attention', event.at, { during, provider_status: status, provider_message: message }); // prettier-ignore
  }
  for (const booking of next.bookings) {
    const before = previous.bookings.find((b) => b.providerId === booking.providerId);
    if (!before) {
      emit('purchase_order.booked', booking.createdAt, {
        booking: bookingData(booking),
        lines: next.lines.map((l) => ({ item_key: l.itemKey, units: l.units, booked_units: l.bookedUnits, booking: l.booking })), // prettier-ignore
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
    emit('purchase_order.milestone_reached', reachedAt, { milestone, reached_at: reachedAt, shipment_ids: shipmentIds }); // prettier-ignore
  }
  const alerts = reduced.commands.flatMap((c) => (c.type === 'alert' ? [c.alert] : []));
  const alertOf = (kind: Alert['kind']) => alerts.find((a) => a.kind === kind);
  if (next.bookingOverdue && !previous.bookingOverdue) {
    emit('purchase_order.booking_overdue', event.at, { cargo_ready_date: next.po.cargo_ready_date }, alertOf('booking_overdue')); // prettier-ignore
  }
  if (next.late && !previous.late) {
    emit('purchase_order.late', event.at, { must_arrive_date: next.po.must_arrive_date, milestones: next.milestones }, alertOf('late')); // prettier-ignore
  }
  if (isTerminal(next.status) && !isTerminal(previous.status)) {
    const cause = next.history.at(-1)?.cause;
    emit(next.status === 'closed' ? 'purchase_order.closed' : 'purchase_order.cancelled', event.at, {
      cause,
    });
  }
  return drafts;
}

/** The alert for a PO that has needed a person for longer than its settings allow. */
export function stuckAlert(state: NotifiedPo, since: string, at: string): NotificationDraft {
  const why = state.lastError?.message ?? state.statusReason;
  const reason = why ? `: ${why}` : '';
  const message = `Purchase order ${state.name} has needed attention since ${since}${reason}`;
  return { alert: { kind: 'needs_attention', poName: state.name, at, message } };
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
