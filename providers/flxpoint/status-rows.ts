/**
 * A Flxpoint PO in `poflow status`: no bookings, milestones or deadlines; its own status, the order
 * and the polling.
 */
import { deliveriesLine } from '../../workflows/core/notification-outbox';
import { nextPollAt } from '../../workflows/flxpoint/lifecycle';
import type { FlxpointPoView } from '../../workflows/flxpoint/messages';
import { flxpointAddressLabel, flxpointItemLabel } from '../../workflows/flxpoint/purchase-order';
import type { StatusRow } from '../provider';
import { acknowledgedFlag, lastError, soon, waitingFor } from '../status-text';

export function flxpointFlags(view: FlxpointPoView): string[] {
  return [acknowledgedFlag(view)];
}

export function flxpointStatusRows(view: FlxpointPoView): StatusRow[] {
  const { po } = view;
  const pollAt = nextPollAt(view);
  const type = po.purchaseOrderType ? ` (type ${po.purchaseOrderType})` : '';
  return [
    [
      'provider',
      `flxpoint${view.providerId === undefined ? ' (not accepted yet)' : ` id ${view.providerId}`}`,
    ],
    [
      'flxpoint status',
      view.flxpointStatus === undefined
        ? 'not read yet'
        : `${view.flxpointStatus}${view.statusReason ? `: ${view.statusReason}` : ''}`,
    ],
    ['flags', flxpointFlags(view).join(', ')],
    ['order', `${po.orderId} to source ${po.sourceId}${type}`],
    ['ships to', flxpointAddressLabel(po.shippingAddress)],
    [
      'items',
      po.purchaseOrderItems.map((i) => `${i.orderItemId} ${flxpointItemLabel(i)}×${i.quantity}`).join('; '),
    ],
    ['waiting for', waitingFor(view)],
    ['next', pollAt ? `status read ${soon(pollAt)}` : 'nothing scheduled'],
    ['last error', lastError(view)],
    ['notifications', view.notifications && deliveriesLine(view.notifications)],
  ];
}
