/**
 * What the Web UI shows of a Flexport PO: search attributes and current details after each
 * change, and a summary on every provider call and deadline timer. Workflow code only.
 */
import { nextDeadlines } from './deadlines';
import { type Command, type Deadline, type PoState } from './state';
import { purchaseOrderSearchAttributes } from './messages';
import type { DeliveriesView } from '../core/notification-outbox';
import { lastChangeLine, notificationsLine, waitingForLine } from '../core/ui-details';
import { uiPublisher } from '../core/workflow-support';

export function publisher(): (state: PoState, deliveries?: DeliveriesView) => void {
  const publish = uiPublisher();
  return (state, deliveries) =>
    publish(
      purchaseOrderSearchAttributes({ ...state, shipmentIds: state.shipments.map((s) => s.id) }),
      currentDetails(state, deliveries),
    );
}

const DEADLINE_LABELS: Record<Deadline['kind'], string> = {
  cargo_ready_check: 'cargo-ready check (booking overdue?)',
  must_arrive_check: 'must-arrive check (late?)',
  auto_close: 'auto-close',
  quiet_check: 'quiet check (nothing heard: fallback read of the PO)',
};

export function deadlineSummary(state: PoState, deadline: Deadline): string {
  return `${DEADLINE_LABELS[deadline.kind]} for PO ${state.name} at ${deadline.at}`;
}

export function commandSummary(state: PoState, command: Command): string {
  switch (command.type) {
    case 'submit':
      return `${command.intent} PO ${state.name} at ${state.provider} (status ${command.body.status})`;
    case 'book':
      return (
        `book ${command.plan.name} for PO ${state.name}: ` +
        command.plan.lines.map((l) => `${l.itemKey}×${l.units}`).join(', ')
      );
    case 'alert':
      return `alert ${command.alert.kind} for PO ${state.name}`;
    case 'read': {
      const { purchaseOrderId, bookingIds, shipmentIds } = command.read;
      return [
        `fallback read of PO ${state.name}: GET /purchase_orders/${purchaseOrderId}`,
        ...bookingIds.map((id) => `/bookings/${id}`),
        ...shipmentIds.map((id) => `/shipments/${id}`),
      ].join(', ');
    }
  }
}

function currentDetails(state: PoState, deliveries?: DeliveriesView): string {
  const flags = [
    state.acknowledged ? 'acknowledged' : 'not acknowledged',
    state.bookingOverdue ? '**booking overdue**' : undefined,
    state.late ? '**late**' : undefined,
    state.autoCloseRefused ? '**auto-close refused: close it by hand**' : undefined,
  ].filter(Boolean);
  const milestones = Object.entries(state.milestones).map(([m, at]) => `${m.replace(/_/g, ' ')} ${at}`);
  const next = nextDeadlines(state).map((d) => `${DEADLINE_LABELS[d.kind]} at ${d.at}`);
  return [
    `## PO ${state.name}: **${state.status}**`,
    `- provider: ${state.provider}` +
      (state.providerId === undefined ? '' : ` id ${state.providerId}`) +
      (state.providerVersion === undefined ? '' : ` version ${state.providerVersion}`),
    state.adopted
      ? `- adopted ${state.adopted.at} from ${state.adopted.provider} ` +
        `purchase order ${state.adopted.providerId}` +
        (state.adopted.version === undefined ? '' : ` version ${state.adopted.version}`) +
        `: ${state.adopted.trigger}`
      : undefined,
    `- flags: ${flags.join(', ')}`,
    `- lines: ` +
      state.lines.map((l) => `${l.itemKey} ${l.bookedUnits}/${l.units} (${l.booking})`).join(', '),
    `- bookings: ${state.bookings.map((b) => `${b.name} (${b.status})`).join(', ') || 'none'}`,
    `- milestones: ${milestones.join(', ') || 'none yet'}`,
    waitingForLine(state.pending),
    `- next: ${next.join('; ') || 'nothing scheduled'}`,
    notificationsLine(deliveries),
    state.lastError
      ? `- last provider error (${state.lastError.status}): ${state.lastError.message}`
      : undefined,
    lastChangeLine(state.history),
  ]
    .filter(Boolean)
    .join('\n');
}
