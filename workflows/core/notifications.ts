/**
 * What a PO's notifications are, whichever its provider: the ERP event types, the alert to people,
 * what the outbox reads of a PO, and the needs-attention alert. Each provider's own
 * `notifications.ts` says which notifications a change of its PO produces.
 */
import type { HistoryEntry, PoStatus } from './status';
import type { Provider } from './choices';
import type { PoSettings } from './settings';

/** An alert to people (the alert webhook): what a PO's notifications raise beside the ERP's. */
export interface Alert {
  /** `needs_attention`: refused by the provider and left so longer than the PO's settings allow. */
  kind: 'late' | 'booking_overdue' | 'needs_attention';
  poName: string;
  message: string;
  at: string;
}

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

/** The alert for a PO that has needed a person for longer than its settings allow. */
export function stuckAlert(state: NotifiedPo, since: string, at: string): NotificationDraft {
  const why = state.lastError?.message ?? state.statusReason;
  const reason = why ? `: ${why}` : '';
  const message = `Purchase order ${state.name} has needed attention since ${since}${reason}`;
  return { alert: { kind: 'needs_attention', poName: state.name, at, message } };
}
