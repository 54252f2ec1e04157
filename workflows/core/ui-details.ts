/**
 * The Web UI details' lines every provider's PO shows alike: what it waits for, its notifications,
 * its last change. Workflow-safe: the details are written into each PO's history.
 */
import { deliveriesLine, type DeliveriesView } from './notification-outbox';
import type { HistoryEntry } from './status';

export function waitingForLine(
  pending: { intent: string; cause: string; since: string } | undefined,
): string {
  return (
    `- waiting for: ` + (pending ? `${pending.intent} (${pending.cause}) since ${pending.since}` : 'nothing')
  );
}

export function notificationsLine(deliveries: DeliveriesView | undefined): string | undefined {
  return deliveries ? `- notifications: ${deliveriesLine(deliveries, (text) => `**${text}**`)}` : undefined;
}

export function lastChangeLine(history: readonly HistoryEntry[]): string | undefined {
  const last = history[history.length - 1];
  return last
    ? `- last change ${last.at}: ${last.from} → ${last.to}` +
        (last.change ? ` (${last.change})` : '') +
        `: ${last.cause}`
    : undefined;
}
