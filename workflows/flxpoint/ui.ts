/**
 * What the Web UI shows of a Flxpoint PO: search attributes and current details after each
 * change (the notifications' line among them), and a summary on every Flxpoint call. Workflow
 * code only.
 */
import { nextPollAt, type FlxpointCommand, type FlxpointPoState } from './lifecycle';
import { flxpointSearchAttributes } from './messages';
import { deliveriesLine, type DeliveriesView } from '../core/notification-outbox';
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
  const last = state.history[state.history.length - 1];
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
    `- waiting for: ` +
      (state.pending
        ? `${state.pending.intent} (${state.pending.cause}) since ${state.pending.since}`
        : 'nothing'),
    `- next status read: ${nextPollAt(state) ?? 'none scheduled'}`,
    deliveries ? `- notifications: ${deliveriesLine(deliveries, (text) => `**${text}**`)}` : undefined,
    state.lastError
      ? `- last Flxpoint error (${state.lastError.status}, ${state.lastError.during}): ` +
        state.lastError.message
      : undefined,
    last
      ? `- last change ${last.at}: ${last.from} → ${last.to}` +
        (last.change ? ` (${last.change})` : '') +
        `: ${last.cause}`
      : undefined,
  ]
    .filter(Boolean)
    .join('\n');
}
