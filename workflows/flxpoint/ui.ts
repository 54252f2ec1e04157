/**
 * What the Web UI shows of a Flxpoint PO: search attributes and current details after each
 * change (the notifications' line among them), and a summary on every Flxpoint call. Workflow
 * code only.
 */
import { nextPollAt, type FlxpointCommand, type FlxpointPoState } from './lifecycle';
import { flxpointSearchAttributes } from './messages';
import type { DeliveriesView } from '../core/notification-outbox';
import { lastChangeLine, notificationsLine, waitingForLine } from '../core/ui-details';
import { uiPublisher } from '../core/workflow-support';

export function publisher(): (state: FlxpointPoState, deliveries: DeliveriesView | undefined) => void {
  const publish = uiPublisher();
  return (state, deliveries) => publish(flxpointSearchAttributes(state), currentDetails(state, deliveries));
}

export function commandSummary(state: FlxpointPoState, command: FlxpointCommand): string {
  switch (command.type) {
    case 'create':
      return (
        `create PO ${state.name} at Flxpoint ` +
        `(order ${command.body.orderId}, source ${command.body.sourceId})`
      );
    case 'adopt':
      return `read back PO ${state.name} at Flxpoint: its number is already in use`;
    case 'read':
      return `read PO ${state.name}'s status at Flxpoint (id ${command.id})`;
    case 'find':
      return `look PO ${state.name} up at Flxpoint by number before cancelling it (its create was refused)`;
    case 'cancel':
      return `cancel PO ${state.name} at Flxpoint (id ${command.id}): ${command.reason}`;
  }
}

function currentDetails(state: FlxpointPoState, deliveries: DeliveriesView | undefined): string {
  return [
    `## PO ${state.name}: **${state.status}**`,
    `- provider: flxpoint` +
      (state.providerId === undefined ? '' : ` id ${state.providerId}`) +
      (state.flxpointStatus ? `, Flxpoint status ${state.flxpointStatus}` : '') +
      (state.statusReason ? ` (${state.statusReason})` : ''),
    `- flags: ${state.acknowledged ? 'acknowledged' : 'not acknowledged'}`,
    state.adopted
      ? `- adopted ${state.adopted.at} from Flxpoint id ${state.adopted.providerId} ` +
        `(${state.adopted.trigger})`
      : undefined,
    `- items: ` +
      state.po.purchaseOrderItems
        .map((i) => `${i.sku ?? `variant ${i.inventoryVariantId}`}×${i.quantity}`)
        .join(', '),
    waitingForLine(state.pending),
    `- next status read: ${nextPollAt(state) ?? 'none scheduled'}`,
    notificationsLine(deliveries),
    state.lastError
      ? `- last Flxpoint error (${state.lastError.status}, ${state.lastError.during}): ` +
        state.lastError.message
      : undefined,
    lastChangeLine(state.history),
  ]
    .filter(Boolean)
    .join('\n');
}
