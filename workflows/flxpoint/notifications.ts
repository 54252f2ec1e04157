/**
 * Which notifications a change of a Flxpoint PO produces: the Flxpoint counterpart of
 * `notificationsFor`, into the same outbox, with the same types and body. A Flxpoint PO has no
 * bookings, shipments or dates, so it tells `opened`, `needs_attention` and `cancelled` only
 * (docs/operators.md, "Event catalogue"). Pure: no Temporal, no IO, no clock.
 */
import type { FlxpointPoState } from './lifecycle';
import type { NotificationDraft } from '../core/notifications';

/**
 * The notifications of one change, from `previous` to `next` at `at`, in the order a receiver
 * should apply them. `announced`: the PO's `opened` went out already.
 *
 * An amendment (a corrected create after Flxpoint refused the PO) is the PO's `opened`: Flxpoint
 * has no update, so only a PO it never accepted, and so never announced, is amended.
 */
export function flxpointNotificationsFor(
  previous: FlxpointPoState,
  next: FlxpointPoState,
  at: string,
  announced: boolean,
): NotificationDraft[] {
  if (next === previous) return [];
  const drafts: NotificationDraft[] = [];
  if (!announced && next.status === 'open') {
    drafts.push({ event: { type: 'purchase_order.opened', occurredAt: at, data: opened(next) } });
  }
  if (next.status === 'needs_attention' && previous.status !== 'needs_attention') {
    drafts.push({ event: { type: 'purchase_order.needs_attention', occurredAt: at, data: attention(next) } });
  }
  if (next.status === 'cancelled' && previous.status !== 'cancelled') {
    const data = { cause: next.history.at(-1)?.cause, flxpoint_status: next.flxpointStatus ?? null };
    drafts.push({ event: { type: 'purchase_order.cancelled', occurredAt: at, data } });
  }
  return drafts;
}

/** What the PO asks for: the order, the source and the units per item (no costs, no addresses). */
function opened(state: FlxpointPoState) {
  return {
    provider_id: state.providerId,
    flxpoint_status: state.flxpointStatus ?? null,
    order_id: state.po.orderId,
    source_id: state.po.sourceId,
    lines: state.po.purchaseOrderItems.map((item) => ({
      order_item_id: item.orderItemId,
      sku: item.sku ?? null,
      inventory_variant_id: item.inventoryVariantId ?? null,
      units: item.quantity,
    })),
  };
}

/**
 * Flxpoint's own words: its refusal of a request (HTTP status and message), or the status it gave
 * the PO and its reason (`provider_status` is then null).
 */
function attention(state: FlxpointPoState) {
  const flxpointStatus = state.flxpointStatus ?? null;
  if (state.lastError) {
    const { during, status, message } = state.lastError;
    return { during, provider_status: status, provider_message: message, flxpoint_status: flxpointStatus };
  }
  return {
    during: 'read',
    provider_status: null,
    provider_message: state.statusReason ?? null,
    flxpoint_status: flxpointStatus,
  };
}
